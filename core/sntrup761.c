/* sntrup761 key generation, encapsulation and decapsulation (NTRU Prime
 * round 3, Streamlined, as in SUPERCOP's crypto_kem/sntrup761 and OpenSSH):
 * the hash domains, the confirmation hash, implicit rejection. */
#include "sntrup761.h"

#include <sodium.h>
#include <string.h>

#include "sntrup761_code.h"
#include "sntrup761_int.h"

#define P SNTRUP_P
#define Q SNTRUP_Q
#define W SNTRUP_W
#define Q12 SNTRUP_Q12
#define SMALL_BYTES ((P + 3) / 4) /* 191 */
#define HASH_BYTES 32
#define ROUNDED_BYTES 1007
#define RQ_BYTES NS_SNTRUP761_PK_LEN
#define SK_SECRET (2 * SMALL_BYTES) /* f, 1/g */
#define CT_BYTES NS_SNTRUP761_CT_LEN
#define ROUNDED_M ((Q + 2) / 3) /* 1531 */

/* First 32 bytes of SHA-512(b || in). */
static void hash_prefix(uint8_t out[HASH_BYTES], uint8_t b, const uint8_t *in, size_t len)
{
	crypto_hash_sha512_state st;
	uint8_t h[64];

	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, &b, 1);
	crypto_hash_sha512_update(&st, in, len);
	crypto_hash_sha512_final(&st, h);
	memcpy(out, h, HASH_BYTES);
	sodium_memzero(h, sizeof(h));
	sodium_memzero(&st, sizeof(st));
}

static void small_encode(uint8_t *s, const int8_t *f)
{
	int i;

	for (i = 0; i < P / 4; i++, f += 4) {
		*s++ = (uint8_t)((f[0] + 1) + ((f[1] + 1) << 2) + ((f[2] + 1) << 4) +
		                 ((f[3] + 1) << 6));
	}
	*s = (uint8_t)(f[0] + 1);
}

static void small_decode(int8_t *f, const uint8_t *s)
{
	int i, j;

	for (i = 0; i < P / 4; i++) {
		uint8_t x = *s++;

		for (j = 0; j < 4; j++, x >>= 2) {
			*f++ = (int8_t)((x & 3) - 1);
		}
	}
	*f = (int8_t)((*s & 3) - 1);
}

static void rq_encode(uint8_t *s, const int16_t *r)
{
	uint16_t R[P], M[P];
	int i;

	for (i = 0; i < P; i++) {
		R[i] = (uint16_t)(r[i] + Q12);
		M[i] = Q;
	}
	ns_sntrup_encode(s, R, M, P);
}

static void rq_decode(int16_t *r, const uint8_t *s)
{
	uint16_t R[P], M[P];
	int i;

	for (i = 0; i < P; i++) {
		M[i] = Q;
	}
	ns_sntrup_decode(R, s, M, P);
	for (i = 0; i < P; i++) {
		r[i] = (int16_t)(R[i] - Q12);
	}
}

static void rounded_encode(uint8_t *s, const int16_t *r)
{
	uint16_t R[P], M[P];
	int i;

	for (i = 0; i < P; i++) {
		R[i] = (uint16_t)(((r[i] + Q12) * 10923) >> 15);
		M[i] = ROUNDED_M;
	}
	ns_sntrup_encode(s, R, M, P);
	sodium_memzero(R, sizeof(R));
}

static void rounded_decode(int16_t *r, const uint8_t *s)
{
	uint16_t R[P], M[P];
	int i;

	for (i = 0; i < P; i++) {
		M[i] = ROUNDED_M;
	}
	ns_sntrup_decode(R, s, M, P);
	for (i = 0; i < P; i++) {
		r[i] = (int16_t)(R[i] * 3 - Q12);
	}
}

/* p little-endian 32-bit words in one draw (as PQClean's sntrup761, so
 * the NIST-DRBG known answers of liboqs apply). */
static void random_words(ns_random_fn rnd, void *ctx, uint32_t L[P])
{
	uint8_t c[4 * P];
	int i;

	rnd(ctx, c, sizeof(c));
	for (i = 0; i < P; i++) {
		L[i] = c[4 * i] | (uint32_t)c[4 * i + 1] << 8 | (uint32_t)c[4 * i + 2] << 16 |
		       (uint32_t)c[4 * i + 3] << 24;
	}
	sodium_memzero(c, sizeof(c));
}

/* Weight w: w entries of +-1 in random places, by sorting tagged words. */
static void short_random(ns_random_fn rnd, void *ctx, int8_t *out)
{
	uint32_t L[P];
	int i;

	random_words(rnd, ctx, L);
	for (i = 0; i < P; i++) {
		L[i] = i < W ? L[i] & ~(uint32_t)1 : (L[i] & ~(uint32_t)3) | 1;
	}
	ns_sntrup761_sort(L, P);
	for (i = 0; i < P; i++) {
		out[i] = (int8_t)((L[i] & 3) - 1);
	}
	sodium_memzero(L, sizeof(L));
}

static void small_random(ns_random_fn rnd, void *ctx, int8_t *out)
{
	uint32_t L[P];
	int i;

	random_words(rnd, ctx, L);
	for (i = 0; i < P; i++) {
		out[i] = (int8_t)((((L[i] & 0x3fffffff) * 3) >> 30) - 1);
	}
	sodium_memzero(L, sizeof(L));
}

void ns_sntrup761_keypair(ns_random_fn rnd, void *ctx, uint8_t pk[NS_SNTRUP761_PK_LEN],
                          uint8_t sk[NS_SNTRUP761_SK_LEN])
{
	int8_t g[P], ginv[P], f[P];
	int16_t finv[P], h[P];

	if (rnd == NULL) {
		rnd = ns_random_default;
	}
	do { /* leaks only how many discarded g were not invertible */
		small_random(rnd, ctx, g);
	} while (ns_sntrup_r3_recip(ginv, g) != 0);
	short_random(rnd, ctx, f);
	ns_sntrup_rq_recip3(finv, f); /* f is invertible mod q: q is prime, f small */
	ns_sntrup_rq_mult_small(h, finv, g);
	rq_encode(pk, h);
	small_encode(sk, f);
	small_encode(sk + SMALL_BYTES, ginv);
	memcpy(sk + SK_SECRET, pk, RQ_BYTES);
	rnd(ctx, sk + SK_SECRET + RQ_BYTES, SMALL_BYTES); /* rho */
	hash_prefix(sk + SK_SECRET + RQ_BYTES + SMALL_BYTES, 4, pk, RQ_BYTES);
	sodium_memzero(g, sizeof(g));
	sodium_memzero(ginv, sizeof(ginv));
	sodium_memzero(f, sizeof(f));
	sodium_memzero(finv, sizeof(finv));
}

/* c = Round(h r) encoded, then the confirmation Hash(2, Hash(3, r) ||
 * Hash(4, pk)); r_enc gets r's encoding. */
static void hide(uint8_t ct[CT_BYTES], uint8_t r_enc[SMALL_BYTES], const int8_t *r,
                 const uint8_t *pk, const uint8_t cache[HASH_BYTES])
{
	int16_t h[P], hr[P];
	uint8_t x[2 * HASH_BYTES];
	int i;

	small_encode(r_enc, r);
	rq_decode(h, pk);
	ns_sntrup_rq_mult_small(hr, h, r);
	for (i = 0; i < P; i++) {
		hr[i] = (int16_t)(hr[i] - ns_sntrup_f3(hr[i]));
	}
	rounded_encode(ct, hr);
	hash_prefix(x, 3, r_enc, SMALL_BYTES);
	memcpy(x + HASH_BYTES, cache, HASH_BYTES);
	hash_prefix(ct + ROUNDED_BYTES, 2, x, sizeof(x));
	sodium_memzero(hr, sizeof(hr));
	sodium_memzero(x, sizeof(x));
}

/* Hash(b, Hash(3, y) || ct). */
static void hash_session(uint8_t ss[HASH_BYTES], int b, const uint8_t y[SMALL_BYTES],
                         const uint8_t ct[CT_BYTES])
{
	uint8_t x[HASH_BYTES + CT_BYTES];

	hash_prefix(x, 3, y, SMALL_BYTES);
	memcpy(x + HASH_BYTES, ct, CT_BYTES);
	hash_prefix(ss, (uint8_t)b, x, sizeof(x));
	sodium_memzero(x, sizeof(x));
}

void ns_sntrup761_enc(ns_random_fn rnd, void *ctx, uint8_t ct[NS_SNTRUP761_CT_LEN],
                      uint8_t ss[NS_SNTRUP761_SS_LEN], const uint8_t pk[NS_SNTRUP761_PK_LEN])
{
	uint8_t cache[HASH_BYTES], r_enc[SMALL_BYTES];
	int8_t r[P];

	if (rnd == NULL) {
		rnd = ns_random_default;
	}
	hash_prefix(cache, 4, pk, RQ_BYTES);
	short_random(rnd, ctx, r);
	hide(ct, r_enc, r, pk, cache);
	hash_session(ss, 1, r_enc, ct);
	sodium_memzero(r, sizeof(r));
	sodium_memzero(r_enc, sizeof(r_enc));
}

/* r from ct: e = 3 f c in R/3, then e / g; weight w or the fixed vector
 * (1..1, 0..0) when not, chosen by mask. */
static void decrypt(int8_t *r, const uint8_t *ct, const uint8_t *sk)
{
	int8_t f[P], ginv[P], e[P], ev[P];
	int16_t c[P], cf[P];
	int i, weight = 0, mask;

	small_decode(f, sk);
	small_decode(ginv, sk + SMALL_BYTES);
	rounded_decode(c, ct);
	ns_sntrup_rq_mult_small(cf, c, f);
	for (i = 0; i < P; i++) {
		e[i] = ns_sntrup_f3(ns_sntrup_fq(3 * cf[i]));
	}
	ns_sntrup_r3_mult(ev, e, ginv);
	for (i = 0; i < P; i++) {
		weight += ev[i] & 1;
	}
	mask = ns_sntrup_nonzero_mask(weight - W); /* 0 if weight w, else -1 */
	for (i = 0; i < W; i++) {
		r[i] = (int8_t)(((ev[i] ^ 1) & ~mask) ^ 1);
	}
	for (i = W; i < P; i++) {
		r[i] = (int8_t)(ev[i] & ~mask);
	}
	sodium_memzero(f, sizeof(f));
	sodium_memzero(ginv, sizeof(ginv));
	sodium_memzero(e, sizeof(e));
	sodium_memzero(ev, sizeof(ev));
	sodium_memzero(cf, sizeof(cf));
}

void ns_sntrup761_dec(uint8_t ss[NS_SNTRUP761_SS_LEN], const uint8_t ct[NS_SNTRUP761_CT_LEN],
                      const uint8_t sk[NS_SNTRUP761_SK_LEN])
{
	const uint8_t *pk = sk + SK_SECRET, *rho = pk + RQ_BYTES, *cache = rho + SMALL_BYTES;
	uint8_t r_enc[SMALL_BYTES], cnew[CT_BYTES];
	int8_t r[P];
	unsigned diff = 0;
	int i, mask;

	decrypt(r, ct, sk);
	hide(cnew, r_enc, r, pk, cache);
	for (i = 0; i < CT_BYTES; i++) {
		diff |= (unsigned)(ct[i] ^ cnew[i]);
	}
	mask = ns_sntrup_nonzero_mask((int32_t)diff); /* -1: ct was not ours */
	for (i = 0; i < SMALL_BYTES; i++) {
		r_enc[i] = (uint8_t)(r_enc[i] ^ (mask & (r_enc[i] ^ rho[i])));
	}
	hash_session(ss, 1 + mask, r_enc, ct);
	sodium_memzero(r, sizeof(r));
	sodium_memzero(r_enc, sizeof(r_enc));
	sodium_memzero(cnew, sizeof(cnew));
}
