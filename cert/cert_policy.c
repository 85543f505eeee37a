/* Policy over a parsed certificate (ns_cert_parse has checked its structure
 * and the CA signature): trusted CA, type, principal, validity at the time
 * passed in, lifetime, critical options, revocation, in that order; the
 * first failure is the reason. Extensions are returned as bits that gate
 * features. */
#include "nullspace/cert.h"

#include <sodium.h>
#include <string.h>

#include "cert_int.h"
#include "nullspace/error.h"
#include "wire.h"

static const char *const REASON_NAMES[] = {
    [NS_CERT_OK] = "ok",
    [NS_CERT_MALFORMED] = "malformed",
    [NS_CERT_BAD_SIGNATURE] = "bad-signature",
    [NS_CERT_CA_IS_CERT] = "ca-is-cert",
    [NS_CERT_UNTRUSTED_CA] = "untrusted-ca",
    [NS_CERT_WRONG_TYPE] = "wrong-type",
    [NS_CERT_NO_PRINCIPALS] = "no-principals",
    [NS_CERT_WRONG_PRINCIPAL] = "wrong-principal",
    [NS_CERT_NOT_YET_VALID] = "not-yet-valid",
    [NS_CERT_EXPIRED] = "expired",
    [NS_CERT_UNKNOWN_OPTION] = "unknown-critical-option",
    [NS_CERT_SOURCE_ADDRESS] = "source-address",
    [NS_CERT_REVOKED_SERIAL] = "revoked-serial",
    [NS_CERT_REVOKED_KEY_ID] = "revoked-key-id",
    [NS_CERT_REVOKED_KEY] = "revoked-key",
    [NS_CERT_VERIFY_REQUIRED] = "verify-required",
    [NS_CERT_LIFETIME] = "lifetime-too-long",
    [NS_CERT_NO_PRESENCE] = "user-presence-required",
};

const char *ns_cert_reason_name(int reason)
{
	if (reason < 0 || (size_t)reason >= sizeof(REASON_NAMES) / sizeof(REASON_NAMES[0])) {
		return "unknown";
	}
	return REASON_NAMES[reason];
}

/* Every key is compared in constant time; no early exit. Trusted CA keys
 * are ed25519: a certificate signed by another key type is untrusted (its
 * ca_pk is all zero, which must never match a listed key). */
static int ca_trusted(const ns_cert *c, const ns_cert_policy *p)
{
	size_t i;
	int found = 0;

	if (c->ca_type != NS_PK_ED25519) {
		return 0;
	}
	for (i = 0; p->ca_keys != NULL && i < p->nca; i++) {
		found |= crypto_verify_32(p->ca_keys[i], c->ca_pk) == 0;
	}
	return found;
}

/* Exact match; an empty requested name never matches. */
static int has_principal(const ns_cert *c, const char *want)
{
	ns_str name;
	uint32_t i;

	if (want == NULL || want[0] == '\0') {
		return 0;
	}
	for (i = 0; i < c->nprincipals; i++) {
		if (ns_cert_principal(c, i, &name) == 0 && ns_str_eq(name, want)) {
			return 1;
		}
	}
	return 0;
}

static int source_address(ns_str list, const char *peer)
{
	int m = ns_cidr_list_match(list, peer);

	if (m < 0) {
		return NS_CERT_MALFORMED;
	}
	return m == 1 && peer != NULL ? NS_CERT_OK : NS_CERT_SOURCE_ADDRESS;
}

static int is_sk(int type)
{
	return type == NS_PK_SK_ED25519 || type == NS_PK_SK_ECDSA_P256;
}

/* verify-required asks for FIDO user verification (a PIN or biometrics
 * checked by the authenticator): only an sk-* signature can show it, by its
 * UV flag. Before the signature (a query, p->sig NULL) an sk-* key passes. */
static int verify_required(const ns_cert *c, const ns_cert_policy *p)
{
	if (!is_sk(c->key_type)) {
		return NS_CERT_VERIFY_REQUIRED;
	}
	return p->sig == NULL || (p->sig->flags & NS_SK_FLAG_UV) ? NS_CERT_OK
	                                                         : NS_CERT_VERIFY_REQUIRED;
}

/* Each critical option understood and satisfied; none exist for hosts.
 * verify-required: see above; a certificate of another key type that asks
 * for it is refused by name. */
static int check_options(const ns_cert *c, const ns_cert_policy *p, ns_cert_verdict *v)
{
	ns_rd r;
	ns_str name, data, value;
	int rc = 0, why = NS_CERT_OK;

	ns_rd_init(&r, c->critical_options.p, c->critical_options.len);
	while (why == NS_CERT_OK && (rc = ns_cert_pair_next(&r, &name, &data)) == 1) {
		if (c->type != NS_CERT_USER) {
			why = NS_CERT_UNKNOWN_OPTION;
		} else if (ns_cert_pair_value(data, &value) != 0) {
			why = NS_CERT_MALFORMED;
		} else if (ns_str_eq(name, "force-command")) {
			why = value.len > 0 ? NS_CERT_OK : NS_CERT_MALFORMED;
			v->force_command = value;
			v->has_force_command = 1;
		} else if (ns_str_eq(name, "source-address")) {
			why = source_address(value, p->peer_addr);
		} else if (ns_str_eq(name, "verify-required")) {
			why = data.len == 0 ? verify_required(c, p) : NS_CERT_MALFORMED;
		} else {
			why = NS_CERT_UNKNOWN_OPTION;
		}
	}
	return why == NS_CERT_OK && rc < 0 ? NS_CERT_MALFORMED : why;
}

static int judge(const ns_cert *c, const ns_cert_policy *p, ns_cert_verdict *v)
{
	int why;

	if (c->blob.p == NULL) {
		return NS_CERT_MALFORMED; /* not (successfully) parsed */
	}
	if (!ca_trusted(c, p)) {
		return NS_CERT_UNTRUSTED_CA;
	}
	if (c->type != p->type) {
		return NS_CERT_WRONG_TYPE;
	}
	if (c->nprincipals == 0) {
		return NS_CERT_NO_PRINCIPALS;
	}
	if (!has_principal(c, p->principal)) {
		return NS_CERT_WRONG_PRINCIPAL;
	}
	if (p->now < c->valid_after) {
		return NS_CERT_NOT_YET_VALID;
	}
	if (p->now >= c->valid_before) {
		return NS_CERT_EXPIRED;
	}
	/* valid_after <= now < valid_before here, so the difference is positive */
	if (p->max_lifetime != 0 && c->valid_before - c->valid_after > p->max_lifetime) {
		return NS_CERT_LIFETIME;
	}
	if ((why = check_options(c, p, v)) != NS_CERT_OK) {
		return why;
	}
	/* a FIDO signature made without a touch: only with no-touch-required */
	if (p->sig != NULL && p->sig->sk && !(p->sig->flags & NS_SK_FLAG_UP) &&
	    !(ns_cert_extension_bits(c) & NS_EXT_NO_TOUCH_REQUIRED)) {
		return NS_CERT_NO_PRESENCE;
	}
	if (p->revoked != NULL && ns_revoked_check(p->revoked, p->revoked_len, c, &why) != 0) {
		return why;
	}
	return NS_CERT_OK;
}

int ns_cert_check(const ns_cert *c, const ns_cert_policy *p, ns_cert_verdict *v)
{
	int why;

	memset(v, 0, sizeof(*v));
	why = judge(c, p, v);
	if (why != NS_CERT_OK) {
		memset(v, 0, sizeof(*v));
		v->reason = why;
		return NS_ERR_AUTH;
	}
	v->extensions = ns_cert_extension_bits(c);
	return 0;
}
