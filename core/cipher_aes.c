/* AES-CTR (RFC 4344: the whole 16-byte IV is the counter) and AES-GCM (RFC
 * 5647) over BearSSL, choosing AES-NI/PCLMUL or the constant-time ct64 code
 * at key setup. GCM's tag is checked in constant time by BearSSL; a packet
 * that fails is wiped before anyone can read it. */
#include "cipher_aes.h"

#include <sodium.h>
#include <string.h>

int ns_aes_accelerated(void)
{
	return br_aes_x86ni_ctrcbc_get_vtable() != NULL && br_aes_x86ni_ctr_get_vtable() != NULL &&
	       br_ghash_pclmul_get() != 0;
}

void ns_aes_ctr_init(ns_aes *a, const uint8_t *key, size_t key_len, const uint8_t iv[16])
{
	const br_block_ctrcbc_class *vt = br_aes_x86ni_ctrcbc_get_vtable();

	sodium_memzero(&a->ctr, sizeof(a->ctr));
	if (vt != NULL) {
		br_aes_x86ni_ctrcbc_init(&a->ctr.c_x86ni, key, key_len);
	} else {
		br_aes_ct64_ctrcbc_init(&a->ctr.c_ct64, key, key_len);
	}
	memcpy(a->ctr_block, iv, NS_AES_BLOCK);
	a->accel = vt != NULL;
}

void ns_aes_ctr_xor(ns_aes *a, uint8_t *data, size_t len)
{
	if (len > 0) {
		a->ctr.vtable->ctr(&a->ctr.vtable, a->ctr_block, data, len);
	}
}

void ns_aes_ctr_peek(const ns_aes *a, const uint8_t in[16], uint8_t out[16])
{
	uint8_t ctr[NS_AES_BLOCK];

	memcpy(ctr, a->ctr_block, sizeof(ctr));
	memcpy(out, in, NS_AES_BLOCK);
	a->ctr.vtable->ctr(&a->ctr.vtable, ctr, out, NS_AES_BLOCK);
	sodium_memzero(ctr, sizeof(ctr));
}

void ns_aes_gcm_init(ns_aes *a, const uint8_t *key, size_t key_len)
{
	const br_block_ctr_class *vt = br_aes_x86ni_ctr_get_vtable();

	sodium_memzero(&a->gcm, sizeof(a->gcm));
	if (vt != NULL && br_ghash_pclmul_get() != 0) {
		br_aes_x86ni_ctr_init(&a->gcm.c_x86ni, key, key_len);
		a->accel = 1;
	} else {
		br_aes_ct64_ctr_init(&a->gcm.c_ct64, key, key_len);
		a->accel = 0;
	}
}

static void gcm_start(ns_aes *a, br_gcm_context *g, const uint8_t iv[12], const uint8_t *aad,
                      size_t aad_len)
{
	br_ghash gh = a->accel ? br_ghash_pclmul_get() : br_ghash_ctmul64;

	br_gcm_init(g, &a->gcm.vtable, gh);
	br_gcm_reset(g, iv, 12);
	br_gcm_aad_inject(g, aad, aad_len);
	br_gcm_flip(g);
}

void ns_aes_gcm_seal(ns_aes *a, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                     uint8_t *data, size_t len, uint8_t tag[16])
{
	br_gcm_context g;

	gcm_start(a, &g, iv, aad, aad_len);
	br_gcm_run(&g, 1, data, len);
	br_gcm_get_tag(&g, tag);
	sodium_memzero(&g, sizeof(g));
}

int ns_aes_gcm_open(ns_aes *a, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                    uint8_t *data, size_t len, const uint8_t tag[16])
{
	br_gcm_context g;
	int rc = 0;

	gcm_start(a, &g, iv, aad, aad_len);
	br_gcm_run(&g, 0, data, len);
	if (br_gcm_check_tag(&g, tag) != 1) {
		sodium_memzero(data, len);
		rc = -1;
	}
	sodium_memzero(&g, sizeof(g));
	return rc;
}
