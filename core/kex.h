/* ECDH key exchange (curve25519-sha256 RFC 8731, ecdh-sha2-nistp256 RFC
 * 5656; RFC 4253 7-8): the messages, the exchange hash, key derivation,
 * NEWKEYS and rekeying. */
#ifndef NS_CORE_KEX_H
#define NS_CORE_KEX_H

#include "engine_int.h"

/* KEX_ECDH_INIT body (after the message byte): string Q_C (at most
 * NS_KEX_PUB_MAX bytes; its exact length depends on the method). */
int ns_kex_ecdh_init_parse(ns_rd *r, ns_str *q_c);
/* KEX_ECDH_REPLY body: string K_S, string Q_S, string signature. */
int ns_kex_ecdh_reply_parse(ns_rd *r, ns_str *k_s, ns_str *q_s, ns_str *sig);

/* H over the transcript and K (core/kex_hash.c) with the negotiated
 * method's hash; returns H's length (32 or 64). */
size_t ns_kex_exchange_hash(const ns_engine *e, ns_str k_s, ns_str q_c, ns_str q_s,
                            const uint8_t *kmp, size_t kmp_len, uint8_t h[NS_KEX_HASH_MAX]);
/* One direction's keys for its cipher and MAC (RFC 4253 7.2): the IV from
 * letters[0] (AES only), the key from letters[1], the MAC key from
 * letters[2] (aes*-ctr only). */
void ns_kex_direction_keys(const ns_engine *e, const uint8_t *kmp, size_t kmp_len, const uint8_t *h,
                           size_t hlen, const char letters[3], ns_pkt_keys *k);

/* Send our KEXINIT and enter the exchange. */
int ns_kex_start(ns_engine *e);
/* Wipe and free a client's ephemeral key pair (e->eph), if any. */
void ns_kex_eph_free(ns_engine *e);
/* Messages 20, 21, 30, 31. payload is the whole packet payload. */
int ns_kex_dispatch(ns_engine *e, uint8_t type, ns_rd *r, ns_str payload);
/* Client (core/kex_hostkey.c): the server's K_S must be a key or certificate
 * of the negotiated host key algorithm (0, or the engine failed with a
 * message); then its signature over the exchange hash: 0 when the first
 * exchange waits for the caller's verdict (NS_EV_HOSTKEY emitted), 1 when a
 * rekey presented the key already accepted, < 0 when the engine failed. */
int ns_kex_hostkey_parse(ns_engine *e, ns_str k_s);
int ns_kex_hostkey_verify(ns_engine *e, ns_str k_s, ns_str sig, const uint8_t *h, size_t hlen);
/* Client: the caller's verdict on the host key. */
int ns_kex_verdict(ns_engine *e, int ok);
/* Start a rekey when the byte, packet or time limits say so. */
int ns_kex_check_limits(ns_engine *e);

#endif
