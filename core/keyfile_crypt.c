/* Passphrase-protected openssh-key-v1 private sections (PROTOCOL.key):
 * kdf "bcrypt" (salt, rounds) gives 32 key and 16 IV bytes for cipher
 * "aes256-ctr" (BearSSL: AES-NI when the CPU has it, else the constant-time
 * ct64 code) with OpenSSH's 128-bit big-endian counter. */
#include <bearssl.h>
#include <sodium.h>
#include <string.h>

#include "bcrypt_pbkdf.h"
#include "keyfile_int.h"
#include "nullspace/error.h"

#define AES_KEY_LEN 32
#define AES_IV_LEN 16
#define BR_IV_LEN 12 /* BearSSL's CTR takes 96 IV bits and a 32-bit counter */

typedef union aes_ctr {
	const br_block_ctr_class *vtable;
	br_aes_x86ni_ctr_keys ni;
	br_aes_ct64_ctr_keys ct64;
} aes_ctr;

int ns_keyfile_kdfopts(ns_str opts, uint32_t max_rounds, ns_str *salt, uint32_t *rounds)
{
	ns_rd r;

	ns_rd_init(&r, opts.p, opts.len);
	ns_rd_string_max(&r, NS_KEYFILE_SALT_MAX, salt); /* string salt */
	ns_rd_u32(&r, rounds);                           /* uint32 rounds */
	if (ns_rd_end(&r) != 0 || salt->len == 0 || *rounds == 0) {
		return NS_ERR_FORMAT;
	}
	return *rounds > max_rounds ? NS_ERR_LIMIT : 0;
}

/* AES-CTR over buf with a 128-bit counter: BearSSL counts in the low 32
 * bits only, so a run that would wrap them is split and the upper 96 bits
 * carried by hand. */
static void ctr128(const br_block_ctr_class *cls, const aes_ctr *ctx, const uint8_t iv[AES_IV_LEN],
                   uint8_t *buf, size_t len)
{
	uint8_t hi[BR_IV_LEN];
	uint32_t cc =
	    (uint32_t)iv[12] << 24 | (uint32_t)iv[13] << 16 | (uint32_t)iv[14] << 8 | iv[15];
	uint64_t before_wrap = ((uint64_t)1 << 32) - cc; /* blocks */
	size_t first = len, i;

	memcpy(hi, iv, BR_IV_LEN);
	if ((uint64_t)len / AES_IV_LEN >= before_wrap) {
		first = (size_t)before_wrap * AES_IV_LEN;
	}
	cls->run(&ctx->vtable, hi, cc, buf, first);
	if (first < len) {
		for (i = BR_IV_LEN; i-- > 0;) {
			if (++hi[i] != 0) {
				break;
			}
		}
		cls->run(&ctx->vtable, hi, 0, buf + first, len - first);
	}
}

void ns_keyfile_aes256_ctr(const uint8_t key[32], const uint8_t iv[16], uint8_t *buf, size_t len)
{
	const br_block_ctr_class *cls = br_aes_x86ni_ctr_get_vtable();
	aes_ctr ctx;

	if (cls == NULL) {
		cls = &br_aes_ct64_ctr_vtable;
	}
	cls->init(&ctx.vtable, key, AES_KEY_LEN);
	ctr128(cls, &ctx, iv, buf, len);
	sodium_memzero(&ctx, sizeof(ctx));
}

int ns_keyfile_decrypt(ns_str kdfopts, const char *pass, size_t passlen, uint32_t max_rounds,
                       ns_str in, uint8_t *out)
{
	uint8_t keyiv[AES_KEY_LEN + AES_IV_LEN];
	ns_str salt;
	uint32_t rounds;
	int rc;

	if ((rc = ns_keyfile_kdfopts(kdfopts, max_rounds, &salt, &rounds)) != 0) {
		return rc;
	}
	if (in.len == 0 || in.len % NS_KEYFILE_CRYPT_BLOCK != 0) {
		return NS_ERR_FORMAT;
	}
	rc = ns_bcrypt_pbkdf((const uint8_t *)(pass != NULL ? pass : ""), passlen, salt.p, salt.len,
	                     rounds, keyiv, sizeof(keyiv));
	if (rc == 0) {
		memcpy(out, in.p, in.len);
		ns_keyfile_aes256_ctr(keyiv, keyiv + AES_KEY_LEN, out, in.len);
	}
	sodium_memzero(keyiv, sizeof(keyiv));
	return rc;
}
