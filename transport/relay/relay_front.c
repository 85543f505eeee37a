/* The user's side of a relay connection: the events of its server engine,
 * and authentication. Only publickey with an OpenSSH user certificate is
 * accepted: trusted CA, principal = the SSH user name = the sandbox id (a
 * login name that is no sandbox id names the certificate's only principal),
 * validity, lifetime, options, revocation; then the sandbox must exist in
 * the certificate's route or the registry (relay_route.c) and be running.
 * Every refused attempt is one log line. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "relay_int.h"
#include "wire.h"

#define WHY_MAX 64
#define MSG_MAX 256
#define ALG_LOG_MAX 72 /* an algorithm name (at most 64 bytes) as logged */

typedef struct auth_info {
	char user[NS_SANDBOX_ID_MAX + 1];  /* as logged */
	char login[NS_SANDBOX_ID_MAX + 1]; /* the login name, when user came from the cert */
	char fp[NS_FINGERPRINT_LEN];
	char cert_id[64];
	unsigned long long serial;
	uint64_t valid_before;
	char why[WHY_MAX];
	ns_relay_route_info route; /* relay_route.c */
} auth_info;

static void log_auth(ns_relay_conn *c, const ns_event *ev, const auth_info *a, int ok)
{
	fprintf(c->r->log, "relay event=auth conn=%u result=%s user=%s key=%s", c->id,
	        ok ? "accepted" : "refused", a->user, a->fp);
	if (a->login[0] != '\0') {
		fprintf(c->r->log, " login=%s", a->login);
	}
	if (ev->is_cert && a->cert_id[0] != '\0') {
		fprintf(c->r->log, " cert_id=%s serial=%llu", a->cert_id, a->serial);
	}
	if (!ok) {
		fprintf(c->r->log, " reason=%s", a->why);
	}
	fprintf(c->r->log, "%s\n", ev->signed_ok ? "" : " query=yes");
	ns_relay_stats_login(c->r, ok, a->why);
}

/* What the user reads (a USERAUTH_BANNER: ssh prints it on stderr and goes
 * on with its next key) about a refused certificate. */
static const char *refusal_text(int reason)
{
	switch (reason) {
	case NS_CERT_EXPIRED: return "the certificate has expired";
	case NS_CERT_NOT_YET_VALID: return "the certificate is not yet valid";
	case NS_CERT_WRONG_PRINCIPAL:
		return "the certificate's principals do not include this sandbox";
	case NS_CERT_NO_PRINCIPALS: return "the certificate has no principals";
	case NS_CERT_UNTRUSTED_CA: return "the certificate is not signed by a trusted CA";
	case NS_CERT_REVOKED_SERIAL:
	case NS_CERT_REVOKED_KEY_ID:
	case NS_CERT_REVOKED_KEY: return "the certificate has been revoked";
	case NS_CERT_SOURCE_ADDRESS: return "the certificate does not allow this source address";
	case NS_CERT_WRONG_TYPE: return "a host certificate cannot log in";
	case NS_CERT_VERIFY_REQUIRED:
		return "the certificate requires FIDO user verification (verify-required), which "
		       "only a FIDO (sk-*) key can give";
	case NS_CERT_NO_PRESENCE:
		return "the FIDO key signed without a touch and the certificate has no "
		       "no-touch-required";
	case NS_CERT_LIFETIME: return "the certificate is valid for longer than this relay allows";
	default: return "the certificate is not valid";
	}
}

static void banner(ns_relay_conn *c, const ns_event *ev, const auth_info *a, int reason)
{
	char text[256];

	if (!ev->is_cert) {
		if (c->told_plain) {
			return; /* once per connection: ssh may try many keys */
		}
		c->told_plain = 1;
		snprintf(text, sizeof(text),
		         "nullspace relay: only certificate logins are accepted; key %s has no "
		         "certificate\n",
		         a->fp);
	} else if (reason >= 0) {
		snprintf(text, sizeof(text), "nullspace relay: certificate refused: %s (%s)\n",
		         refusal_text(reason), a->why);
	} else {
		snprintf(text, sizeof(text), "nullspace relay: certificate refused (%s)\n", a->why);
	}
	ns_call_check(c->front.e, c->r->log, "relay", c->id, "engine_auth_banner",
	              ns_engine_auth_banner(c->front.e, text));
}

/* What the user reads about a refusal of the engine's (ev->refused). */
static const char *engine_refusal_text(const char *why)
{
	if (strcmp(why, "unsupported-key-type") == 0) {
		return "only OpenSSH certificates of ssh-ed25519, ecdsa-sha2-nistp256, RSA "
		       "(rsa-sha2-512/256) and sk-* keys are accepted";
	}
	if (strcmp(why, "rsa-key-too-small") == 0 || strcmp(why, "rsa-key-too-large") == 0) {
		return "RSA keys of 2048 to 8192 bits are accepted";
	}
	if (strstr(why, "too-large") != NULL) {
		return "certificates of at most 16 KiB are accepted";
	}
	return "the key or its signature is not valid";
}

/* A request the engine refused itself (another key type, a blob over 16
 * KiB, a bad signature): one line, a banner once per connection. */
static void engine_refused(ns_relay_conn *c, const ns_event *ev, const auth_info *a)
{
	char alg[ALG_LOG_MAX], text[256];

	ns_log_str(ev->alg, alg, sizeof(alg));
	fprintf(c->r->log, "relay event=auth conn=%u result=refused user=%s alg=%s reason=%s\n",
	        c->id, a->user, alg, ev->refused);
	ns_relay_stats_login(c->r, 0, ev->refused);
	if (!c->told_plain) {
		c->told_plain = 1;
		snprintf(text, sizeof(text), "nullspace relay: %s key refused (%s): %s\n", alg,
		         ev->refused, engine_refusal_text(ev->refused));
		ns_call_check(c->front.e, c->r->log, "relay", c->id, "engine_auth_banner",
		              ns_engine_auth_banner(c->front.e, text));
	}
	ns_call_check(c->front.e, c->r->log, "relay", c->id, "engine_auth_verdict",
	              ns_engine_auth_verdict(c->front.e, 0));
}

static int has_principal(const ns_cert *cert, ns_str name)
{
	uint32_t i;
	ns_str p;

	for (i = 0; i < cert->nprincipals; i++) {
		if (ns_cert_principal(cert, i, &p) == 0 && p.len == name.len &&
		    memcmp(p.p, name.p, name.len) == 0) {
			return 1;
		}
	}
	return 0;
}

/* The sandbox a login is for: the login name, as OpenSSH's principals
 * rule has it. A name the certificate does not list, when the certificate
 * lists exactly one sandbox, names that one (ssh's default login name is
 * the local user's: `ssh sb_x` through `nullspace ssh-config`, or
 * `git@sb_x:repo`), except a name that starts like one of our ids ("sb_"):
 * a typo is refused, never taken elsewhere. 0, or -1 with a->why set. */
static int login_sandbox(const ns_event *ev, const ns_cert *cert, auth_info *a)
{
	ns_str p = ev->user;

	if (!has_principal(cert, ev->user) && cert->nprincipals == 1 &&
	    !(ev->user.len >= 3 && memcmp(ev->user.p, "sb_", 3) == 0) &&
	    ns_cert_principal(cert, 0, &p) == 0) {
		ns_log_str(ev->user, a->login, sizeof(a->login));
	}
	if (ns_str_copy(p, a->user, sizeof(a->user)) != 0 || strlen(a->user) != p.len ||
	    !ns_registry_id_valid(a->user)) {
		ns_log_str(ev->user, a->user, sizeof(a->user));
		a->login[0] = '\0';
		snprintf(a->why, sizeof(a->why), "bad-sandbox-id");
		return -1;
	}
	return 0;
}

/* The certificate against the policy; 1 when acceptable (v filled). */
static int cert_ok(ns_relay_conn *c, const ns_event *ev, auth_info *a, ns_cert_verdict *v,
                   int *code)
{
	ns_cert_policy pol;
	ns_cert cert;
	int reason = 0;

	if (ns_cert_parse(ev->key_blob.p, ev->key_blob.len, &cert, &reason) != 0) {
		snprintf(a->why, sizeof(a->why), "%s", ns_cert_reason_name(reason));
		*code = reason;
		return 0;
	}
	ns_log_str(cert.key_id, a->cert_id, sizeof(a->cert_id));
	a->serial = (unsigned long long)cert.serial;
	a->valid_before = cert.valid_before;
	if (login_sandbox(ev, &cert, a) != 0) {
		return 0;
	}
	memset(&pol, 0, sizeof(pol));
	pol.ca_keys = (const uint8_t(*)[NS_ED25519_PK_LEN])c->r->cas;
	pol.nca = c->r->nca;
	pol.type = NS_CERT_USER;
	pol.principal = a->user;
	pol.now = (uint64_t)time(NULL);
	pol.peer_addr = c->peer;
	pol.revoked = c->r->revoked;
	pol.revoked_len = c->r->revoked_len;
	pol.max_lifetime = c->r->cfg->max_cert_lifetime;
	pol.sig = ev->signed_ok ? &ev->sig_info : NULL;
	if (ns_cert_check(&cert, &pol, v) != 0) {
		snprintf(a->why, sizeof(a->why), "%s", ns_cert_reason_name(v->reason));
		*code = v->reason;
		return 0;
	}
	if (ns_relay_revoke_login(c, &cert, a->why, sizeof(a->why), code) != 0) {
		return 0; /* the live list (relay_revoke.c) */
	}
	ns_relay_route_from_cert(c->r, &cert, &a->route);
	return 1;
}

/* The signed request passed the certificate checks: the sandbox must be
 * known and running. 1 to accept; else the connection is closed with a
 * message the user sees. */
static int sandbox_ok(ns_relay_conn *c, auth_info *a)
{
	char msg[MSG_MAX];

	if (c->front.ws != NULL && strcmp(ns_relay_ws_sandbox(c->front.ws), a->user) != 0) {
		/* the signed URL opened the door to another sandbox */
		snprintf(a->why, sizeof(a->why), "websocket-other-sandbox");
		snprintf(msg, sizeof(msg), "this WebSocket URL is for sandbox %s, not %s",
		         ns_relay_ws_sandbox(c->front.ws), a->user);
		/* NS_ERR_CLOSED only: then it is closing already */
		(void)!ns_engine_disconnect(c->front.e, NS_DISC_BY_APPLICATION, msg);
		return 0;
	}
	if (ns_relay_route_login(c->r, a->user, &a->route, a->why, sizeof(a->why), msg,
	                         sizeof(msg)) == 0) {
		return ns_relay_caps_login(c, a->user, a->why, sizeof(a->why)) == 0;
	}
	/* NS_ERR_CLOSED only: then it is closing already */
	(void)!ns_engine_disconnect(c->front.e, NS_DISC_BY_APPLICATION, msg);
	return 0;
}

static int accept_login(ns_relay_conn *c, const auth_info *a, const ns_cert_verdict *v)
{
	free(c->force_command);
	c->force_command = NULL;
	if (v->has_force_command && (c->force_command = strndup((const char *)v->force_command.p,
	                                                        v->force_command.len)) == NULL) {
		return 0;
	}
	c->permit_pty = (v->extensions & NS_EXT_PERMIT_PTY) != 0;
	c->permit_port_fwd = (v->extensions & NS_EXT_PERMIT_PORT_FORWARDING) != 0;
	c->permit_agent_fwd = (v->extensions & NS_EXT_PERMIT_AGENT_FORWARDING) != 0;
	snprintf(c->user, sizeof(c->user), "%s", a->user);
	snprintf(c->cert_id, sizeof(c->cert_id), "%s", a->cert_id);
	c->serial = a->serial;
	c->route_src = a->route.src;
	c->route = a->route.ent;
	c->valid_before = a->valid_before;
	c->authed = 1;
	return 1;
}

static void auth(ns_relay_conn *c, const ns_event *ev)
{
	ns_cert_verdict v;
	auth_info a;
	int ok = 0, code = -1;

	memset(&a, 0, sizeof(a));
	memset(&v, 0, sizeof(v));
	ns_log_str(ev->user, a.user, sizeof(a.user));
	if (ev->refused != NULL) {
		engine_refused(c, ev, &a);
		return;
	}
	if (!ns_str_eq(ev->method, "publickey") || !ev->key_parsed) {
		ns_call_check(c->front.e, c->r->log, "relay", c->id, "engine_auth_verdict",
		              ns_engine_auth_verdict(c->front.e, 0));
		if (!ns_str_eq(ev->method, "none")) {
			char method[32];
			ns_log_str(ev->method, method, sizeof(method));
			fprintf(c->r->log,
			        "relay event=auth conn=%u result=refused user=%s method=%s "
			        "reason=method-not-allowed\n",
			        c->id, a.user, method);
			ns_relay_stats_login(c->r, 0, "method-not-allowed");
		}
		return;
	}
	ns_pubkey_fingerprint(ev->pubkey, a.fp);
	snprintf(a.why, sizeof(a.why), "not-a-certificate");
	if (ev->is_cert && cert_ok(c, ev, &a, &v, &code)) {
		if (ev->signed_ok && !sandbox_ok(c, &a)) {
			log_auth(c, ev, &a, 0);
			return; /* the connection is closing with the message */
		}
		ok = !ev->signed_ok || accept_login(c, &a, &v);
		snprintf(a.why, sizeof(a.why), "out-of-memory");
	}
	if (ev->signed_ok || !ok) {
		log_auth(c, ev, &a, ok);
	}
	if (!ok) {
		banner(c, ev, &a, code);
	}
	ns_call_check(c->front.e, c->r->log, "relay", c->id, "engine_auth_verdict",
	              ns_engine_auth_verdict(c->front.e, ok));
	if (ok && ev->signed_ok) {
		ns_relay_revoke_keep(c, ev->key_blob);
		ns_relay_conn_authed(c);
	}
}

static void disconnected(ns_relay_conn *c, const ns_event *ev, uint64_t now)
{
	char msg[NS_LOG_MSG_MAX], err[64] = "none";
	ns_str es;

	ns_log_str(ev->message, msg, sizeof(msg));
	if (ev->error != 0 && ev->error != NS_ERR_DISCONNECTED) {
		es.p = (const uint8_t *)ns_strerror(ev->error);
		es.len = strlen((const char *)es.p);
		ns_log_str(es, err, sizeof(err));
	}
	fprintf(c->r->log, "relay event=disconnect conn=%u by=%s reason=%u error=%s msg=%s\n",
	        c->id, ev->by_peer ? "peer" : "relay", ev->reason, err, msg[0] != '\0' ? msg : "-");
	c->closing = 1;
	c->close_deadline = now + NS_RELAY_CLOSE_LINGER_MS;
}

void ns_relay_front_event(ns_relay_conn *c, const ns_event *ev, uint64_t now)
{
	switch (ev->type) {
	case NS_EV_AUTH_REQUEST: auth(c, ev); break;
	case NS_EV_CHANNEL_OPEN: ns_relay_splice_open(c, ev, now); break;
	case NS_EV_CHANNEL_OPENED:
	case NS_EV_CHANNEL_OPEN_FAILED: ns_relay_fwd_front_answer(c, ev); break;
	case NS_EV_GLOBAL_REQUEST: ns_relay_rfwd_front_request(c, ev, now); break;
	case NS_EV_CHANNEL_REQUEST: ns_relay_splice_front_request(c, ev); break;
	case NS_EV_CHANNEL_REPLY: ns_relay_splice_front_reply(c, ev); break;
	case NS_EV_CHANNEL_DATA:
	case NS_EV_CHANNEL_EOF:
	case NS_EV_CHANNEL_CLOSED: ns_relay_splice_front_event(c, ev); break;
	case NS_EV_DISCONNECT: disconnected(c, ev, now); break;
	default: break; /* NS_EV_WRITABLE: every pump sweeps the holds */
	}
}
