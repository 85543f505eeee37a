/* Public keys of every type we verify: type names, blob parsing and
 * validation (per PROTOCOL.certkeys / PROTOCOL.u2f / RFC 4253 6.6, 5656),
 * one-line form and fingerprints. Signatures are in sig.c and sig_*.c. */
#include "nullspace/pubkey.h"

#include <sodium.h>
#include <string.h>

#include "buf.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"
#include "sig.h"
#include "text.h"

/* Longest key type name read before deciding it is not ours. */
#define TYPE_NAME_MAX 64
#define CURVE_P256 "nistp256"

typedef struct pk_name {
	int type;
	const char *name, *cert;
} pk_name;

static const pk_name names[] = {
    {NS_PK_ED25519, "ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com"},
    {NS_PK_ECDSA_P256, "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256-cert-v01@openssh.com"},
    {NS_PK_RSA, "ssh-rsa", "ssh-rsa-cert-v01@openssh.com"},
    {NS_PK_SK_ED25519, "sk-ssh-ed25519@openssh.com", "sk-ssh-ed25519-cert-v01@openssh.com"},
    {NS_PK_SK_ECDSA_P256, "sk-ecdsa-sha2-nistp256@openssh.com",
     "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com"},
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

int ns_pubkey_type_of(ns_str name)
{
	size_t i;

	for (i = 0; i < NNAMES; i++) {
		if (ns_str_eq(name, names[i].name)) {
			return names[i].type;
		}
	}
	return NS_PK_NONE;
}

int ns_pubkey_cert_type_of(ns_str name)
{
	size_t i;

	for (i = 0; i < NNAMES; i++) {
		if (ns_str_eq(name, names[i].cert)) {
			return names[i].type;
		}
	}
	return NS_PK_NONE;
}

const char *ns_pubkey_type_name(int type)
{
	return type >= NS_PK_ED25519 && (size_t)type <= NNAMES ? names[type - 1].name : NULL;
}

const char *ns_pubkey_cert_name(int type)
{
	return type >= NS_PK_ED25519 && (size_t)type <= NNAMES ? names[type - 1].cert : NULL;
}

/* mpint that must be positive; the view drops leading zero bytes. */
static int read_posint(ns_rd *r, size_t max, ns_str *v)
{
	if (ns_rd_string_max(r, max + 1, v) != 0) {
		return NS_ERR_FORMAT;
	}
	if (v->len > 0 && (v->p[0] & 0x80)) {
		return NS_ERR_FORMAT; /* negative */
	}
	while (v->len > 0 && v->p[0] == 0) {
		v->p++;
		v->len--;
	}
	return v->len > max ? NS_ERR_FORMAT : 0;
}

static int read_rsa(ns_rd *r, ns_pk_fields *f, const char **why)
{
	size_t bits;

	if (read_posint(r, NS_RSA_E_MAX, &f->e) != 0 ||            /* mpint e */
	    read_posint(r, NS_RSA_BITS_MAX / 8 + 1, &f->n) != 0) { /* mpint n */
		*why = "malformed-rsa-key";
		return NS_ERR_FORMAT;
	}
	bits = ns_sig_rsa_bits(f->n);
	if (bits < NS_RSA_BITS_MIN || bits > NS_RSA_BITS_MAX) {
		*why = bits < NS_RSA_BITS_MIN ? "rsa-key-too-small" : "rsa-key-too-large";
		return NS_ERR_LIMIT;
	}
	/* odd modulus; odd exponent >= 3 */
	if (!(f->n.p[f->n.len - 1] & 1) || f->e.len == 0 || !(f->e.p[f->e.len - 1] & 1) ||
	    (f->e.len == 1 && f->e.p[0] < 3)) {
		*why = "malformed-rsa-key";
		return NS_ERR_FORMAT;
	}
	return 0;
}

/* check: validate the point (a scalar multiplication); not again for a key
 * already parsed */
static int read_p256(ns_rd *r, ns_pk_fields *f, const char **why, int check)
{
	ns_str curve;

	ns_rd_string_max(r, TYPE_NAME_MAX, &curve);    /* string curve name */
	ns_rd_string_max(r, NS_P256_POINT_LEN, &f->q); /* string Q */
	if (r->err || !ns_str_eq(curve, CURVE_P256) || (check && !ns_sig_p256_point_ok(f->q))) {
		*why = "invalid-ecdsa-point";
		return NS_ERR_FORMAT;
	}
	return 0;
}

static int read_fields(ns_rd *r, int type, ns_pk_fields *f, const char **why, int check)
{
	int rc = 0;

	memset(f, 0, sizeof(*f));
	*why = "malformed-key";
	switch (type) {
	case NS_PK_ED25519:
	case NS_PK_SK_ED25519:
		ns_rd_string_max(r, NS_ED25519_PK_LEN, &f->ed25519); /* string pk */
		if (r->err || f->ed25519.len != NS_ED25519_PK_LEN) {
			return NS_ERR_FORMAT;
		}
		break;
	case NS_PK_ECDSA_P256:
	case NS_PK_SK_ECDSA_P256: rc = read_p256(r, f, why, check); break;
	case NS_PK_RSA: return read_rsa(r, f, why);
	default: *why = "unsupported-key-type"; return NS_ERR_KEYTYPE;
	}
	if (rc == 0 && (type == NS_PK_SK_ED25519 || type == NS_PK_SK_ECDSA_P256) &&
	    ns_rd_string_max(r, NS_SK_APPLICATION_MAX, &f->application) != 0) { /* application */
		*why = "malformed-sk-application";
		rc = NS_ERR_FORMAT;
	}
	return rc;
}

int ns_pk_read_fields(ns_rd *r, int type, ns_pk_fields *f, const char **why)
{
	return read_fields(r, type, f, why, 1);
}

int ns_pk_from_fields(int type, const uint8_t *fields, size_t len, ns_pubkey *out)
{
	ns_buf b;

	memset(out, 0, sizeof(*out));
	ns_buf_init_fixed(&b, out->blob, sizeof(out->blob));
	ns_wr_cstr(&b, ns_pubkey_type_name(type)); /* string key type */
	if (ns_wr_bytes(&b, fields, len) != 0) {   /* the key fields as they were */
		memset(out, 0, sizeof(*out));
		return NS_ERR_TOOBIG;
	}
	out->type = type;
	out->blob_len = b.len;
	return 0;
}

int ns_pubkey_from_blob(const uint8_t *blob, size_t len, ns_pubkey *out, const char **why)
{
	const char *dummy;
	ns_pk_fields f;
	ns_str name;
	ns_rd r;
	int type, rc;

	memset(out, 0, sizeof(*out));
	why = why != NULL ? why : &dummy;
	*why = "malformed-key";
	if (len > NS_PUBKEY_BLOB_MAX) {
		*why = "key-too-large";
		return NS_ERR_TOOBIG;
	}
	ns_rd_init(&r, blob, len);
	if (ns_rd_name(&r, TYPE_NAME_MAX, &name) != 0) { /* string key type */
		return NS_ERR_FORMAT;
	}
	if ((type = ns_pubkey_type_of(name)) == NS_PK_NONE) {
		*why = "unsupported-key-type";
		return NS_ERR_KEYTYPE;
	}
	if ((rc = ns_pk_read_fields(&r, type, &f, why)) != 0) {
		return rc;
	}
	if (ns_rd_end(&r) != 0) {
		*why = "malformed-key";
		return NS_ERR_FORMAT;
	}
	memcpy(out->blob, blob, len);
	out->blob_len = len;
	out->type = type;
	return 0;
}

int ns_pk_fields_of(const ns_pubkey *k, ns_pk_fields *f)
{
	const char *why;
	ns_str name;
	ns_rd r;

	ns_rd_init(&r, k->blob, k->blob_len);
	ns_rd_name(&r, TYPE_NAME_MAX, &name); /* string key type */
	return read_fields(&r, k->type, f, &why, 0);
}

int ns_pubkey_from_line(const char *line, size_t len, ns_pubkey *out, ns_str *comment)
{
	uint8_t blob[NS_PUBKEY_BLOB_MAX + 4];
	ns_text_span type, b64, rest;
	size_t bloblen = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (comment != NULL) {
		comment->p = NULL;
		comment->len = 0;
	}
	if ((rc = ns_text_key_line(line, len, &type, &b64, &rest)) != 0) {
		return rc;
	}
	if (ns_pubkey_type_of((ns_str){(const uint8_t *)type.p, type.len}) == NS_PK_NONE) {
		return NS_ERR_KEYTYPE; /* judged by its type field first, as ns_key_from_line */
	}
	if (b64.len == 0 || sodium_base642bin(blob, sizeof(blob), b64.p, b64.len, NULL, &bloblen,
	                                      NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		return NS_ERR_FORMAT;
	}
	if ((rc = ns_pubkey_from_blob(blob, bloblen, out, NULL)) != 0) {
		return rc;
	}
	if (strlen(ns_pubkey_type_name(out->type)) != type.len ||
	    memcmp(ns_pubkey_type_name(out->type), type.p, type.len) != 0) {
		memset(out, 0, sizeof(*out));
		return NS_ERR_FORMAT; /* the type field names another type than the blob */
	}
	if (comment != NULL && rest.len > 0) {
		comment->p = (const uint8_t *)rest.p;
		comment->len = rest.len;
	}
	return 0;
}

int ns_pubkey_to_line(const ns_pubkey *k, const char *comment, char *out, size_t cap)
{
	const char *name = ns_pubkey_type_name(k->type);
	size_t clen = comment != NULL ? strlen(comment) : 0, nlen, blen;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (name == NULL || !ns_text_printable(comment, clen)) {
		return NS_ERR_INVALID;
	}
	nlen = strlen(name);
	blen = sodium_base64_ENCODED_LEN(k->blob_len, sodium_base64_VARIANT_ORIGINAL);
	if (nlen + 1 + blen + (clen ? 1 + clen : 0) > cap) {
		return NS_ERR_NOMEM;
	}
	memcpy(out, name, nlen);
	out[nlen] = ' ';
	sodium_bin2base64(out + nlen + 1, blen, k->blob, k->blob_len,
	                  sodium_base64_VARIANT_ORIGINAL);
	if (clen) {
		out[nlen + blen] = ' ';
		memcpy(out + nlen + blen + 1, comment, clen + 1);
	}
	return 0;
}

void ns_pubkey_fingerprint(const ns_pubkey *k, char *out)
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, k->blob, k->blob_len);
	memcpy(out, "SHA256:", 7);
	sodium_bin2base64(out + 7, NS_FINGERPRINT_LEN - 7, h, sizeof(h),
	                  sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

int ns_pubkey_equal(const ns_pubkey *a, const ns_pubkey *b)
{
	return a->type == b->type && a->blob_len == b->blob_len &&
	       memcmp(a->blob, b->blob, a->blob_len) == 0;
}
