/* Packet fixtures (lib_packet.h) for the tests/test_packet_*.c suites: the
 * key, the payload filler and the paired directions. */
#include "lib_packet.h"

#include <sodium.h>
#include <string.h>

uint8_t tp_key64[NS_CHACHA_KEY_LEN];

int tp_setup(void **state)
{
	size_t i;

	(void)state;
	if (sodium_init() < 0) {
		return -1;
	}
	for (i = 0; i < sizeof(tp_key64); i++) {
		tp_key64[i] = (uint8_t)(i * 13 + 1);
	}
	return 0;
}

void tp_fill(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
	}
}

void tp_pair(ns_pkt_dir *tx, ns_pkt_dir *rx, int keyed)
{
	memset(tx, 0, sizeof(*tx));
	memset(rx, 0, sizeof(*rx));
	if (keyed) {
		ns_pkt_set_key(tx, tp_key64);
		ns_pkt_set_key(rx, tp_key64);
	}
}
