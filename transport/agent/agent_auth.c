/* The agent's user authentication policy: only publickey with a key (any
 * type the engine verifies: ed25519, ecdsa, RSA, sk-*) listed in the
 * authorized_keys file or a user certificate from a trusted CA
 * (--ca-keys), files read again at every request so edits apply at once.
 * The engine has verified the signature itself. One log line per refusal. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent_int.h"
#include "ca_keys.h"
#include "file.h"
#include "log_str.h"
#include "nullspace/authfile.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "wire.h"

/* A FIDO signature made without a touch is taken only where allowed. */
static int presence_ok(const ns_event *ev, int no_touch)
{
	return !ev->signed_ok || !ev->sig_info.sk || (ev->sig_info.flags & NS_SK_FLAG_UP) ||
	       no_touch;
}

static int key_listed(ns_agent_conn *c, const ns_event *ev, char *why, size_t cap)
{
	const char *path = c->agent->cfg->authorized_keys;
	char *text = NULL;
	size_t len = 0;
	int rc, no_touch = 0;

	if ((rc = ns_file_read(path, NS_AGENT_AUTHKEYS_MAX, &text, &len)) != 0) {
		fprintf(c->host.log,
		        "agent event=error conn=%u what=authorized-keys error=\"%s\"\n",
		        c->host.conn_id, ns_strerror(rc));
		return 0;
	}
	rc = ns_authkeys_find_key(text, len, ev->pubkey, &no_touch);
	free(text);
	if (rc == 0 && !presence_ok(ev, no_touch)) {
		snprintf(why, cap, "user-presence-required");
		return 0;
	}
	return rc == 0;
}

/* The CA keys file, read again at every request; a bad line is skipped. */
static size_t load_cas(ns_agent_conn *c, uint8_t (*cas)[NS_ED25519_PK_LEN], size_t max)
{
	char *text = NULL;
	size_t len = 0, n = 0, bad_line;
	int rc;

	if ((rc = ns_file_read(c->agent->cfg->ca_keys, NS_AGENT_AUTHKEYS_MAX, &text, &len)) != 0) {
		fprintf(c->host.log, "agent event=error conn=%u what=ca-keys error=\"%s\"\n",
		        c->host.conn_id, ns_strerror(rc));
		return 0;
	}
	(void)ns_ca_keys_parse(text, len, cas, max, &n, &bad_line);
	free(text);
	return n;
}

/* What the log line of one attempt says beyond user and key. */
typedef struct attempt {
	char why[64];              /* reason=, when refused */
	unsigned long long serial; /* of a parsed certificate */
	int has_serial;
} attempt;

/* A user certificate: parse, then the policy (trusted CA, principal = the
 * login name, validity now, lifetime, source-address, critical options). On
 * success the restrictions go to the connection for its sessions. */
static int cert_accepted(ns_agent_conn *c, const ns_event *ev, attempt *at)
{
	uint8_t cas[NS_CA_KEYS_MAX][NS_ED25519_PK_LEN];
	char user[NS_AGENT_USER_LOG_MAX];
	ns_cert_policy pol;
	ns_cert_verdict v;
	ns_cert cert;
	int reason = 0;

	snprintf(at->why, sizeof(at->why), "no-ca-keys");
	if (c->agent->cfg->ca_keys == NULL) {
		return 0;
	}
	if (ns_cert_parse(ev->key_blob.p, ev->key_blob.len, &cert, &reason) != 0) {
		snprintf(at->why, sizeof(at->why), "%s", ns_cert_reason_name(reason));
		return 0;
	}
	at->serial = (unsigned long long)cert.serial;
	at->has_serial = 1;
	if (ns_str_copy(ev->user, user, sizeof(user)) != 0 || strlen(user) != ev->user.len) {
		snprintf(at->why, sizeof(at->why), "bad-user-name");
		return 0;
	}
	memset(&pol, 0, sizeof(pol));
	pol.nca = load_cas(c, cas, NS_CA_KEYS_MAX);
	pol.ca_keys = (const uint8_t(*)[NS_ED25519_PK_LEN])cas;
	pol.type = NS_CERT_USER;
	pol.principal = user;
	pol.now = (uint64_t)time(NULL);
	pol.peer_addr = c->host.peer;
	pol.max_lifetime = c->agent->cfg->max_cert_lifetime;
	pol.sig = ev->signed_ok ? &ev->sig_info : NULL;
	if (ns_cert_check(&cert, &pol, &v) != 0) {
		snprintf(at->why, sizeof(at->why), "%s", ns_cert_reason_name(v.reason));
		return 0;
	}
	if (ev->signed_ok) {
		free(c->host.force_command);
		c->host.force_command = NULL;
		if (v.has_force_command &&
		    (c->host.force_command =
		         strndup((const char *)v.force_command.p, v.force_command.len)) == NULL) {
			snprintf(at->why, sizeof(at->why), "out-of-memory");
			return 0;
		}
		c->host.no_pty = !(v.extensions & NS_EXT_PERMIT_PTY);
		c->host.no_port_fwd = !(v.extensions & NS_EXT_PERMIT_PORT_FORWARDING);
		c->host.no_agent_fwd = !(v.extensions & NS_EXT_PERMIT_AGENT_FORWARDING);
	}
	return 1;
}

/* One publickey attempt with a key or certificate the engine took:
 * a line when signed (accepted or not) and when a query is refused. */
static void publickey(ns_agent_conn *c, const ns_event *ev)
{
	char fp[NS_FINGERPRINT_LEN], serial[32] = "";
	attempt at;
	int ok;

	memset(&at, 0, sizeof(at));
	snprintf(at.why, sizeof(at.why), "key-not-authorized");
	ok = ev->is_cert ? cert_accepted(c, ev, &at)
	                 : c->agent->cfg->authorized_keys != NULL &&
	                       key_listed(c, ev, at.why, sizeof(at.why));
	ns_call_check(c->host.e, c->host.log, "agent", c->host.conn_id, "engine_auth_verdict",
	              ns_engine_auth_verdict(c->host.e, ok));
	if (ok && ev->signed_ok) {
		c->host.relay_login = !ev->is_cert; /* see ns_session_host */
	}
	if (!ev->signed_ok && ok) {
		return; /* a query answered PK_OK: the signed request that follows is logged */
	}
	ns_pubkey_fingerprint(ev->pubkey, fp);
	if (at.has_serial) {
		snprintf(serial, sizeof(serial), " serial=%llu", at.serial);
	}
	fprintf(c->host.log, "agent event=auth conn=%u result=%s user=%s key=%s%s%s%s%s%s\n",
	        c->host.conn_id, ok ? "accepted" : "refused", c->user, fp,
	        ev->is_cert ? " cert=yes" : "", serial, ok ? "" : " reason=", ok ? "" : at.why,
	        ev->signed_ok ? "" : " query=yes");
}

/* Every refused attempt is one line with reason=, whatever the method or key
 * type; "none" (which every client sends first) is not worth one. */
void ns_agent_auth(ns_agent_conn *c, const ns_event *ev)
{
	char method[32], alg[72];

	ns_log_str(ev->user, c->user, sizeof(c->user));
	if (ev->refused != NULL) {
		ns_call_check(c->host.e, c->host.log, "agent", c->host.conn_id,
		              "engine_auth_verdict", ns_engine_auth_verdict(c->host.e, 0));
		ns_log_str(ev->alg, alg, sizeof(alg));
		fprintf(c->host.log,
		        "agent event=auth conn=%u result=refused user=%s alg=%s reason=%s\n",
		        c->host.conn_id, c->user, alg, ev->refused);
		return;
	}
	if (ns_str_eq(ev->method, "publickey") && ev->key_parsed) {
		publickey(c, ev);
		return;
	}
	ns_call_check(c->host.e, c->host.log, "agent", c->host.conn_id, "engine_auth_verdict",
	              ns_engine_auth_verdict(c->host.e, 0));
	if (ns_str_eq(ev->method, "none")) {
		return;
	}
	ns_log_str(ev->method, method, sizeof(method));
	fprintf(
	    c->host.log,
	    "agent event=auth conn=%u result=refused user=%s method=%s reason=method-not-allowed\n",
	    c->host.conn_id, c->user, method);
}
