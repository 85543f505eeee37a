/* `nullspace up --relay-host-ca FILE`: one identity for a fleet of relays.
 * The host CA (a private key file kept by the operator) signs up's relay
 * host key for the public host name at each start; the relay presents that
 * host certificate (--host-cert) and the API tells clients to pin the CA
 * with @cert-authority, so any relay signed by the same CA passes. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "sshfiles_int.h"
#include "keyfiles.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "up_int.h"

#define HOST_CERT_FILE "relay_host_key-cert.pub"

int ns_up_host_ca(ns_up_state *st, const char *ca_path, const char *public_host,
                  uint8_t ca_pk[NS_ED25519_PK_LEN], char *err, size_t cap)
{
	uint8_t blob[NS_CERT_BLOB_MAX];
	char line[NS_CERT_LINE_MAX];
	const char *principals[1] = {public_host};
	ns_cert_spec spec;
	ns_key ca;
	size_t len = 0;
	int64_t now = (int64_t)time(NULL);
	int rc;

	st->relay_host_cert[0] = '\0';
	if (ns_cli_load_private_key("up", "relay host CA key", ca_path, &ca) != 0) {
		snprintf(err, cap, "cannot use the relay host CA key %s", ca_path);
		return NS_ERR_INVALID;
	}
	memset(&spec, 0, sizeof(spec));
	spec.type = NS_CERT_HOST;
	spec.key_id = "nullspace up relay";
	randombytes_buf(&spec.serial, sizeof(spec.serial));
	spec.principals = principals;
	spec.nprincipals = 1;
	spec.valid_after = (uint64_t)(now - NS_UP_HOST_CERT_BACKDATE);
	spec.valid_before = (uint64_t)now + NS_UP_HOST_CERT_LIFETIME;
	if ((rc = ns_cert_sign(&ca, st->relay_host_pk, &spec, blob, sizeof(blob), &len)) != 0 ||
	    (rc = ns_cert_to_line(blob, len, "nullspace-up-relay", line, sizeof(line))) != 0) {
		snprintf(err, cap, "cannot sign the relay's host certificate: %s", ns_strerror(rc));
		goto out;
	}
	memcpy(ca_pk, ca.pk, NS_ED25519_PK_LEN);
	if (snprintf(st->relay_host_cert, sizeof(st->relay_host_cert), "%.*s/%s",
	             (int)(sizeof(st->relay_host_cert) - sizeof(HOST_CERT_FILE) - 1), st->dir,
	             HOST_CERT_FILE) >= (int)sizeof(st->relay_host_cert)) {
		rc = NS_ERR_TOOBIG;
		snprintf(err, cap, "the state folder's path is too long");
		goto out;
	}
	len = strlen(line);
	line[len++] = '\n';
	if ((rc = ns_sshfiles_write(st->relay_host_cert, line, len, 0644, 0, err, cap)) != 0) {
		st->relay_host_cert[0] = '\0';
	}
out:
	ns_key_wipe(&ca);
	return rc;
}
