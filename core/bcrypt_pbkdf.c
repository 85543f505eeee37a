/* bcrypt_pbkdf as OpenSSH defines it (openbsd-compat/bcrypt_pbkdf.c and
 * PROTOCOL.key): each output block is the xor of `rounds` chained
 * bcrypt_hash(SHA512(pass), SHA512(salt || counter) ...) values, and the
 * blocks' bytes are interleaved into the key with a stride. Written here. */
#include "bcrypt_pbkdf.h"

#include <sodium.h>
#include <string.h>

#include "blowfish.h"
#include "nullspace/error.h"

#define SHA512_LEN crypto_hash_sha512_BYTES
#define HASH_WORDS (NS_BCRYPT_HASH_LEN / 4)
#define EXPAND_ROUNDS 64
#define ENCRYPT_ROUNDS 64
static const char magic[] = "OxychromaticBlowfishSwatDynamite"; /* 32 bytes */

/* bcrypt_hash: a Blowfish state keyed by both digests the expensive way,
 * then the magic text encrypted 64 times, written out little-endian. */
static void bcrypt_hash(ns_blf *c, const uint8_t sha2pass[SHA512_LEN],
                        const uint8_t sha2salt[SHA512_LEN], uint8_t out[NS_BCRYPT_HASH_LEN])
{
	uint32_t w[HASH_WORDS];
	int i, k;

	ns_blf_init(c);
	ns_blf_expand(c, sha2salt, SHA512_LEN, sha2pass, SHA512_LEN);
	for (i = 0; i < EXPAND_ROUNDS; i++) {
		ns_blf_expand0(c, sha2salt, SHA512_LEN);
		ns_blf_expand0(c, sha2pass, SHA512_LEN);
	}
	for (k = 0; k < HASH_WORDS; k++) {
		const uint8_t *m = (const uint8_t *)magic + 4 * k;
		w[k] = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
	}
	for (i = 0; i < ENCRYPT_ROUNDS; i++) {
		for (k = 0; k < HASH_WORDS; k += 2) {
			ns_blf_encrypt(c, &w[k], &w[k + 1]);
		}
	}
	for (k = 0; k < HASH_WORDS; k++) {
		out[4 * k + 0] = (uint8_t)w[k];
		out[4 * k + 1] = (uint8_t)(w[k] >> 8);
		out[4 * k + 2] = (uint8_t)(w[k] >> 16);
		out[4 * k + 3] = (uint8_t)(w[k] >> 24);
	}
	sodium_memzero(w, sizeof(w));
}

/* One output block: the xor of the chain for this counter. */
static void block(ns_blf *c, const uint8_t sha2pass[SHA512_LEN], const uint8_t *salt,
                  size_t saltlen, uint32_t count, uint32_t rounds, uint8_t out[NS_BCRYPT_HASH_LEN])
{
	crypto_hash_sha512_state h;
	uint8_t sha2salt[SHA512_LEN], tmp[NS_BCRYPT_HASH_LEN], be[4];
	uint32_t r;
	int i;

	be[0] = (uint8_t)(count >> 24);
	be[1] = (uint8_t)(count >> 16);
	be[2] = (uint8_t)(count >> 8);
	be[3] = (uint8_t)count;
	crypto_hash_sha512_init(&h);
	crypto_hash_sha512_update(&h, salt, saltlen);
	crypto_hash_sha512_update(&h, be, sizeof(be));
	crypto_hash_sha512_final(&h, sha2salt);
	bcrypt_hash(c, sha2pass, sha2salt, tmp);
	memcpy(out, tmp, sizeof(tmp));
	for (r = 1; r < rounds; r++) {
		crypto_hash_sha512(sha2salt, tmp, sizeof(tmp));
		bcrypt_hash(c, sha2pass, sha2salt, tmp);
		for (i = 0; i < NS_BCRYPT_HASH_LEN; i++) {
			out[i] ^= tmp[i];
		}
	}
	sodium_memzero(sha2salt, sizeof(sha2salt));
	sodium_memzero(tmp, sizeof(tmp));
	sodium_memzero(&h, sizeof(h));
}

int ns_bcrypt_pbkdf(const uint8_t *pass, size_t passlen, const uint8_t *salt, size_t saltlen,
                    uint32_t rounds, uint8_t *key, size_t keylen)
{
	uint8_t sha2pass[SHA512_LEN], out[NS_BCRYPT_HASH_LEN];
	size_t stride, amt, i, dest, left = keylen;
	uint32_t count;
	ns_blf c;

	if (rounds == 0 || saltlen == 0 || saltlen > NS_BCRYPT_SALT_MAX || keylen == 0 ||
	    keylen > NS_BCRYPT_KEY_MAX || (pass == NULL && passlen != 0)) {
		return NS_ERR_INVALID;
	}
	stride = (keylen + NS_BCRYPT_HASH_LEN - 1) / NS_BCRYPT_HASH_LEN;
	amt = (keylen + stride - 1) / stride;
	crypto_hash_sha512(sha2pass, pass, passlen);
	for (count = 1; left > 0; count++) {
		block(&c, sha2pass, salt, saltlen, count, rounds, out);
		/* byte i of block count goes to key[i * stride + count - 1] */
		for (i = 0; i < amt && i < left; i++) {
			dest = i * stride + (count - 1);
			if (dest >= keylen) {
				break;
			}
			key[dest] = out[i];
		}
		left -= i;
	}
	sodium_memzero(sha2pass, sizeof(sha2pass));
	sodium_memzero(out, sizeof(out));
	sodium_memzero(&c, sizeof(c));
	return 0;
}
