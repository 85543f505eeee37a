/* Minting SSH access: checks the caller's public key line (ssh-ed25519,
 * ecdsa-sha2-nistp256, ssh-rsa of 2048..8192 bits, sk-*), then has the CA sign a short-lived user
 * certificate for it, valid for the sandbox id as the only principal, with the permit-*
 * extensions the caller names (mint.h) and, when the caller knows it, the agent@nullspace
 * route to the sandbox's agent. No I/O; randomness from libsodium, the clock from the
 * caller. */
#include "mint.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "registry.h"
#include "route_ext.h"

#define ACCESS_PREFIX "acc_"
#define KEY_ID_MAX 160
#define CERT_SUFFIX "-cert-v01@openssh.com"
#define CERT_SUFFIX_LEN (sizeof(CERT_SUFFIX) - 1)

static const char ID_CHARS[] = "abcdefghijklmnopqrstuvwxyz0123456789";

void ns_random_id(const char *prefix, size_t n, char *out)
{
	size_t plen = strlen(prefix), i;

	memcpy(out, prefix, plen);
	for (i = 0; i < n; i++) {
		out[plen + i] = ID_CHARS[randombytes_uniform(sizeof(ID_CHARS) - 1)];
	}
	out[plen + n] = '\0';
}

/* What the refusals name (static strings). */
#define ACCEPTED                                                                                   \
	"accepted public keys: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa (2048 to 8192 bits), "    \
	"sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com"

/* Messages for key types people commonly paste that we do not take. */
static const struct {
	const char *type, *why;
} OTHER_TYPES[] = {
    {"ssh-dss", ACCEPTED " (got ssh-dss)"},
    {"ecdsa-sha2-nistp384", ACCEPTED " (got ecdsa-sha2-nistp384)"},
    {"ecdsa-sha2-nistp521", ACCEPTED " (got ecdsa-sha2-nistp521)"},
};

/* The first field of the line (the key type). */
static ns_str type_token(const char *line, size_t len)
{
	size_t i = 0, t;

	while (i < len && (line[i] == ' ' || line[i] == '\t')) {
		i++;
	}
	for (t = 0; i + t < len && line[i + t] != ' ' && line[i + t] != '\t'; t++) {
	}
	return (ns_str){(const uint8_t *)line + i, t};
}

static const char *keytype_why(ns_str t)
{
	size_t k;

	for (k = 0; k < sizeof(OTHER_TYPES) / sizeof(OTHER_TYPES[0]); k++) {
		if (strlen(OTHER_TYPES[k].type) == t.len &&
		    memcmp(OTHER_TYPES[k].type, t.p, t.len) == 0) {
			return OTHER_TYPES[k].why;
		}
	}
	if (t.len > CERT_SUFFIX_LEN &&
	    memcmp(t.p + t.len - CERT_SUFFIX_LEN, CERT_SUFFIX, CERT_SUFFIX_LEN) == 0) {
		return ACCEPTED " (got a certificate)";
	}
	return ACCEPTED;
}

/* The caller's key: 0, NS_ERR_KEYTYPE, NS_ERR_LIMIT (an RSA key outside
 * 2048..8192 bits) or NS_ERR_FORMAT with *why set. */
static int read_key(const char *line, size_t len, ns_pubkey *key, const char **why)
{
	ns_str t = type_token(line, len);
	int rc;

	if (t.len > 0 && ns_pubkey_type_of(t) == NS_PK_NONE) {
		*why = keytype_why(t);
		return NS_ERR_KEYTYPE;
	}
	if ((rc = ns_pubkey_from_line(line, len, key, NULL)) == NS_ERR_LIMIT) {
		*why = "RSA public keys of 2048 to 8192 bits are accepted";
	} else if (rc != 0) {
		rc = NS_ERR_FORMAT;
		*why = "public_key is not an OpenSSH public key line (\"ssh-ed25519 AAAA... "
		       "comment\")";
	}
	return rc;
}

static uint64_t random_serial(void)
{
	uint64_t serial = 0;

	while (serial == 0) {
		randombytes_buf(&serial, sizeof(serial));
	}
	return serial;
}

int ns_mint_access(const ns_key *ca, const char *sandbox_id, const char *public_key, size_t len,
                   int minutes, uint32_t extensions, int64_t now, ns_minted *out, const char **why)
{
	return ns_mint_access_routed(ca, sandbox_id, NULL, public_key, len, minutes, extensions,
	                             now, out, why);
}

int ns_mint_access_routed(const ns_key *ca, const char *sandbox_id, const char *route,
                          const char *public_key, size_t len, int minutes, uint32_t extensions,
                          int64_t now, ns_minted *out, const char **why)
{
	uint8_t blob[NS_CERT_BLOB_MAX];
	ns_pubkey key;
	char key_id[KEY_ID_MAX];
	const char *principals[1];
	const char *w = NULL;
	ns_cert_spec spec;
	size_t bloblen = 0;
	int rc = NS_ERR_INVALID;

	memset(out, 0, sizeof(*out));
	if (ca == NULL || !ca->has_sk || now < NS_MINT_BACKDATE) {
		w = "the control plane has no usable CA key";
		goto out;
	}
	if (!ns_registry_id_valid(sandbox_id)) {
		w = "not a valid sandbox id";
		goto out;
	}
	if (minutes < 1 || minutes > 60) {
		w = "expires_in_minutes must be an integer from 1 to 60";
		goto out;
	}
	if ((extensions & ~(uint32_t)NS_MINT_EXT_ALLOWED) != 0) {
		w = "only permit-pty, permit-port-forwarding and permit-agent-forwarding can be "
		    "minted";
		goto out;
	}
	if (public_key == NULL || (rc = read_key(public_key, len, &key, &w)) != 0) {
		rc = public_key == NULL ? NS_ERR_FORMAT : rc;
		w = w != NULL ? w : "public_key is required";
		goto out;
	}
	ns_random_id(ACCESS_PREFIX, NS_ACCESS_ID_LEN - (sizeof(ACCESS_PREFIX) - 1), out->access_id);
	snprintf(key_id, sizeof(key_id), "nullspace:%s:%s", out->access_id, sandbox_id);
	principals[0] = sandbox_id;
	memset(&spec, 0, sizeof(spec));
	spec.type = NS_CERT_USER;
	spec.key_id = key_id;
	spec.serial = random_serial();
	spec.principals = principals;
	spec.nprincipals = 1;
	spec.valid_after = (uint64_t)(now - NS_MINT_BACKDATE);
	spec.valid_before = (uint64_t)now + (uint64_t)minutes * 60;
	spec.extensions = extensions;
	if (route != NULL) {
		spec.ext_name = NS_ROUTE_EXT_NAME; /* where the agent is, CA-signed */
		spec.ext_value = route;
	}
	if ((rc = ns_cert_sign_key(ca, &key, &spec, blob, sizeof(blob), &bloblen)) != 0 ||
	    (rc = ns_cert_to_line(blob, bloblen, out->access_id, out->cert_line,
	                          sizeof(out->cert_line))) != 0) {
		w = "the certificate could not be signed";
		rc = rc == NS_ERR_INVALID ? NS_ERR_CRYPTO : rc; /* not the caller's fault */
		goto out;
	}
	out->serial = spec.serial;
	out->valid_after = (int64_t)spec.valid_after;
	out->expires_at = (int64_t)spec.valid_before;
out:
	if (rc != 0) {
		sodium_memzero(out, sizeof(*out));
	}
	if (why != NULL) {
		*why = rc != 0 ? w : NULL;
	}
	sodium_memzero(blob, sizeof(blob));
	return rc;
}
