/* tests/lib_kem.h: the two KEMs behind one table, and the known answer of
 * liboqs' single-vector .kat file (tests/KATs/kem/kats.json "single"),
 * hashed line by line as its fprintBstr writes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib_drbg.h"
#include "lib_kem.h"
#include "mlkem768.h"
#include "sntrup761.h"

static int sntrup761_enc(ns_random_fn rnd, void *ctx, uint8_t *ct, uint8_t *ss, const uint8_t *pk)
{
	ns_sntrup761_enc(rnd, ctx, ct, ss, pk);
	return 0;
}

const ns_test_kem ns_test_mlkem768 = {
    NS_MLKEM768_PK_LEN,  NS_MLKEM768_SK_LEN, NS_MLKEM768_CT_LEN,
    ns_mlkem768_keypair, ns_mlkem768_enc,    ns_mlkem768_dec,
};

const ns_test_kem ns_test_sntrup761 = {
    NS_SNTRUP761_PK_LEN,  NS_SNTRUP761_SK_LEN, NS_SNTRUP761_CT_LEN,
    ns_sntrup761_keypair, sntrup761_enc,       ns_sntrup761_dec,
};

/* Append "label" HEX "\n" to the running hash; the hex also to hex_out. */
static void line(crypto_hash_sha256_state *st, const char *label, const uint8_t *a, size_t n,
                 char *hex_out)
{
	size_t k = strlen(label), i;
	char *buf = malloc(k + 2 * n + 2);

	if (buf == NULL) {
		abort();
	}
	memcpy(buf, label, k);
	for (i = 0; i < n; i++) {
		k += (size_t)snprintf(buf + k, 3, "%02X", a[i]);
	}
	if (hex_out != NULL) {
		memcpy(hex_out, buf + strlen(label), 2 * n + 1);
	}
	buf[k++] = '\n';
	crypto_hash_sha256_update(st, (const uint8_t *)buf, k);
	free(buf);
}

void ns_test_kem_kat(const ns_test_kem *k, uint8_t *pk, uint8_t *sk, uint8_t *ct,
                     char sha256_hex[65], char ss_hex[65])
{
	uint8_t ent[48], seed[48], ss[32], ss2[32], h[32];
	crypto_hash_sha256_state st;
	ns_drbg d;
	int i;

	for (i = 0; i < 48; i++) {
		ent[i] = (uint8_t)i;
	}
	ns_drbg_init(&d, ent);
	ns_drbg_random(&d, seed, sizeof(seed));
	ns_drbg_init(&d, seed);
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)"count = 0\n", 10);
	line(&st, "seed = ", seed, 48, NULL);
	k->keypair(ns_drbg_random, &d, pk, sk);
	line(&st, "pk = ", pk, k->pk_len, NULL);
	line(&st, "sk = ", sk, k->sk_len, NULL);
	if (k->enc(ns_drbg_random, &d, ct, ss, pk) != 0) {
		memset(ss, 0, sizeof(ss)); /* the known answer then fails */
	}
	line(&st, "ct = ", ct, k->ct_len, NULL);
	line(&st, "ss = ", ss, sizeof(ss), ss_hex);
	crypto_hash_sha256_final(&st, h);
	for (i = 0; i < 32; i++) {
		snprintf(sha256_hex + 2 * i, 3, "%02x", h[i]);
	}
	k->dec(ss2, ct, sk);
	if (memcmp(ss, ss2, sizeof(ss)) != 0) {
		ss_hex[0] = '!'; /* decapsulation disagrees: no known answer matches */
	}
}
