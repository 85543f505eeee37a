/* Blowfish encryption and bcrypt's expensive key schedule, for
 * bcrypt_pbkdf (core/bcrypt_pbkdf.c). Words are read from byte strings
 * big-endian, wrapping around at their end, as bcrypt does. */
#include "blowfish.h"

#include <string.h>

void ns_blf_init(ns_blf *c)
{
	memcpy(c->p, ns_blowfish_pi, sizeof(c->p));
	memcpy(c->s, ns_blowfish_pi + NS_BLF_P_WORDS, sizeof(c->s));
}

static uint32_t feistel(const ns_blf *c, uint32_t x)
{
	return ((c->s[0][x >> 24] + c->s[1][(x >> 16) & 0xff]) ^ c->s[2][(x >> 8) & 0xff]) +
	       c->s[3][x & 0xff];
}

/* Inlined into the key schedule, where nearly all the time goes. */
/* Two Feistel rounds per step, so the halves never swap; inlined into the
 * key schedule, where nearly all the time goes. */
static inline void encrypt_block(const ns_blf *c, uint32_t *l, uint32_t *r)
{
	uint32_t xl = *l, xr = *r;
	int i;

	for (i = 0; i < NS_BLF_ROUNDS; i += 2) {
		xl ^= c->p[i];
		xr ^= feistel(c, xl);
		xr ^= c->p[i + 1];
		xl ^= feistel(c, xr);
	}
	*r = xl ^ c->p[NS_BLF_ROUNDS];
	*l = xr ^ c->p[NS_BLF_ROUNDS + 1];
}

void ns_blf_encrypt(const ns_blf *c, uint32_t *l, uint32_t *r)
{
	encrypt_block(c, l, r);
}

/* The next 4 bytes of p (cycled) as a big-endian word. */
static uint32_t stream_word(const uint8_t *p, size_t len, size_t *pos)
{
	uint32_t w = 0;
	int i;

	for (i = 0; i < 4; i++) {
		w = (w << 8) | p[*pos];
		*pos = *pos + 1 == len ? 0 : *pos + 1;
	}
	return w;
}

/* Replace every P then S word, two at a time, with the chained encryption
 * of (l, r), salt words (if any) xored in before each encryption. */
static void rekey(ns_blf *c, const uint8_t *salt, size_t saltlen)
{
	uint32_t l = 0, r = 0, *w[1 + 4];
	size_t pos = 0, n[1 + 4], i, k;

	w[0] = c->p;
	n[0] = NS_BLF_P_WORDS;
	for (i = 0; i < 4; i++) {
		w[1 + i] = c->s[i];
		n[1 + i] = 256;
	}
	for (i = 0; i < 5; i++) {
		for (k = 0; k < n[i]; k += 2) {
			if (salt != NULL) {
				l ^= stream_word(salt, saltlen, &pos);
				r ^= stream_word(salt, saltlen, &pos);
			}
			encrypt_block(c, &l, &r);
			w[i][k] = l;
			w[i][k + 1] = r;
		}
	}
}

static void key_into_p(ns_blf *c, const uint8_t *key, size_t keylen)
{
	size_t pos = 0;
	int i;

	for (i = 0; i < NS_BLF_P_WORDS; i++) {
		c->p[i] ^= stream_word(key, keylen, &pos);
	}
}

void ns_blf_expand(ns_blf *c, const uint8_t *salt, size_t saltlen, const uint8_t *key,
                   size_t keylen)
{
	key_into_p(c, key, keylen);
	rekey(c, salt, saltlen);
}

void ns_blf_expand0(ns_blf *c, const uint8_t *key, size_t keylen)
{
	key_into_p(c, key, keylen);
	rekey(c, NULL, 0);
}
