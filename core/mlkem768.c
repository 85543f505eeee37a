/* ML-KEM-768 (FIPS 203): K-PKE key generation, encryption and decryption
 * (Algorithms 13-15) and the KEM over them (Algorithms 16-18 with the
 * encapsulation key's modulus check and implicit rejection). */
#include "mlkem768.h"

#include <sodium.h>
#include <string.h>

#include "keccak.h"
#include "mlkem768_int.h"
#include "nullspace/error.h"

#define K MLKEM_K
#define POLY_BYTES 384
#define PKE_SK_BYTES (K * POLY_BYTES) /* 1152 */
#define DU 10
#define DV 4
#define C1_BYTES (K * 32 * DU) /* 960 */

typedef struct pke {
	ns_mlkem_poly a[K][K]; /* A_hat[i][j] */
	ns_mlkem_poly t[K];    /* t_hat */
} pke;

static void expand_a(pke *p, const uint8_t rho[32])
{
	int i, j;

	for (i = 0; i < K; i++) {
		for (j = 0; j < K; j++) {
			ns_mlkem_sample_ntt(&p->a[i][j], rho, (uint8_t)j, (uint8_t)i);
		}
	}
}

/* K-PKE.KeyGen(d): ek = ByteEncode12(t_hat) || rho, dk = ByteEncode12(s_hat). */
static void pke_keygen(uint8_t ek[NS_MLKEM768_PK_LEN], uint8_t dk[PKE_SK_BYTES],
                       const uint8_t d[32])
{
	pke p; /* 6 KiB on the stack: no shared state, engines may run in threads */
	ns_mlkem_poly s[K], e[K];
	uint8_t in[33], g[64];
	int i, j;

	memcpy(in, d, 32);
	in[32] = K;
	ns_sha3_512(g, in, sizeof(in)); /* (rho, sigma) = G(d || k) */
	expand_a(&p, g);
	for (i = 0; i < K; i++) {
		ns_mlkem_sample_cbd2(&s[i], g + 32, (uint8_t)i);
		ns_mlkem_sample_cbd2(&e[i], g + 32, (uint8_t)(K + i));
		ns_mlkem_ntt(&s[i]);
		ns_mlkem_ntt(&e[i]);
	}
	for (i = 0; i < K; i++) {
		memset(&p.t[i], 0, sizeof(p.t[i]));
		for (j = 0; j < K; j++) {
			ns_mlkem_basemul_acc(&p.t[i], &p.a[i][j], &s[j]);
		}
		ns_mlkem_add(&p.t[i], &e[i]);
		ns_mlkem_encode(ek + i * POLY_BYTES, &p.t[i], 12);
		ns_mlkem_encode(dk + i * POLY_BYTES, &s[i], 12);
	}
	memcpy(ek + PKE_SK_BYTES, g, 32);
	sodium_memzero(s, sizeof(s));
	sodium_memzero(e, sizeof(e));
	sodium_memzero(in, sizeof(in));
	sodium_memzero(g, sizeof(g));
}

/* K-PKE.Encrypt(ek, m, r). */
static void pke_encrypt(uint8_t ct[NS_MLKEM768_CT_LEN], const uint8_t ek[NS_MLKEM768_PK_LEN],
                        const uint8_t m[32], const uint8_t r[32])
{
	pke p;
	ns_mlkem_poly y[K], u, v, e, mu;
	int i, j;

	for (i = 0; i < K; i++) {
		ns_mlkem_decode(&p.t[i], ek + i * POLY_BYTES, 12);
	}
	expand_a(&p, ek + PKE_SK_BYTES);
	for (i = 0; i < K; i++) {
		ns_mlkem_sample_cbd2(&y[i], r, (uint8_t)i);
		ns_mlkem_ntt(&y[i]);
	}
	for (i = 0; i < K; i++) { /* u = NTT^-1(A_hat^T y_hat) + e1 */
		memset(&u, 0, sizeof(u));
		for (j = 0; j < K; j++) {
			ns_mlkem_basemul_acc(&u, &p.a[j][i], &y[j]);
		}
		ns_mlkem_invntt(&u);
		ns_mlkem_sample_cbd2(&e, r, (uint8_t)(K + i));
		ns_mlkem_add(&u, &e);
		ns_mlkem_encode(ct + i * 32 * DU, &u, DU);
	}
	memset(&v, 0, sizeof(v)); /* v = NTT^-1(t_hat^T y_hat) + e2 + mu */
	for (j = 0; j < K; j++) {
		ns_mlkem_basemul_acc(&v, &p.t[j], &y[j]);
	}
	ns_mlkem_invntt(&v);
	ns_mlkem_sample_cbd2(&e, r, 2 * K);
	ns_mlkem_add(&v, &e);
	ns_mlkem_decode(&mu, m, 1);
	ns_mlkem_add(&v, &mu);
	ns_mlkem_encode(ct + C1_BYTES, &v, DV);
	sodium_memzero(y, sizeof(y));
	sodium_memzero(&u, sizeof(u));
	sodium_memzero(&v, sizeof(v));
	sodium_memzero(&e, sizeof(e));
	sodium_memzero(&mu, sizeof(mu));
}

/* K-PKE.Decrypt(dk, c): m = ByteEncode1(Compress1(v' - NTT^-1(s_hat^T NTT(u')))). */
static void pke_decrypt(uint8_t m[32], const uint8_t dk[PKE_SK_BYTES],
                        const uint8_t ct[NS_MLKEM768_CT_LEN])
{
	ns_mlkem_poly u, s, w, v;
	int i;

	memset(&w, 0, sizeof(w));
	for (i = 0; i < K; i++) {
		ns_mlkem_decode(&u, ct + i * 32 * DU, DU);
		ns_mlkem_ntt(&u);
		ns_mlkem_decode(&s, dk + i * POLY_BYTES, 12);
		ns_mlkem_basemul_acc(&w, &s, &u);
	}
	ns_mlkem_invntt(&w);
	ns_mlkem_decode(&v, ct + C1_BYTES, DV);
	ns_mlkem_sub(&v, &w);
	ns_mlkem_encode(m, &v, 1);
	sodium_memzero(&s, sizeof(s));
	sodium_memzero(&w, sizeof(w));
	sodium_memzero(&v, sizeof(v));
}

void ns_mlkem768_keypair(ns_random_fn rnd, void *ctx, uint8_t pk[NS_MLKEM768_PK_LEN],
                         uint8_t sk[NS_MLKEM768_SK_LEN])
{
	uint8_t dz[64];

	if (rnd == NULL) {
		rnd = ns_random_default;
	}
	rnd(ctx, dz, sizeof(dz));
	pke_keygen(pk, sk, dz);
	memcpy(sk + PKE_SK_BYTES, pk, NS_MLKEM768_PK_LEN);
	ns_sha3_256(sk + PKE_SK_BYTES + NS_MLKEM768_PK_LEN, pk, NS_MLKEM768_PK_LEN); /* H(ek) */
	memcpy(sk + PKE_SK_BYTES + NS_MLKEM768_PK_LEN + 32, dz + 32, 32);            /* z */
	sodium_memzero(dz, sizeof(dz));
}

/* FIPS 203 7.2: ByteEncode12(ByteDecode12(ek)) == ek, i.e. every
 * coefficient < q (ek is public: plain comparisons). */
static int ek_ok(const uint8_t pk[NS_MLKEM768_PK_LEN])
{
	int i;

	for (i = 0; i < PKE_SK_BYTES; i += 3) {
		unsigned a = pk[i] | (pk[i + 1] & 0x0f) << 8, b = pk[i + 1] >> 4 | pk[i + 2] << 4;

		if (a >= MLKEM_Q || b >= MLKEM_Q) {
			return 0;
		}
	}
	return 1;
}

int ns_mlkem768_enc(ns_random_fn rnd, void *ctx, uint8_t ct[NS_MLKEM768_CT_LEN],
                    uint8_t ss[NS_MLKEM768_SS_LEN], const uint8_t pk[NS_MLKEM768_PK_LEN])
{
	uint8_t in[64], kr[64];

	if (!ek_ok(pk)) {
		return NS_ERR_CRYPTO;
	}
	if (rnd == NULL) {
		rnd = ns_random_default;
	}
	rnd(ctx, in, 32);                             /* m */
	ns_sha3_256(in + 32, pk, NS_MLKEM768_PK_LEN); /* H(ek) */
	ns_sha3_512(kr, in, sizeof(in));              /* (K, r) = G(m || H(ek)) */
	pke_encrypt(ct, pk, in, kr + 32);
	memcpy(ss, kr, 32);
	sodium_memzero(in, sizeof(in));
	sodium_memzero(kr, sizeof(kr));
	return 0;
}

void ns_mlkem768_dec(uint8_t ss[NS_MLKEM768_SS_LEN], const uint8_t ct[NS_MLKEM768_CT_LEN],
                     const uint8_t sk[NS_MLKEM768_SK_LEN])
{
	const uint8_t *ek = sk + PKE_SK_BYTES, *h = ek + NS_MLKEM768_PK_LEN, *z = h + 32;
	uint8_t in[64], kr[64], kbar[32], cnew[NS_MLKEM768_CT_LEN];
	ns_keccak j;
	unsigned diff = 0, i;
	uint8_t mask;

	pke_decrypt(in, sk, ct); /* m' */
	memcpy(in + 32, h, 32);
	ns_sha3_512(kr, in, sizeof(in)); /* (K', r') = G(m' || h) */
	ns_shake256_init(&j);            /* K_bar = J(z || c) */
	ns_keccak_absorb(&j, z, 32);
	ns_keccak_absorb(&j, ct, NS_MLKEM768_CT_LEN);
	ns_keccak_squeeze(&j, kbar, sizeof(kbar));
	pke_encrypt(cnew, ek, in, kr + 32);
	for (i = 0; i < NS_MLKEM768_CT_LEN; i++) {
		diff |= (unsigned)(ct[i] ^ cnew[i]);
	}
	mask = (uint8_t)(0 - ((0 - (uint64_t)diff) >> 63)); /* 0xff: not ours */
	for (i = 0; i < 32; i++) {
		ss[i] = (uint8_t)(kr[i] ^ (mask & (kr[i] ^ kbar[i])));
	}
	sodium_memzero(in, sizeof(in));
	sodium_memzero(kr, sizeof(kr));
	sodium_memzero(kbar, sizeof(kbar));
	sodium_memzero(cnew, sizeof(cnew));
	sodium_memzero(&j, sizeof(j));
}
