/* The CA side of certificates: writes an ssh-ed25519-cert-v01@openssh.com
 * blob field by field into caller storage, options and extensions in the
 * sorted order OpenSSH requires, and signs it with the CA key. Refuses specs
 * that our own parser or policy would refuse. */
#include "nullspace/cert.h"

#include <sodium.h>
#include <string.h>

#include "buf.h"
#include "cert_int.h"
#include "nullspace/error.h"
#include "wire.h"
#include "random.h"

#define DEFAULT_NONCE_LEN 32
#define ALL_EXT_BITS                                                                               \
	(NS_EXT_NO_TOUCH_REQUIRED | NS_EXT_PERMIT_X11_FORWARDING |                                 \
	 NS_EXT_PERMIT_AGENT_FORWARDING | NS_EXT_PERMIT_PORT_FORWARDING | NS_EXT_PERMIT_PTY |      \
	 NS_EXT_PERMIT_USER_RC)

/* A nested string: its length is patched in by end_string. */
static size_t begin_string(ns_buf *b)
{
	size_t at = b->len;

	ns_wr_u32(b, 0);
	return at;
}

static void end_string(ns_buf *b, size_t at)
{
	if (b->err == 0) {
		ns_store32(b->p + at, (uint32_t)(b->len - at - 4));
	}
}

static int name_ok(const char *s, size_t max)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n > 0 && n <= max;
}

static int known_ext(const char *name)
{
	size_t i;

	for (i = 0; i < NS_CERT_NEXT; i++) {
		if (strcmp(name, ns_cert_ext_names[i].name) == 0) {
			return 1;
		}
	}
	return 0;
}

static int check_spec(const ns_cert_spec *s)
{
	ns_str list;
	size_t i;
	int has_options = s->force_command || s->source_address || s->verify_required;

	if ((s->type != NS_CERT_USER && s->type != NS_CERT_HOST) || s->key_id == NULL ||
	    strlen(s->key_id) > NS_CERT_KEY_ID_MAX || s->valid_after >= s->valid_before) {
		return NS_ERR_INVALID;
	}
	if (s->principals == NULL || s->nprincipals == 0 ||
	    s->nprincipals > NS_CERT_PRINCIPALS_MAX) {
		return NS_ERR_INVALID; /* no principals: valid for anyone elsewhere */
	}
	for (i = 0; i < s->nprincipals; i++) {
		if (!name_ok(s->principals[i], NS_CERT_NAME_MAX)) {
			return NS_ERR_INVALID;
		}
	}
	if (s->nonce != NULL &&
	    (s->nonce_len < NS_CERT_NONCE_MIN || s->nonce_len > NS_CERT_NONCE_MAX)) {
		return NS_ERR_INVALID;
	}
	if ((s->extensions & ~(uint32_t)ALL_EXT_BITS) != 0 ||
	    (s->type == NS_CERT_HOST && (has_options || s->extensions != 0))) {
		return NS_ERR_INVALID; /* host certificates carry neither */
	}
	if (s->ext_name != NULL &&
	    (s->type != NS_CERT_USER || s->ext_value == NULL ||
	     !name_ok(s->ext_name, NS_CERT_NAME_MAX) || known_ext(s->ext_name))) {
		return NS_ERR_INVALID;
	}
	if (s->force_command != NULL && s->force_command[0] == '\0') {
		return NS_ERR_INVALID;
	}
	if (s->source_address != NULL) {
		list.p = (const uint8_t *)s->source_address;
		list.len = strlen(s->source_address);
		if (ns_cidr_list_match(list, NULL) < 0) {
			return NS_ERR_INVALID;
		}
	}
	return 0;
}

static void write_principals(ns_buf *b, const ns_cert_spec *s)
{
	size_t at = begin_string(b), i; /* string valid principals: */

	for (i = 0; i < s->nprincipals; i++) {
		ns_wr_cstr(b, s->principals[i]); /* string principal */
	}
	end_string(b, at);
}

/* value NULL: a flag (empty data) */
static void write_pair(ns_buf *b, const char *name, const char *value)
{
	size_t at;

	ns_wr_cstr(b, name);  /* string name */
	at = begin_string(b); /* string data: */
	if (value != NULL) {
		ns_wr_cstr(b, value); /* string value */
	}
	end_string(b, at);
}

static void write_critical(ns_buf *b, const ns_cert_spec *s)
{
	size_t at = begin_string(b); /* string critical options, sorted: */

	if (s->force_command != NULL) {
		write_pair(b, "force-command", s->force_command);
	}
	if (s->source_address != NULL) {
		write_pair(b, "source-address", s->source_address);
	}
	if (s->verify_required) {
		write_pair(b, "verify-required", NULL);
	}
	end_string(b, at);
}

/* The NS_EXT_* flags (their table is sorted) and spec's extra extension,
 * all in byte order. */
static void write_extensions(ns_buf *b, const ns_cert_spec *s)
{
	size_t at = begin_string(b), i; /* string extensions, sorted: */
	int extra = s->ext_name != NULL;

	for (i = 0; i < NS_CERT_NEXT; i++) {
		if (extra && strcmp(s->ext_name, ns_cert_ext_names[i].name) < 0) {
			write_pair(b, s->ext_name, s->ext_value);
			extra = 0;
		}
		if (s->extensions & ns_cert_ext_names[i].bit) {
			write_pair(b, ns_cert_ext_names[i].name, NULL);
		}
	}
	if (extra) {
		write_pair(b, s->ext_name, s->ext_value);
	}
	end_string(b, at);
}

/* The fields of a plain key blob after its type name (ns_pubkey_from_blob
 * validated them), as a certificate carries them after the nonce. */
static ns_str key_fields(const ns_pubkey *key)
{
	ns_str f = {NULL, 0};
	ns_str name;
	ns_rd r;

	ns_rd_init(&r, key->blob, key->blob_len);
	if (ns_rd_string(&r, &name) == 0) { /* string key type */
		f.p = key->blob + r.off;
		f.len = key->blob_len - r.off;
	}
	return f;
}

int ns_cert_sign_key(const ns_key *ca, const ns_pubkey *key, const ns_cert_spec *spec, uint8_t *out,
                     size_t cap, size_t *outlen)
{
	uint8_t nonce[DEFAULT_NONCE_LEN], ca_blob[NS_KEY_BLOB_LEN], sig[NS_SIG_BLOB_LEN];
	const uint8_t *np = spec->nonce;
	const char *type_name = ns_pubkey_cert_name(key->type);
	size_t nlen = spec->nonce_len;
	ns_str fields = key_fields(key);
	ns_buf b;
	int rc = NS_ERR_INVALID;

	*outlen = 0;
	if (!ca->has_sk || type_name == NULL || fields.p == NULL || (rc = check_spec(spec)) != 0) {
		rc = rc ? rc : NS_ERR_INVALID;
		goto out;
	}
	if (np == NULL) {
		ns_random_default(NULL, nonce, sizeof(nonce));
		np = nonce;
		nlen = sizeof(nonce);
	}
	ns_key_blob(ca->pk, ca_blob);
	ns_buf_init_fixed(&b, out, cap < NS_CERT_BLOB_MAX ? cap : NS_CERT_BLOB_MAX);
	ns_wr_cstr(&b, type_name);                  /* string type name */
	ns_wr_string(&b, np, nlen);                 /* string nonce */
	ns_wr_bytes(&b, fields.p, fields.len);      /* the key's fields, by type */
	ns_wr_u64(&b, spec->serial);                /* uint64 serial */
	ns_wr_u32(&b, spec->type);                  /* uint32 type */
	ns_wr_cstr(&b, spec->key_id);               /* string key id */
	write_principals(&b, spec);                 /* string valid principals */
	ns_wr_u64(&b, spec->valid_after);           /* uint64 valid after */
	ns_wr_u64(&b, spec->valid_before);          /* uint64 valid before */
	write_critical(&b, spec);                   /* string critical options */
	write_extensions(&b, spec);                 /* string extensions */
	ns_wr_string(&b, NULL, 0);                  /* string reserved */
	ns_wr_string(&b, ca_blob, sizeof(ca_blob)); /* string signature key */
	if ((rc = b.err) != 0 || (rc = ns_key_sign(ca, b.p, b.len, sig)) != 0) {
		goto out;
	}
	ns_wr_string(&b, sig, sizeof(sig)); /* string signature */
	if ((rc = b.err) != 0) {
		goto out;
	}
	*outlen = b.len;
out:
	if (rc != 0 && out != NULL && cap > 0) {
		memset(out, 0, cap);
	}
	return rc;
}

int ns_cert_sign(const ns_key *ca, const uint8_t pk[NS_ED25519_PK_LEN], const ns_cert_spec *spec,
                 uint8_t *out, size_t cap, size_t *outlen)
{
	uint8_t blob[NS_KEY_BLOB_LEN];
	ns_pubkey key;

	ns_key_blob(pk, blob);
	if (ns_pubkey_from_blob(blob, sizeof(blob), &key, NULL) != 0) {
		*outlen = 0;
		return NS_ERR_INVALID;
	}
	return ns_cert_sign_key(ca, &key, spec, out, cap, outlen);
}
