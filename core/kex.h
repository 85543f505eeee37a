/* curve25519-sha256 key exchange (RFC 8731, RFC 4253 7-8): the messages, the
 * exchange hash, key derivation, NEWKEYS and rekeying. */
#ifndef NS_CORE_KEX_H
#define NS_CORE_KEX_H

#include "engine_int.h"

/* KEX_ECDH_INIT body (after the message byte): string Q_C (32 bytes). */
int ns_kex_ecdh_init_parse(ns_rd *r, const uint8_t **q_c);
/* KEX_ECDH_REPLY body: string K_S, string Q_S (32 bytes), string signature. */
int ns_kex_ecdh_reply_parse(ns_rd *r, ns_str *k_s, const uint8_t **q_s, ns_str *sig);

/* Send our KEXINIT and enter the exchange. */
int ns_kex_start(ns_engine *e);
/* Messages 20, 21, 30, 31. payload is the whole packet payload. */
int ns_kex_dispatch(ns_engine *e, uint8_t type, ns_rd *r, ns_str payload);
/* Client: the caller's verdict on the host key. */
int ns_kex_verdict(ns_engine *e, int ok);
/* Start a rekey when the byte, packet or time limits say so. */
int ns_kex_check_limits(ns_engine *e);

#endif
