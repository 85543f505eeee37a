/* Parser for OpenSSH certificate blobs (PROTOCOL.certkeys) of every key type
 * core/pubkey.c knows (ed25519, ecdsa-sha2-nistp256, ssh-rsa, sk-*), signed
 * by a plain CA key of any of those types: every field in wire order, strict about names, sizes,
 * sort order and trailing bytes, then the CA signature over everything up to and including the
 * signature key. Field accessors too; policy lives in cert_policy.c. */
#include "nullspace/cert.h"

#include <string.h>

#include "cert_int.h"
#include "nullspace/error.h"
#include "nullspace/pubkey.h"
#include "sig.h"
#include "wire.h"

/* Longest key type name read before deciding it is not ours. */
#define KEYTYPE_NAME_MAX 64
#define CERT_SUFFIX "-cert-v01@openssh.com"

const ns_cert_ext_name ns_cert_ext_names[NS_CERT_NEXT] = {
    {"no-touch-required", NS_EXT_NO_TOUCH_REQUIRED},
    {"permit-X11-forwarding", NS_EXT_PERMIT_X11_FORWARDING},
    {"permit-agent-forwarding", NS_EXT_PERMIT_AGENT_FORWARDING},
    {"permit-port-forwarding", NS_EXT_PERMIT_PORT_FORWARDING},
    {"permit-pty", NS_EXT_PERMIT_PTY},
    {"permit-user-rc", NS_EXT_PERMIT_USER_RC},
};

static int has_nul(ns_str s)
{
	return s.len > 0 && memchr(s.p, '\0', s.len) != NULL;
}

/* a < b in byte order, a shorter prefix first */
static int name_less(ns_str a, ns_str b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = n ? memcmp(a.p, b.p, n) : 0;

	return c < 0 || (c == 0 && a.len < b.len);
}

int ns_cert_pair_next(ns_rd *r, ns_str *name, ns_str *data)
{
	name->p = data->p = NULL;
	name->len = data->len = 0;
	if (r->err) {
		return r->err;
	}
	if (ns_rd_left(r) == 0) {
		return 0;
	}
	if (ns_rd_name(r, NS_CERT_NAME_MAX, name) != 0 || /* string name */
	    ns_rd_string(r, data) != 0 ||                 /* string data */
	    name->len == 0) {
		return NS_ERR_FORMAT;
	}
	return 1;
}

int ns_cert_pair_value(ns_str data, ns_str *value)
{
	ns_rd r;

	value->p = NULL;
	value->len = 0;
	if (data.len == 0) {
		return 0; /* a flag */
	}
	ns_rd_init(&r, data.p, data.len);
	if (ns_rd_string(&r, value) != 0 || ns_rd_end(&r) != 0) { /* string value */
		value->p = NULL;
		value->len = 0;
		return NS_ERR_FORMAT;
	}
	return 0;
}

/* valid principals: string principal, ...; each NUL-free, at most 256 */
static int check_principals(ns_str list, uint32_t *n)
{
	ns_rd r;
	ns_str p;

	*n = 0;
	ns_rd_init(&r, list.p, list.len);
	while (ns_rd_left(&r) > 0) {
		if (*n == NS_CERT_PRINCIPALS_MAX) {
			return NS_ERR_TOOBIG;
		}
		if (ns_rd_string_max(&r, NS_CERT_NAME_MAX, &p) != 0 || has_nul(p)) {
			return NS_ERR_FORMAT;
		}
		(*n)++;
	}
	return ns_rd_end(&r);
}

/* critical options / extensions: names strictly increasing (sorted, each
 * once), each data empty or exactly one string */
static int check_pairs(ns_str list)
{
	ns_rd r;
	ns_str name, data, value, prev = {NULL, 0};
	int rc;

	ns_rd_init(&r, list.p, list.len);
	while ((rc = ns_cert_pair_next(&r, &name, &data)) == 1) {
		if (prev.p != NULL && !name_less(prev, name)) {
			return NS_ERR_FORMAT;
		}
		if (ns_cert_pair_value(data, &value) != 0) {
			return NS_ERR_FORMAT;
		}
		prev = name;
	}
	return rc;
}

/* Extensions we know are flags: their data must be empty (as OpenSSH). */
static int check_ext_flags(ns_str list)
{
	ns_rd r;
	ns_str name, data;
	size_t i;
	int rc;

	ns_rd_init(&r, list.p, list.len);
	while ((rc = ns_cert_pair_next(&r, &name, &data)) == 1) {
		for (i = 0; i < NS_CERT_NEXT; i++) {
			if (ns_str_eq(name, ns_cert_ext_names[i].name) && data.len != 0) {
				return NS_ERR_FORMAT;
			}
		}
	}
	return rc;
}

/* Every field up to and including the signature key. The reader poisons on
 * the first failure, so the fields are read first and judged after. */
static int read_fields(ns_rd *r, ns_cert *c, ns_str *ca_blob)
{
	const char *why;
	ns_pk_fields f;
	ns_str alg;
	size_t key_off;

	if (ns_rd_name(r, KEYTYPE_NAME_MAX, &alg) != 0) { /* string type name */
		return NS_ERR_FORMAT;
	}
	if ((c->key_type = ns_pubkey_cert_type_of(alg)) == NS_PK_NONE) {
		return NS_ERR_KEYTYPE;
	}
	ns_rd_string_max(r, NS_CERT_NONCE_MAX, &c->nonce); /* string nonce */
	key_off = r->off;
	if (ns_pk_read_fields(r, c->key_type, &f, &why) != 0) { /* the key's fields */
		return NS_ERR_FORMAT;
	}
	c->key_fields.p = r->p + key_off;
	c->key_fields.len = r->off - key_off;
	ns_rd_u64(r, &c->serial);                            /* uint64 serial */
	ns_rd_u32(r, &c->type);                              /* uint32 type */
	ns_rd_string_max(r, NS_CERT_KEY_ID_MAX, &c->key_id); /* string key id */
	ns_rd_string(r, &c->principals);                     /* string valid principals */
	ns_rd_u64(r, &c->valid_after);                       /* uint64 valid after */
	ns_rd_u64(r, &c->valid_before);                      /* uint64 valid before */
	ns_rd_string(r, &c->critical_options);               /* string critical options */
	ns_rd_string(r, &c->extensions);                     /* string extensions */
	ns_rd_string(r, &c->reserved);                       /* string reserved (ignored) */
	ns_rd_string_max(r, NS_CERT_BLOB_MAX, ca_blob);      /* string signature key */
	if (r->err) {
		return r->err;
	}
	if (c->nonce.len == 0 || (c->type != NS_CERT_USER && c->type != NS_CERT_HOST) ||
	    has_nul(c->key_id)) {
		return NS_ERR_FORMAT;
	}
	if (c->key_type == NS_PK_ED25519) {
		memcpy(c->pk, f.ed25519.p, NS_ED25519_PK_LEN);
	}
	if (check_principals(c->principals, &c->nprincipals) != 0 ||
	    check_pairs(c->critical_options) != 0 || check_pairs(c->extensions) != 0 ||
	    check_ext_flags(c->extensions) != 0) {
		return NS_ERR_FORMAT;
	}
	return 0;
}

/* The signature key must be a plain key, never a certificate. */
static int read_ca_key(ns_str blob, ns_pubkey *ca, int *why)
{
	ns_rd r;
	ns_str alg;
	size_t n = sizeof(CERT_SUFFIX) - 1;

	ns_rd_init(&r, blob.p, blob.len);
	if (ns_rd_name(&r, KEYTYPE_NAME_MAX, &alg) != 0) { /* string key type */
		return NS_ERR_FORMAT;
	}
	if (alg.len > n && memcmp(alg.p + alg.len - n, CERT_SUFFIX, n) == 0) {
		*why = NS_CERT_CA_IS_CERT;
		return NS_ERR_KEYTYPE;
	}
	return ns_pubkey_from_blob(blob.p, blob.len, ca, NULL);
}

int ns_cert_pubkey(const ns_cert *c, ns_pubkey *out)
{
	return ns_pk_from_fields(c->key_type, c->key_fields.p, c->key_fields.len, out);
}

int ns_cert_ca_pubkey(const ns_cert *c, ns_pubkey *out)
{
	return ns_pubkey_from_blob(c->ca_blob.p, c->ca_blob.len, out, NULL);
}

int ns_cert_parse(const uint8_t *blob, size_t len, ns_cert *out, int *reason)
{
	ns_pubkey ca;
	ns_rd r;
	ns_str ca_blob;
	size_t signed_len;
	int why = NS_CERT_MALFORMED, rc = NS_ERR_TOOBIG;

	memset(out, 0, sizeof(*out));
	if (len > NS_CERT_BLOB_MAX) {
		goto out;
	}
	ns_rd_init(&r, blob, len);
	if ((rc = read_fields(&r, out, &ca_blob)) != 0) {
		goto out;
	}
	signed_len = r.off;
	ns_rd_string(&r, &out->signature); /* string signature */
	if ((rc = ns_rd_end(&r)) != 0) {
		goto out;
	}
	if ((rc = read_ca_key(ca_blob, &ca, &why)) != 0) {
		goto out;
	}
	/* the algorithm must fit the CA key; never ssh-rsa (SHA-1) */
	if ((rc = ns_pubkey_verify(&ca, NULL, out->signature.p, out->signature.len, blob,
	                           signed_len, NULL)) != 0) {
		why = NS_CERT_BAD_SIGNATURE;
		goto out;
	}
	if (ca.type == NS_PK_ED25519) {
		memcpy(out->ca_pk, ca.blob + ca.blob_len - NS_ED25519_PK_LEN, NS_ED25519_PK_LEN);
	}
	out->ca_type = ca.type;
	out->ca_blob = ca_blob;
	out->blob.p = blob;
	out->blob.len = len;
	why = NS_CERT_OK;
out:
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
	}
	if (reason != NULL) {
		*reason = why;
	}
	return rc;
}

int ns_cert_principal(const ns_cert *c, uint32_t i, ns_str *name)
{
	ns_rd r;
	uint32_t k;

	name->p = NULL;
	name->len = 0;
	if (i >= c->nprincipals) {
		return NS_ERR_NOTFOUND;
	}
	ns_rd_init(&r, c->principals.p, c->principals.len);
	for (k = 0; k <= i; k++) {
		if (ns_rd_string(&r, name) != 0) { /* string principal */
			return NS_ERR_FORMAT;
		}
	}
	return 0;
}

int ns_cert_option(const ns_cert *c, int critical, const char *name, ns_str *value)
{
	ns_str list = critical ? c->critical_options : c->extensions;
	ns_str n, data;
	ns_rd r;
	int rc;

	value->p = NULL;
	value->len = 0;
	ns_rd_init(&r, list.p, list.len);
	while ((rc = ns_cert_pair_next(&r, &n, &data)) == 1) {
		if (ns_str_eq(n, name)) {
			return ns_cert_pair_value(data, value);
		}
	}
	return rc < 0 ? rc : NS_ERR_NOTFOUND;
}

uint32_t ns_cert_extension_bits(const ns_cert *c)
{
	ns_str n, data;
	ns_rd r;
	uint32_t bits = 0;
	size_t i;

	ns_rd_init(&r, c->extensions.p, c->extensions.len);
	while (ns_cert_pair_next(&r, &n, &data) == 1) {
		for (i = 0; i < NS_CERT_NEXT; i++) {
			if (ns_str_eq(n, ns_cert_ext_names[i].name)) {
				bits |= ns_cert_ext_names[i].bit;
			}
		}
	}
	return bits;
}
