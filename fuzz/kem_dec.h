/* The body shared by fuzz_mlkem768_dec and fuzz_sntrup761_dec: a KEM's
 * decapsulation of outside bytes under a fixed key pair, an encapsulation
 * with the input as randomness that must round-trip, and the hybrid's
 * parse of Q_S through ns_kex_shared. Header-only: each target is one
 * binary. */
#ifndef NS_FUZZ_KEM_DEC_H
#define NS_FUZZ_KEM_DEC_H

#include <stdlib.h>
#include <string.h>

#include "kex_ecdh.h"
#include "kexinit.h"

#define FUZZ_KEM_SK_MAX 2400 /* ML-KEM-768 2400, sntrup761 1763 */
#define FUZZ_KEM_PK_MAX 1184 /* 1184, 1158 */
#define FUZZ_KEM_CT_MAX 1088 /* 1088, 1039 */

typedef struct fuzz_kem {
	int method; /* NS_KEX_MLKEM or NS_KEX_SNTRUP */
	size_t pk_len, sk_len, ct_len;
	void (*keypair)(ns_random_fn rnd, void *ctx, uint8_t *pk, uint8_t *sk);
	int (*enc)(ns_random_fn rnd, void *ctx, uint8_t *ct, uint8_t *ss, const uint8_t *pk);
	void (*dec)(uint8_t *ss, const uint8_t *ct, const uint8_t *sk);
	int check_ek; /* try the input as a peer's encapsulation key too */
} fuzz_kem;

typedef struct fuzz_stream {
	const uint8_t *p;
	size_t n, off;
	uint32_t ctr;
} fuzz_stream;

/* The input's bytes, then a counter: deterministic randomness. */
static void fuzz_stream_random(void *ctx, uint8_t *buf, size_t len)
{
	fuzz_stream *s = ctx;
	size_t i;

	for (i = 0; i < len; i++) {
		buf[i] = s->off < s->n ? s->p[s->off++] : (uint8_t)(s->ctr++ * 2654435761u >> 24);
	}
}

/* Bit 0 of the first byte: 0, the rest (zero-padded or cut to the
 * ciphertext's size) is decapsulated and parsed as Q_S; 1, the rest is the
 * randomness of an encapsulation whose key decapsulation must give back
 * (abort otherwise). */
static int fuzz_kem_dec(const fuzz_kem *k, const uint8_t *data, size_t size)
{
	static uint8_t sk[FUZZ_KEM_SK_MAX], pk[FUZZ_KEM_PK_MAX], secret[NS_KEX_SECRET_MAX];
	static int ready;
	uint8_t ct[FUZZ_KEM_CT_MAX], ss[32], ss2[32], kmp[NS_KEX_K_MAX];
	size_t n;

	if (size < 1) {
		return 0;
	}
	if (!ready) {
		fuzz_stream s = {NULL, 0, 0, 1};

		k->keypair(fuzz_stream_random, &s, pk, sk);
		memcpy(secret, sk, k->sk_len);
		memset(secret + k->sk_len, 9, 32); /* the X25519 half */
		ready = 1;
	}
	if (data[0] & 1) {
		fuzz_stream s = {data + 1, size - 1, 0, 0};

		if (k->enc(fuzz_stream_random, &s, ct, ss, pk) != 0) {
			abort(); /* our own key passes the modulus check */
		}
		k->dec(ss2, ct, sk);
		if (memcmp(ss, ss2, sizeof(ss)) != 0) {
			abort();
		}
		return 0;
	}
	memset(ct, 0, sizeof(ct));
	memcpy(ct, data + 1, size - 1 < k->ct_len ? size - 1 : k->ct_len);
	k->dec(ss, ct, sk);
	ns_kex_shared(k->method, secret, data + 1, size - 1, kmp, &n);
	if (k->check_ek && size - 1 >= k->pk_len) {
		fuzz_stream s = {NULL, 0, 0, 3};

		k->enc(fuzz_stream_random, &s, ct, ss, data + 1);
	}
	return 0;
}

#endif
