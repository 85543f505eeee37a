/* ML-KEM polynomial arithmetic (FIPS 203 4.3, 4.2.2): NTT and its inverse
 * with the 17^BitRev7(i) table, MultiplyNTTs, sampling (SampleNTT from
 * SHAKE128, SamplePolyCBD_2 from SHAKE256), compression and byte coding.
 * Reduction by multiplication: no division, no branch on coefficients. */
#include <sodium.h>
#include <string.h>

#include "keccak.h"
#include "mlkem768_int.h"

#define Q MLKEM_Q
#define N MLKEM_N
#define RED_SHIFT 48
#define RED_MUL ((((uint64_t)1 << RED_SHIFT) + Q - 1) / Q)

/* zetas[i] = 17^BitRev7(i) mod q */
static const uint16_t zetas[128] = {
    1,    1729, 2580, 3289, 2642, 630,  1897, 848,  1062, 1919, 193,  797,  2786, 3260, 569,  1746,
    296,  2447, 1339, 1476, 3046, 56,   2240, 1333, 1426, 2094, 535,  2882, 2393, 2879, 1974, 821,
    289,  331,  3253, 1756, 1197, 2304, 2277, 2055, 650,  1977, 2513, 632,  2865, 33,   1320, 1915,
    2319, 1435, 807,  452,  1438, 2868, 1534, 2402, 2647, 2617, 1481, 648,  2474, 3110, 1227, 910,
    17,   2761, 583,  2649, 1637, 723,  2288, 1100, 1409, 2662, 3281, 233,  756,  2156, 3015, 3050,
    1703, 1651, 2789, 1789, 1847, 952,  1461, 2687, 939,  2308, 2437, 2388, 733,  2337, 268,  641,
    1584, 2298, 2037, 3220, 375,  2549, 2090, 1645, 1063, 319,  2773, 757,  2099, 561,  2466, 2594,
    2804, 1092, 403,  1026, 1143, 2150, 2775, 886,  1722, 1212, 1874, 1029, 2110, 2935, 885,  2154};
/* gammas[i] = 17^(2 BitRev7(i) + 1) mod q */
static const uint16_t gammas[128] = {
    17,   3312, 2761, 568,  583,  2746, 2649, 680,  1637, 1692, 723,  2606, 2288, 1041, 1100, 2229,
    1409, 1920, 2662, 667,  3281, 48,   233,  3096, 756,  2573, 2156, 1173, 3015, 314,  3050, 279,
    1703, 1626, 1651, 1678, 2789, 540,  1789, 1540, 1847, 1482, 952,  2377, 1461, 1868, 2687, 642,
    939,  2390, 2308, 1021, 2437, 892,  2388, 941,  733,  2596, 2337, 992,  268,  3061, 641,  2688,
    1584, 1745, 2298, 1031, 2037, 1292, 3220, 109,  375,  2954, 2549, 780,  2090, 1239, 1645, 1684,
    1063, 2266, 319,  3010, 2773, 556,  757,  2572, 2099, 1230, 561,  2768, 2466, 863,  2594, 735,
    2804, 525,  1092, 2237, 403,  2926, 1026, 2303, 1143, 2186, 2150, 1179, 2775, 554,  886,  2443,
    1722, 1607, 1212, 2117, 1874, 1455, 1029, 2300, 2110, 1219, 2935, 394,  885,  2444, 2154, 1175};

/* x mod q for 0 <= x < 2^26: (x * ceil(2^48/q)) >> 48 is floor(x/q) exactly
 * (the error x/2^48 stays below 1/q). */
static uint16_t red(uint32_t x)
{
	uint32_t quot = (uint32_t)(((uint64_t)x * RED_MUL) >> RED_SHIFT);

	return (uint16_t)(x - quot * Q);
}

void ns_mlkem_ntt(ns_mlkem_poly *f)
{
	unsigned len, start, j, i = 1;

	for (len = 128; len >= 2; len /= 2) {
		for (start = 0; start < N; start += 2 * len) {
			uint32_t zeta = zetas[i++];

			for (j = start; j < start + len; j++) {
				uint16_t t = red(zeta * f->c[j + len]);

				f->c[j + len] = red((uint32_t)f->c[j] + Q - t);
				f->c[j] = red((uint32_t)f->c[j] + t);
			}
		}
	}
}

void ns_mlkem_invntt(ns_mlkem_poly *f)
{
	unsigned len, start, j, i = 127;

	for (len = 2; len <= 128; len *= 2) {
		for (start = 0; start < N; start += 2 * len) {
			uint32_t zeta = zetas[i--];

			for (j = start; j < start + len; j++) {
				uint16_t t = f->c[j];

				f->c[j] = red((uint32_t)t + f->c[j + len]);
				f->c[j + len] = red(zeta * red((uint32_t)f->c[j + len] + Q - t));
			}
		}
	}
	for (j = 0; j < N; j++) {
		f->c[j] = red((uint32_t)f->c[j] * 3303); /* 128^-1 mod q */
	}
}

void ns_mlkem_basemul_acc(ns_mlkem_poly *h, const ns_mlkem_poly *f, const ns_mlkem_poly *g)
{
	unsigned i;

	for (i = 0; i < 128; i++) {
		uint32_t a0 = f->c[2 * i], a1 = f->c[2 * i + 1], b0 = g->c[2 * i],
		         b1 = g->c[2 * i + 1];
		uint32_t c0 = a0 * b0 + red(a1 * b1) * (uint32_t)gammas[i];
		uint32_t c1 = a0 * b1 + a1 * b0;

		h->c[2 * i] = red(h->c[2 * i] + red(c0));
		h->c[2 * i + 1] = red(h->c[2 * i + 1] + red(c1));
	}
}

void ns_mlkem_add(ns_mlkem_poly *h, const ns_mlkem_poly *f)
{
	unsigned i;

	for (i = 0; i < N; i++) {
		h->c[i] = red((uint32_t)h->c[i] + f->c[i]);
	}
}

void ns_mlkem_sub(ns_mlkem_poly *h, const ns_mlkem_poly *f)
{
	unsigned i;

	for (i = 0; i < N; i++) {
		h->c[i] = red((uint32_t)h->c[i] + Q - f->c[i]);
	}
}

/* Rejection sampling of public values: branches on rho's stream are fine. */
void ns_mlkem_sample_ntt(ns_mlkem_poly *f, const uint8_t rho[32], uint8_t j, uint8_t i)
{
	uint8_t seed[34], b[3 * 56];
	ns_keccak k;
	unsigned n = 0, off;

	memcpy(seed, rho, 32);
	seed[32] = j;
	seed[33] = i;
	ns_shake128_init(&k);
	ns_keccak_absorb(&k, seed, sizeof(seed));
	while (n < N) {
		ns_keccak_squeeze(&k, b, sizeof(b));
		for (off = 0; off < sizeof(b) && n < N; off += 3) {
			uint16_t d1 = (uint16_t)(b[off] | (b[off + 1] & 0x0f) << 8);
			uint16_t d2 = (uint16_t)(b[off + 1] >> 4 | b[off + 2] << 4);

			if (d1 < Q) {
				f->c[n++] = d1;
			}
			if (d2 < Q && n < N) {
				f->c[n++] = d2;
			}
		}
	}
}

void ns_mlkem_sample_cbd2(ns_mlkem_poly *f, const uint8_t sigma[32], uint8_t n)
{
	uint8_t seed[33], b[128];
	unsigned i;

	memcpy(seed, sigma, 32);
	seed[32] = n;
	ns_shake256(b, sizeof(b), seed, sizeof(seed));
	for (i = 0; i < N; i++) {
		unsigned v = b[i / 2] >> (4 * (i % 2));
		unsigned x = (v & 1) + (v >> 1 & 1), y = (v >> 2 & 1) + (v >> 3 & 1);

		f->c[i] = red(x + Q - y);
	}
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(b, sizeof(b));
}

/* round(2^d x / q) mod 2^d, by multiplication. */
static uint32_t compress(uint16_t x, int d)
{
	uint32_t y = ((uint32_t)x << d) + Q / 2;
	uint32_t quot = (uint32_t)(((uint64_t)y * RED_MUL) >> RED_SHIFT);

	return quot & ((1u << d) - 1);
}

void ns_mlkem_encode(uint8_t *out, const ns_mlkem_poly *f, int d)
{
	uint32_t acc = 0;
	int bits = 0;
	unsigned i;

	for (i = 0; i < N; i++) {
		acc |= (d == 12 ? f->c[i] : compress(f->c[i], d)) << bits;
		bits += d;
		while (bits >= 8) {
			*out++ = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
}

void ns_mlkem_decode(ns_mlkem_poly *f, const uint8_t *in, int d)
{
	uint32_t acc = 0, mask = (1u << d) - 1;
	int bits = 0;
	unsigned i;

	for (i = 0; i < N; i++) {
		while (bits < d) {
			acc |= (uint32_t)*in++ << bits;
			bits += 8;
		}
		if (d == 12) {
			f->c[i] = red(acc & mask);
		} else { /* round(q y / 2^d) */
			f->c[i] = (uint16_t)(((acc & mask) * Q + (1u << (d - 1))) >> d);
		}
		acc >>= d;
		bits -= d;
	}
}
