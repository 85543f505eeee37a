/* ssh-ed25519 public keys and signatures: wire blobs, one-line OpenSSH public
 * keys ("ssh-ed25519 AAAA... comment"), SHA256 fingerprints as ssh-keygen -l
 * prints them, and Ed25519 signature blobs (RFC 8709). Private key files are
 * in keyfile.c. */
#include "nullspace/keys.h"

#include <sodium.h>
#include <string.h>

#include "buf.h"
#include "nullspace/error.h"
#include "wire.h"
#include "text.h"

#define KEYTYPE "ssh-ed25519"
/* Longest key type name we read from a blob before deciding it is not ours. */
#define KEYTYPE_NAME_MAX 64
/* base64 of a 51-byte blob: 68 characters. */
#define BLOB_B64_LEN 68
/* Decode buffer for the base64 field of a line: a little over one blob, so
 * that a longer blob fails to decode instead of being truncated. */
#define LINE_BLOB_MAX 64

int ns_key_generate(ns_key *k, const char *comment)
{
	size_t n = comment != NULL ? strlen(comment) : 0;

	memset(k, 0, sizeof(*k));
	if (n >= sizeof(k->comment)) {
		return NS_ERR_TOOBIG;
	}
	if (!ns_text_printable(comment, n)) {
		return NS_ERR_INVALID;
	}
	if (crypto_sign_keypair(k->pk, k->sk) != 0) {
		ns_key_wipe(k);
		return NS_ERR_CRYPTO;
	}
	k->has_sk = 1;
	if (n) {
		memcpy(k->comment, comment, n);
	}
	return 0;
}

void ns_key_wipe(ns_key *k)
{
	sodium_memzero(k, sizeof(*k));
}

void ns_key_blob(const uint8_t pk[NS_ED25519_PK_LEN], uint8_t out[NS_KEY_BLOB_LEN])
{
	ns_buf b;

	ns_buf_init_fixed(&b, out, NS_KEY_BLOB_LEN);
	ns_wr_cstr(&b, KEYTYPE);                 /* string "ssh-ed25519" */
	ns_wr_string(&b, pk, NS_ED25519_PK_LEN); /* string pk */
}

int ns_key_from_blob(const uint8_t *blob, size_t len, uint8_t pk[NS_ED25519_PK_LEN])
{
	ns_rd r;
	ns_str type, key;
	int rc = NS_ERR_FORMAT;

	memset(pk, 0, NS_ED25519_PK_LEN);
	ns_rd_init(&r, blob, len);
	if (ns_rd_name(&r, KEYTYPE_NAME_MAX, &type) != 0) { /* string key type */
		goto out;
	}
	if (!ns_str_eq(type, KEYTYPE)) {
		rc = NS_ERR_KEYTYPE;
		goto out;
	}
	if (ns_rd_string_max(&r, NS_ED25519_PK_LEN, &key) != 0 || /* string pk */
	    key.len != NS_ED25519_PK_LEN || ns_rd_end(&r) != 0) {
		goto out;
	}
	memcpy(pk, key.p, NS_ED25519_PK_LEN);
	rc = 0;
out:
	return rc;
}

int ns_key_to_line(const uint8_t pk[NS_ED25519_PK_LEN], const char *comment, char *out, size_t cap)
{
	uint8_t blob[NS_KEY_BLOB_LEN];
	char b64[BLOB_B64_LEN + 1];
	size_t clen = comment != NULL ? strlen(comment) : 0;
	size_t need = sizeof(KEYTYPE) - 1 + 1 + BLOB_B64_LEN + (clen ? 1 + clen : 0) + 1;
	char *p = out;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (!ns_text_printable(comment, clen)) {
		return NS_ERR_INVALID;
	}
	if (need > cap) {
		return NS_ERR_NOMEM;
	}
	ns_key_blob(pk, blob);
	sodium_bin2base64(b64, sizeof(b64), blob, sizeof(blob), sodium_base64_VARIANT_ORIGINAL);
	memcpy(p, KEYTYPE " ", sizeof(KEYTYPE));
	p += sizeof(KEYTYPE);
	memcpy(p, b64, BLOB_B64_LEN);
	p += BLOB_B64_LEN;
	if (clen) {
		*p++ = ' ';
		memcpy(p, comment, clen);
		p += clen;
	}
	*p = '\0';
	return 0;
}

int ns_key_from_line(const char *line, size_t len, uint8_t pk[NS_ED25519_PK_LEN], ns_str *comment)
{
	uint8_t blob[LINE_BLOB_MAX];
	ns_text_span type, b64, rest;
	size_t bloblen = 0;
	int rc;

	memset(pk, 0, NS_ED25519_PK_LEN);
	if (comment != NULL) {
		comment->p = NULL;
		comment->len = 0;
	}
	if ((rc = ns_text_key_line(line, len, &type, &b64, &rest)) != 0) {
		goto out;
	}
	if (type.len != sizeof(KEYTYPE) - 1 || memcmp(type.p, KEYTYPE, type.len) != 0) {
		rc = NS_ERR_KEYTYPE;
		goto out;
	}
	if (b64.len != BLOB_B64_LEN ||
	    sodium_base642bin(blob, sizeof(blob), b64.p, b64.len, NULL, &bloblen, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0) {
		rc = NS_ERR_FORMAT;
		goto out;
	}
	if ((rc = ns_key_from_blob(blob, bloblen, pk)) != 0) {
		goto out;
	}
	if (comment != NULL && rest.len > 0) {
		comment->p = (const uint8_t *)rest.p;
		comment->len = rest.len;
	}
out:
	return rc;
}

void ns_key_fingerprint(const uint8_t pk[NS_ED25519_PK_LEN], char out[NS_FINGERPRINT_LEN])
{
	uint8_t blob[NS_KEY_BLOB_LEN];
	uint8_t h[crypto_hash_sha256_BYTES];

	ns_key_blob(pk, blob);
	crypto_hash_sha256(h, blob, sizeof(blob));
	memcpy(out, "SHA256:", 7);
	sodium_bin2base64(out + 7, NS_FINGERPRINT_LEN - 7, h, sizeof(h),
	                  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

int ns_key_sign(const ns_key *k, const uint8_t *data, size_t len, uint8_t sig[NS_SIG_BLOB_LEN])
{
	uint8_t raw[NS_ED25519_SIG_LEN];
	ns_buf b;
	int rc = NS_ERR_INVALID;

	memset(sig, 0, NS_SIG_BLOB_LEN);
	if (!k->has_sk) {
		goto out;
	}
	if (crypto_sign_detached(raw, NULL, data, len, k->sk) != 0) {
		rc = NS_ERR_CRYPTO;
		goto out;
	}
	ns_buf_init_fixed(&b, sig, NS_SIG_BLOB_LEN);
	ns_wr_cstr(&b, KEYTYPE);                   /* string "ssh-ed25519" */
	ns_wr_string(&b, raw, NS_ED25519_SIG_LEN); /* string signature */
	rc = b.err;
out:
	sodium_memzero(raw, sizeof(raw));
	return rc;
}

int ns_key_verify(const uint8_t pk[NS_ED25519_PK_LEN], const uint8_t *sig, size_t siglen,
                  const uint8_t *data, size_t len)
{
	ns_rd r;
	ns_str alg, raw;
	int rc = NS_ERR_FORMAT;

	ns_rd_init(&r, sig, siglen);
	if (ns_rd_name(&r, KEYTYPE_NAME_MAX, &alg) != 0) { /* string algorithm */
		goto out;
	}
	if (!ns_str_eq(alg, KEYTYPE)) {
		rc = NS_ERR_KEYTYPE;
		goto out;
	}
	if (ns_rd_string_max(&r, NS_ED25519_SIG_LEN, &raw) != 0 || /* string signature */
	    raw.len != NS_ED25519_SIG_LEN || ns_rd_end(&r) != 0) {
		goto out;
	}
	rc = crypto_sign_verify_detached(raw.p, data, len, pk) == 0 ? 0 : NS_ERR_SIGNATURE;
out:
	return rc;
}
