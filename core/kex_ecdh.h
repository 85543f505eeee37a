/* The ephemeral Diffie-Hellman of each key exchange method: X25519
 * (curve25519-sha256, RFC 8731) and NIST P-256 (ecdh-sha2-nistp256, RFC
 * 5656). Both hash with SHA-256 and encode the shared secret as an mpint. */
#ifndef NS_CORE_KEX_ECDH_H
#define NS_CORE_KEX_ECDH_H

#include <stddef.h>
#include <stdint.h>

#include "random.h"

#define NS_KEX_SECRET_LEN 32 /* X25519 scalar, or P-256 scalar (big endian) */
#define NS_KEX_PUB_MAX 65    /* P-256: 0x04 || X (32) || Y (32); X25519: 32 */
#define NS_KEX_P256_PUB_LEN 65
#define NS_KEX_X25519_PUB_LEN 32
#define NS_KEX_MPINT_MAX 37 /* uint32 length || 0x00 || 32 bytes */

/* A fresh key pair for method (enum ns_kex_method); randomness from rnd
 * (NULL: ns_random_default). NS_ERR_INVALID for an unknown method. */
int ns_kex_keygen(int method, ns_random_fn rnd, void *ctx, uint8_t secret[NS_KEX_SECRET_LEN],
                  uint8_t pub[NS_KEX_PUB_MAX], size_t *pub_len);
/* The shared secret with the peer's public value, as the mpint that H and
 * the KDF take (RFC 5656 4: the X coordinate for P-256). The peer's value is
 * checked first: exact length, and for P-256 an uncompressed point on the
 * curve (0x04 prefix; BearSSL refuses points off the curve and the point at
 * infinity). NS_ERR_CRYPTO for an invalid public value or an all-zero X25519
 * secret. */
int ns_kex_shared(int method, const uint8_t secret[NS_KEX_SECRET_LEN], const uint8_t *peer,
                  size_t peer_len, uint8_t kmp[NS_KEX_MPINT_MAX], size_t *kmp_len);

#endif
