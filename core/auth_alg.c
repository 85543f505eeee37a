/* The publickey algorithms a server takes (RFC 4252 7, RFC 8332,
 * PROTOCOL.certkeys, PROTOCOL.u2f): algorithm name -> key type, whether the
 * blob is a certificate, and the signature algorithm the proof must use.
 * ssh-rsa and ssh-rsa-cert-v01@openssh.com (SHA-1) are absent on purpose. */
#include <string.h>

#include "auth.h"
#include "sig.h"

/* Longest certificate type name read from a blob. */
#define CERT_NAME_MAX 64

static const ns_auth_alg algs[] = {
    {"ssh-ed25519", NS_PK_ED25519, 0, "ssh-ed25519"},
    {"ssh-ed25519-cert-v01@openssh.com", NS_PK_ED25519, 1, "ssh-ed25519"},
    {"sk-ssh-ed25519@openssh.com", NS_PK_SK_ED25519, 0, "sk-ssh-ed25519@openssh.com"},
    {"sk-ssh-ed25519-cert-v01@openssh.com", NS_PK_SK_ED25519, 1, "sk-ssh-ed25519@openssh.com"},
    {"ecdsa-sha2-nistp256", NS_PK_ECDSA_P256, 0, "ecdsa-sha2-nistp256"},
    {"ecdsa-sha2-nistp256-cert-v01@openssh.com", NS_PK_ECDSA_P256, 1, "ecdsa-sha2-nistp256"},
    {"sk-ecdsa-sha2-nistp256@openssh.com", NS_PK_SK_ECDSA_P256, 0,
     "sk-ecdsa-sha2-nistp256@openssh.com"},
    {"sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", NS_PK_SK_ECDSA_P256, 1,
     "sk-ecdsa-sha2-nistp256@openssh.com"},
    {"rsa-sha2-512", NS_PK_RSA, 0, "rsa-sha2-512"},
    {"rsa-sha2-512-cert-v01@openssh.com", NS_PK_RSA, 1, "rsa-sha2-512"},
    {"rsa-sha2-256", NS_PK_RSA, 0, "rsa-sha2-256"},
    {"rsa-sha2-256-cert-v01@openssh.com", NS_PK_RSA, 1, "rsa-sha2-256"},
};

const ns_auth_alg *ns_auth_alg_find(ns_str name)
{
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (ns_str_eq(name, algs[i].name)) {
			return &algs[i];
		}
	}
	return NULL;
}

/* A certificate blob's key: string type name (the certificate name of the
 * algorithm's key type), string nonce, the key's fields. The rest of the
 * certificate is judged by cert/ in the caller. */
static int cert_key(const ns_auth_alg *a, const uint8_t *blob, size_t len, ns_pubkey *key,
                    const char **why)
{
	ns_str type, nonce;
	ns_pk_fields f;
	size_t off;
	ns_rd r;

	ns_rd_init(&r, blob, len);
	ns_rd_name(&r, CERT_NAME_MAX, &type); /* string certificate type name */
	ns_rd_string_max(&r, 64, &nonce);     /* string nonce */
	if (r.err || !ns_str_eq(type, ns_pubkey_cert_name(a->type))) {
		*why = "malformed-key";
		return NS_ERR_FORMAT;
	}
	off = r.off;
	if (ns_pk_read_fields(&r, a->type, &f, why) != 0) { /* the key's fields */
		return NS_ERR_FORMAT;
	}
	return ns_pk_from_fields(a->type, blob + off, r.off - off, key);
}

int ns_auth_blob_key(const ns_auth_alg *a, const uint8_t *blob, size_t len, ns_pubkey *key,
                     const char **why)
{
	int rc;

	if (a->is_cert) {
		return cert_key(a, blob, len, key, why);
	}
	if ((rc = ns_pubkey_from_blob(blob, len, key, why)) != 0) {
		return rc;
	}
	if (key->type != a->type) {
		*why = "malformed-key"; /* the blob's type differs from the algorithm's */
		return NS_ERR_FORMAT;
	}
	return 0;
}
