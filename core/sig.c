/* One dispatch for signature verification by key type: reads the signature
 * blob's algorithm name, checks it fits the key (never ssh-rsa, SHA-1, as
 * OpenSSH by default), and hands the rest to sig_ecdsa.c, sig_rsa.c or
 * sig_sk.c; ssh-ed25519 is libsodium's. */
#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "nullspace/keys.h"
#include "sig.h"

#define ALG_NAME_MAX 64

int ns_pubkey_sig_alg_ok(int type, ns_str alg)
{
	switch (type) {
	case NS_PK_RSA: return ns_str_eq(alg, "rsa-sha2-256") || ns_str_eq(alg, "rsa-sha2-512");
	case NS_PK_ED25519:
	case NS_PK_ECDSA_P256:
	case NS_PK_SK_ED25519:
	case NS_PK_SK_ECDSA_P256: return ns_str_eq(alg, ns_pubkey_type_name(type));
	default: return 0;
	}
}

static int verify_plain(const ns_pubkey *k, const ns_pk_fields *f, ns_str alg, ns_rd *r,
                        const uint8_t *data, size_t len)
{
	ns_str raw;

	ns_rd_string_max(r, NS_PUBKEY_SIG_MAX, &raw); /* string signature */
	if (ns_rd_end(r) != 0) {
		return NS_ERR_FORMAT;
	}
	switch (k->type) {
	case NS_PK_ED25519:
		if (raw.len != NS_ED25519_SIG_LEN) {
			return NS_ERR_FORMAT;
		}
		return crypto_sign_verify_detached(raw.p, data, len, f->ed25519.p) == 0
		           ? 0
		           : NS_ERR_SIGNATURE;
	case NS_PK_ECDSA_P256: return ns_sig_ecdsa_verify(f->q, raw, data, len);
	case NS_PK_RSA:
		return ns_sig_rsa_verify(f->e, f->n, ns_str_eq(alg, "rsa-sha2-512"), raw, data,
		                         len);
	default: return NS_ERR_KEYTYPE;
	}
}

int ns_pubkey_verify(const ns_pubkey *k, const char *want_alg, const uint8_t *sig, size_t siglen,
                     const uint8_t *data, size_t len, ns_sig_info *info)
{
	ns_sig_info dummy;
	ns_pk_fields f;
	ns_str alg;
	ns_rd r;

	info = info != NULL ? info : &dummy;
	memset(info, 0, sizeof(*info));
	if (ns_pk_fields_of(k, &f) != 0) {
		return NS_ERR_INVALID;
	}
	ns_rd_init(&r, sig, siglen);
	if (ns_rd_name(&r, ALG_NAME_MAX, &alg) != 0) { /* string algorithm */
		return NS_ERR_FORMAT;
	}
	if (!ns_pubkey_sig_alg_ok(k->type, alg) ||
	    (want_alg != NULL && !ns_str_eq(alg, want_alg))) {
		return NS_ERR_KEYTYPE;
	}
	if (k->type == NS_PK_SK_ED25519 || k->type == NS_PK_SK_ECDSA_P256) {
		return ns_sig_sk_verify(k->type, &f, &r, data, len, info);
	}
	return verify_plain(k, &f, alg, &r, data, len);
}
