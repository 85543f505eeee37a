/* The ephemeral secrets of each key exchange method: X25519
 * (curve25519-sha256, RFC 8731) and NIST P-256 (ecdh-sha2-nistp256, RFC
 * 5656), both hashing with SHA-256 and encoding K as an mpint; and the
 * hybrids (kex_hybrid.c), a KEM with X25519, K a string of a hash. */
#ifndef NS_CORE_KEX_ECDH_H
#define NS_CORE_KEX_ECDH_H

#include <stddef.h>
#include <stdint.h>

#include "random.h"

#define NS_KEX_SECRET_LEN 32   /* X25519 scalar, or P-256 scalar (big endian) */
#define NS_KEX_P256_PUB_LEN 65 /* 0x04 || X (32) || Y (32) */
#define NS_KEX_X25519_PUB_LEN 32
#define NS_KEX_MPINT_MAX 37 /* uint32 length || 0x00 || 32 bytes */
/* The largest of every method (the hybrids: KEM key or ciphertext || X25519;
 * ML-KEM-768's decapsulation key is 2400 bytes, its encapsulation key 1184). */
#define NS_KEX_SECRET_MAX (2400 + 32)
#define NS_KEX_PUB_MAX (1184 + 32)
/* A client's ephemeral key pair between its KEX_ECDH_INIT and the reply. */
typedef struct ns_kex_eph {
	uint8_t secret[NS_KEX_SECRET_MAX]; /* a scalar, or KEM key || X25519 */
	uint8_t pub[NS_KEX_PUB_MAX];
	size_t pub_len;
} ns_kex_eph;
#define NS_KEX_K_MAX (4 + 64) /* K: an mpint, or a string of SHA-512 */
#define NS_KEX_HASH_MAX 64    /* H: SHA-256 or SHA-512 */

/* A fresh key pair for method (enum ns_kex_method); randomness from rnd
 * (NULL: ns_random_default). NS_ERR_INVALID for an unknown method. */
int ns_kex_keygen(int method, ns_random_fn rnd, void *ctx, uint8_t *secret, uint8_t *pub,
                  size_t *pub_len);
/* The shared secret with the peer's public value, as the mpint that H and
 * the KDF take (RFC 5656 4: the X coordinate for P-256). The peer's value is
 * checked first: exact length, and for P-256 an uncompressed point on the
 * curve (0x04 prefix; BearSSL refuses points off the curve and the point at
 * infinity). NS_ERR_CRYPTO for an invalid public value or an all-zero X25519
 * secret. */
int ns_kex_shared(int method, const uint8_t *secret, const uint8_t *peer, size_t peer_len,
                  uint8_t *kmp, size_t *kmp_len);
/* Server: the reply's public value (at most NS_KEX_PUB_MAX bytes) and K
 * (at most NS_KEX_K_MAX) for the client's value: a fresh key pair and the
 * shared secret for ECDH, an encapsulation to the client's key for a hybrid.
 * NS_ERR_CRYPTO for an invalid client value. */
int ns_kex_reply(int method, ns_random_fn rnd, void *ctx, const uint8_t *peer, size_t peer_len,
                 uint8_t *pub, size_t *pub_len, uint8_t *kmp, size_t *kmp_len);
/* The method's hash length: 32 (SHA-256) or 64 (SHA-512). */
size_t ns_kex_hash_len(int method);

/* The hybrids (kex_hybrid.c), same contracts. */
int ns_kex_hybrid_keygen(int method, ns_random_fn rnd, void *ctx, uint8_t *secret, uint8_t *pub,
                         size_t *pub_len);
int ns_kex_hybrid_shared(int method, const uint8_t *secret, const uint8_t *peer, size_t peer_len,
                         uint8_t *kmp, size_t *kmp_len);
int ns_kex_hybrid_reply(int method, ns_random_fn rnd, void *ctx, const uint8_t *peer,
                        size_t peer_len, uint8_t *pub, size_t *pub_len, uint8_t *kmp,
                        size_t *kmp_len);

#endif
