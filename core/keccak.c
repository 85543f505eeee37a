/* Keccak-f[1600] and the FIPS 202 sponge over it: byte-wise absorb and
 * squeeze on little-endian lanes, SHA-3 (pad 0x06) and SHAKE (pad 0x1f).
 * No branch or index depends on the data; callers wipe the state. */
#include "keccak.h"

#include <sodium.h>
#include <string.h>

static const uint64_t round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};
/* rho offsets and the pi lane order, walked as one cycle from lane 1 */
static const unsigned rotc[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                  27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
static const unsigned piln[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                  15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

static uint64_t rotl(uint64_t x, unsigned n)
{
	return (x << n) | (x >> (64 - n));
}

static void keccakf(uint64_t st[25])
{
	uint64_t bc[5], t;
	int r, i, j;

	for (r = 0; r < 24; r++) {
		for (i = 0; i < 5; i++) { /* theta */
			bc[i] = st[i] ^ st[i + 5] ^ st[i + 10] ^ st[i + 15] ^ st[i + 20];
		}
		for (i = 0; i < 5; i++) {
			t = bc[(i + 4) % 5] ^ rotl(bc[(i + 1) % 5], 1);
			for (j = 0; j < 25; j += 5) {
				st[j + i] ^= t;
			}
		}
		t = st[1]; /* rho and pi */
		for (i = 0; i < 24; i++) {
			j = (int)piln[i];
			bc[0] = st[j];
			st[j] = rotl(t, rotc[i]);
			t = bc[0];
		}
		for (j = 0; j < 25; j += 5) { /* chi */
			for (i = 0; i < 5; i++) {
				bc[i] = st[j + i];
			}
			for (i = 0; i < 5; i++) {
				st[j + i] ^= (~bc[(i + 1) % 5]) & bc[(i + 2) % 5];
			}
		}
		st[0] ^= round_constants[r]; /* iota */
	}
}

void ns_keccak_init(ns_keccak *k, size_t rate, uint8_t pad)
{
	memset(k, 0, sizeof(*k));
	k->rate = rate;
	k->pad = pad;
}

static void xor_byte(ns_keccak *k, size_t pos, uint8_t b)
{
	k->s[pos / 8] ^= (uint64_t)b << (8 * (pos % 8));
}

void ns_keccak_absorb(ns_keccak *k, const uint8_t *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		xor_byte(k, k->pos++, in[i]);
		if (k->pos == k->rate) {
			keccakf(k->s);
			k->pos = 0;
		}
	}
}

void ns_keccak_squeeze(ns_keccak *k, uint8_t *out, size_t n)
{
	size_t i;

	if (!k->squeezing) {
		xor_byte(k, k->pos, k->pad);
		xor_byte(k, k->rate - 1, 0x80);
		keccakf(k->s);
		k->pos = 0;
		k->squeezing = 1;
	}
	for (i = 0; i < n; i++) {
		if (k->pos == k->rate) {
			keccakf(k->s);
			k->pos = 0;
		}
		out[i] = (uint8_t)(k->s[k->pos / 8] >> (8 * (k->pos % 8)));
		k->pos++;
	}
}

void ns_shake128_init(ns_keccak *k)
{
	ns_keccak_init(k, NS_SHAKE128_RATE, 0x1f);
}

void ns_shake256_init(ns_keccak *k)
{
	ns_keccak_init(k, NS_SHAKE256_RATE, 0x1f);
}

static void oneshot(size_t rate, uint8_t pad, uint8_t *out, size_t outlen, const uint8_t *in,
                    size_t n)
{
	ns_keccak k;

	ns_keccak_init(&k, rate, pad);
	ns_keccak_absorb(&k, in, n);
	ns_keccak_squeeze(&k, out, outlen);
	sodium_memzero(&k, sizeof(k));
}

void ns_sha3_256(uint8_t out[32], const uint8_t *in, size_t n)
{
	oneshot(NS_SHA3_256_RATE, 0x06, out, 32, in, n);
}

void ns_sha3_512(uint8_t out[64], const uint8_t *in, size_t n)
{
	oneshot(NS_SHA3_512_RATE, 0x06, out, 64, in, n);
}

void ns_shake256(uint8_t *out, size_t outlen, const uint8_t *in, size_t n)
{
	oneshot(NS_SHAKE256_RATE, 0x1f, out, outlen, in, n);
}
