/* NIST PQC KAT DRBG (AES-256 in counter mode, no derivation function),
 * with BearSSL's AES for the block function. Test code: not constant time
 * and not for keys. */
#include "lib_drbg.h"

#include <bearssl.h>
#include <string.h>

static void aes_block(const uint8_t key[32], const uint8_t in[16], uint8_t out[16])
{
	br_aes_ct_cbcenc_keys k;
	uint8_t iv[16] = {0};

	br_aes_ct_cbcenc_init(&k, key, 32);
	memcpy(out, in, 16);
	br_aes_ct_cbcenc_run(&k, iv, out, 16);
}

static void incr(uint8_t v[16])
{
	int j;

	for (j = 15; j >= 0; j--) {
		if (++v[j] != 0) {
			break;
		}
	}
}

static void update(ns_drbg *d, const uint8_t *provided)
{
	uint8_t t[48];
	int i;

	for (i = 0; i < 3; i++) {
		incr(d->v);
		aes_block(d->key, d->v, t + 16 * i);
	}
	if (provided != NULL) {
		for (i = 0; i < 48; i++) {
			t[i] ^= provided[i];
		}
	}
	memcpy(d->key, t, 32);
	memcpy(d->v, t + 32, 16);
}

void ns_drbg_init(ns_drbg *d, const uint8_t entropy[48])
{
	memset(d, 0, sizeof(*d));
	update(d, entropy);
}

void ns_drbg_random(void *ctx, uint8_t *buf, size_t len)
{
	ns_drbg *d = ctx;
	uint8_t block[16];

	while (len > 0) {
		size_t n = len < 16 ? len : 16;

		incr(d->v);
		aes_block(d->key, d->v, block);
		memcpy(buf, block, n);
		buf += n;
		len -= n;
	}
	update(d, NULL);
}
