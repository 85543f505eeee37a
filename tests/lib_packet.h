/* Packet fixtures shared by the tests/test_packet_*.c suites: a fixed
 * chacha20-poly1305@openssh.com key, payload filler and a sender/receiver
 * pair of directions. Exports: tp_. */
#ifndef NS_TESTS_LIB_PACKET_H
#define NS_TESTS_LIB_PACKET_H

#include <stddef.h>
#include <stdint.h>

#include "packet.h"

#define TP_BUF_MAX (1u << 20) /* output buffer limit for the suites */

/* key bytes i * 13 + 1, set by tp_setup */
extern uint8_t tp_key64[NS_CHACHA_KEY_LEN];

/* cmocka group setup: sodium_init and tp_key64. */
int tp_setup(void **state);
/* n bytes of a pattern that depends on seed */
void tp_fill(uint8_t *p, size_t n, uint32_t seed);
/* Zeroed directions; keyed: both under tp_key64. */
void tp_pair(ns_pkt_dir *tx, ns_pkt_dir *rx, int keyed);

#endif
