/* sntrup761 ring arithmetic in Z[x]/(x^761 - x - 1) modulo q and modulo 3:
 * reduction by multiplication (no division), schoolbook products, and the
 * constant-time reciprocals (a fixed 2p-1 divsteps, swaps by masks) of the
 * NTRU Prime specification; and a Batcher sorting network for uint32. */
#include <sodium.h>
#include <string.h>

#include "sntrup761_int.h"

#define P SNTRUP_P
#define Q SNTRUP_Q
#define Q12 SNTRUP_Q12

/* floor(n / m) for 0 <= n < 2^28 as (n * ceil(2^s / m)) >> s: the error
 * n / 2^s stays below 1/m, so the quotient is exact (tested against %). */
#define FQ_SHIFT 44
#define FQ_MUL ((((uint64_t)1 << FQ_SHIFT) + Q - 1) / Q)
#define F3_SHIFT 32
#define F3_MUL ((((uint64_t)1 << F3_SHIFT) + 2) / 3)

int16_t ns_sntrup_fq(int32_t x)
{
	uint32_t n = (uint32_t)(x + Q12 + Q * 16384); /* >= 0 for |x| < 2^26 */
	uint32_t quot = (uint32_t)(((uint64_t)n * FQ_MUL) >> FQ_SHIFT);

	return (int16_t)((int32_t)(n - quot * Q) - Q12);
}

int8_t ns_sntrup_f3(int32_t x)
{
	uint32_t n = (uint32_t)(x + 1 + 3 * 33554432); /* >= 0 for |x| < 2^26 */
	uint32_t quot = (uint32_t)(((uint64_t)n * F3_MUL) >> F3_SHIFT);

	return (int8_t)((int32_t)(n - quot * 3) - 1);
}

int16_t ns_sntrup761_freeze_q(int32_t x)
{
	return ns_sntrup_fq(x);
}

int8_t ns_sntrup761_freeze_3(int32_t x)
{
	return ns_sntrup_f3(x);
}

int ns_sntrup_nonzero_mask(int32_t x)
{
	uint64_t v = (uint32_t)x;

	return -(int)((0 - v) >> 63); /* 0 - v wraps for v != 0 */
}

static int negative_mask(int32_t x)
{
	return -(int)((uint32_t)x >> 31);
}

/* The full product, then x^i for i >= p folded as x^(i-p) + x^(i-p+1). */
void ns_sntrup_rq_mult_small(int16_t *h, const int16_t *f, const int8_t *g)
{
	int32_t fg[P + P - 1];
	int i, j;

	for (i = 0; i < P + P - 1; i++) {
		int32_t acc = 0;
		int lo = i < P ? 0 : i - P + 1, hi = i < P ? i : P - 1;

		for (j = lo; j <= hi; j++) {
			acc += f[j] * (int32_t)g[i - j]; /* |acc| <= 761 * 2295 */
		}
		fg[i] = ns_sntrup_fq(acc);
	}
	for (i = P + P - 2; i >= P; i--) {
		fg[i - P] = ns_sntrup_fq(fg[i - P] + fg[i]);
		fg[i - P + 1] = ns_sntrup_fq(fg[i - P + 1] + fg[i]);
	}
	for (i = 0; i < P; i++) {
		h[i] = (int16_t)fg[i];
	}
	sodium_memzero(fg, sizeof(fg));
}

void ns_sntrup_r3_mult(int8_t *h, const int8_t *f, const int8_t *g)
{
	int32_t fg[P + P - 1];
	int i, j;

	for (i = 0; i < P + P - 1; i++) {
		int32_t acc = 0;
		int lo = i < P ? 0 : i - P + 1, hi = i < P ? i : P - 1;

		for (j = lo; j <= hi; j++) {
			acc += f[j] * (int32_t)g[i - j];
		}
		fg[i] = ns_sntrup_f3(acc);
	}
	for (i = P + P - 2; i >= P; i--) {
		fg[i - P] = ns_sntrup_f3(fg[i - P] + fg[i]);
		fg[i - P + 1] = ns_sntrup_f3(fg[i - P + 1] + fg[i]);
	}
	for (i = 0; i < P; i++) {
		h[i] = (int8_t)fg[i];
	}
	sodium_memzero(fg, sizeof(fg));
}

/* a^(q-2) = 1/a in Z/q (public exponent: fixed loop). */
static int16_t fq_recip(int16_t a)
{
	int16_t r = a;
	int i;

	for (i = 1; i < Q - 2; i++) {
		r = ns_sntrup_fq(a * (int32_t)r);
	}
	return r;
}

/* One divstep's swap decision: delta > 0 and g0 != 0, as a mask. */
static int divstep_swap(int *delta, int32_t g0)
{
	int swap = negative_mask(-*delta) & ns_sntrup_nonzero_mask(g0);

	*delta ^= swap & (*delta ^ -*delta);
	*delta += 1;
	return swap;
}

int ns_sntrup_r3_recip(int8_t *out, const int8_t *in)
{
	int8_t f[P + 1], g[P + 1], v[P + 1], r[P + 1];
	int i, loop, delta = 1, sign, swap, t;

	memset(v, 0, sizeof(v));
	memset(r, 0, sizeof(r));
	memset(f, 0, sizeof(f));
	r[0] = 1;
	f[0] = 1;
	f[P - 1] = f[P] = -1;
	for (i = 0; i < P; i++) {
		g[P - 1 - i] = in[i];
	}
	g[P] = 0;
	for (loop = 0; loop < 2 * P - 1; loop++) {
		memmove(v + 1, v, P);
		v[0] = 0;
		sign = -g[0] * f[0];
		swap = divstep_swap(&delta, g[0]);
		for (i = 0; i < P + 1; i++) {
			t = swap & (f[i] ^ g[i]);
			f[i] = (int8_t)(f[i] ^ t);
			g[i] = (int8_t)(g[i] ^ t);
			t = swap & (v[i] ^ r[i]);
			v[i] = (int8_t)(v[i] ^ t);
			r[i] = (int8_t)(r[i] ^ t);
		}
		for (i = 0; i < P + 1; i++) {
			g[i] = ns_sntrup_f3(g[i] + sign * f[i]);
			r[i] = ns_sntrup_f3(r[i] + sign * v[i]);
		}
		memmove(g, g + 1, P);
		g[P] = 0;
	}
	sign = f[0];
	for (i = 0; i < P; i++) {
		out[i] = (int8_t)(sign * v[P - 1 - i]);
	}
	sodium_memzero(f, sizeof(f));
	sodium_memzero(g, sizeof(g));
	sodium_memzero(v, sizeof(v));
	sodium_memzero(r, sizeof(r));
	return ns_sntrup_nonzero_mask(delta);
}

int ns_sntrup_rq_recip3(int16_t *out, const int8_t *in)
{
	int16_t f[P + 1], g[P + 1], v[P + 1], r[P + 1], scale;
	int i, loop, delta = 1, swap, t;
	int32_t f0, g0;

	memset(v, 0, sizeof(v));
	memset(r, 0, sizeof(r));
	memset(f, 0, sizeof(f));
	r[0] = fq_recip(3);
	f[0] = 1;
	f[P - 1] = f[P] = -1;
	for (i = 0; i < P; i++) {
		g[P - 1 - i] = in[i];
	}
	g[P] = 0;
	for (loop = 0; loop < 2 * P - 1; loop++) {
		memmove(v + 1, v, P * sizeof(v[0]));
		v[0] = 0;
		swap = divstep_swap(&delta, g[0]);
		for (i = 0; i < P + 1; i++) {
			t = swap & (f[i] ^ g[i]);
			f[i] = (int16_t)(f[i] ^ t);
			g[i] = (int16_t)(g[i] ^ t);
			t = swap & (v[i] ^ r[i]);
			v[i] = (int16_t)(v[i] ^ t);
			r[i] = (int16_t)(r[i] ^ t);
		}
		f0 = f[0];
		g0 = g[0];
		for (i = 0; i < P + 1; i++) {
			g[i] = ns_sntrup_fq(f0 * g[i] - g0 * f[i]);
			r[i] = ns_sntrup_fq(f0 * r[i] - g0 * v[i]);
		}
		memmove(g, g + 1, P * sizeof(g[0]));
		g[P] = 0;
	}
	scale = fq_recip(f[0]);
	for (i = 0; i < P; i++) {
		out[i] = ns_sntrup_fq(scale * (int32_t)v[P - 1 - i]);
	}
	sodium_memzero(f, sizeof(f));
	sodium_memzero(g, sizeof(g));
	sodium_memzero(v, sizeof(v));
	sodium_memzero(r, sizeof(r));
	return ns_sntrup_nonzero_mask(delta);
}

/* a, b = min, max without a branch: the borrow of b - a picks the swap. */
static void minmax(uint32_t *a, uint32_t *b)
{
	uint32_t swap = (uint32_t)0 - (uint32_t)(((uint64_t)*b - *a) >> 63);
	uint32_t t = swap & (*a ^ *b);

	*a ^= t;
	*b ^= t;
}

/* Batcher's merge exchange (Knuth, TAOCP 5.2.2 Algorithm M): the compared
 * pairs depend on n only, never on the values. */
void ns_sntrup761_sort(uint32_t *x, size_t n)
{
	size_t t = 1, p, q, r, d, i;

	if (n < 2) {
		return;
	}
	while (((size_t)1 << t) < n) {
		t++;
	}
	for (p = (size_t)1 << (t - 1); p > 0; p >>= 1) {
		q = (size_t)1 << (t - 1);
		r = 0;
		d = p;
		for (;;) {
			for (i = 0; i + d < n; i++) {
				if ((i & p) == r) {
					minmax(&x[i], &x[i + d]);
				}
			}
			if (q == p) {
				break;
			}
			d = q - p;
			q >>= 1;
			r = p;
		}
	}
}
