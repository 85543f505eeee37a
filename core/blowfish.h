/* Blowfish (Schneier 1993) with the "expensive key schedule" of bcrypt
 * (Provos and Mazieres 1999), only as far as bcrypt_pbkdf needs it:
 * encryption of 64-bit blocks held as two 32-bit words. */
#ifndef NS_CORE_BLOWFISH_H
#define NS_CORE_BLOWFISH_H

#include <stddef.h>
#include <stdint.h>

#define NS_BLF_ROUNDS 16
#define NS_BLF_P_WORDS (NS_BLF_ROUNDS + 2)
#define NS_BLF_PI_WORDS (NS_BLF_P_WORDS + 4 * 256)

typedef struct ns_blf {
	uint32_t p[NS_BLF_P_WORDS];
	uint32_t s[4][256];
} ns_blf;

extern const uint32_t ns_blowfish_pi[NS_BLF_PI_WORDS];

/* The initial state (digits of pi). */
void ns_blf_init(ns_blf *c);
/* Encrypt one block in place: l is the big-endian first half. */
void ns_blf_encrypt(const ns_blf *c, uint32_t *l, uint32_t *r);
/* bcrypt's ExpandKey(state, salt, key): key (cycled) into the P-array, then
 * every P and S word replaced by encryptions chained with the salt (cycled)
 * mixed in. ns_blf_expand0 is the same with no salt (ExpandKey(state, 0,
 * key)). Lengths must be non-zero. */
void ns_blf_expand(ns_blf *c, const uint8_t *salt, size_t saltlen, const uint8_t *key,
                   size_t keylen);
void ns_blf_expand0(ns_blf *c, const uint8_t *key, size_t keylen);

#endif
