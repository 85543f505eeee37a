/* The MACs of the packet layer for the non-AEAD ciphers (RFC 4253 6.4, RFC
 * 6668): hmac-sha2-256/512 (encrypt-and-MAC, over the plaintext) and their
 * -etm@openssh.com forms (encrypt-then-MAC, over the length in clear and
 * the ciphertext; OpenSSH PROTOCOL 1.7). */
#ifndef NS_CORE_MAC_H
#define NS_CORE_MAC_H

#include <sodium.h>

#include "buf.h"

#define NS_MAC_NAME_SHA256_ETM "hmac-sha2-256-etm@openssh.com"
#define NS_MAC_NAME_SHA512_ETM "hmac-sha2-512-etm@openssh.com"
#define NS_MAC_NAME_SHA256 "hmac-sha2-256"
#define NS_MAC_NAME_SHA512 "hmac-sha2-512"
#define NS_MAC_KEY_MAX 64 /* hmac-sha2-512: key and tag 64 bytes */
#define NS_MAC_LEN_MAX 64

enum ns_mac_alg {
	NS_MAC_NONE = 0,
	NS_MAC_SHA256_ETM = 1,
	NS_MAC_SHA512_ETM = 2,
	NS_MAC_SHA256 = 3,
	NS_MAC_SHA512 = 4,
	NS_MAC_COUNT
};

/* One direction's MAC: the HMAC state after the key, copied per packet. */
typedef struct ns_mac {
	int alg;
	union {
		crypto_auth_hmacsha256_state s256;
		crypto_auth_hmacsha512_state s512;
	} st;
} ns_mac;

/* NS_MAC_NONE: not one of ours. */
int ns_mac_by_name(ns_str name);
const char *ns_mac_name(int alg);
/* Key and tag length (the same for these MACs): 32 or 64; 0 for none. */
size_t ns_mac_len(int alg);
/* 1 for the encrypt-then-MAC forms. */
int ns_mac_etm(int alg);
/* Key the MAC (ns_mac_len(alg) bytes of key). */
void ns_mac_init(ns_mac *m, int alg, const uint8_t *key);
/* tag = HMAC(key, uint32 seq || data). */
void ns_mac_compute(const ns_mac *m, uint32_t seq, const uint8_t *data, size_t len, uint8_t *tag);
/* 0 when tag (ns_mac_len bytes) matches, compared in constant time; else -1. */
int ns_mac_verify(const ns_mac *m, uint32_t seq, const uint8_t *data, size_t len,
                  const uint8_t *tag);

#endif
