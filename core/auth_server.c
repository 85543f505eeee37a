/* Server side of user authentication (RFC 4252): the ssh-userauth service,
 * publickey signatures of every key type in auth_alg.c verified here (proof
 * of possession), every decision
 * handed to the caller as NS_EV_AUTH_REQUEST, and the attempt limit. */
#include <sodium.h>
#include <string.h>

#include "auth.h"

static int send_failure(ns_engine *e, int counted)
{
	ns_buf *m;

	if (counted && ++e->auth_failures >= e->cfg.max_auth_tries) {
		return ns_eng_fail(e, NS_ERR_AUTH, NS_DISC_NO_MORE_AUTH_METHODS,
		                   "too many authentication failures");
	}
	m = ns_eng_msg(e, SSH_MSG_USERAUTH_FAILURE);
	ns_wr_cstr(m, "publickey"); /* authentications that can continue */
	ns_wr_bool(m, 0);           /* partial success */
	return ns_eng_send(e);
}

static int on_service_request(ns_engine *e, ns_rd *r)
{
	ns_str name;
	ns_buf *m;

	ns_rd_name(r, NS_NAME_MAX, &name); /* service name */
	if (ns_rd_end(r) != 0 || e->service_accepted || !ns_str_eq(name, "ssh-userauth")) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_SERVICE_NOT_AVAILABLE,
		                   "service not available");
	}
	e->service_accepted = 1;
	m = ns_eng_msg(e, SSH_MSG_SERVICE_ACCEPT);
	ns_wr_cstr(m, "ssh-userauth"); /* service name */
	return ns_eng_send(e);
}

/* Verify the signature of a signed publickey request over the session id,
 * with the signature algorithm the request's algorithm implies. */
static int verify_signature(ns_engine *e, const ns_userauth_req *q, const ns_auth_alg *a,
                            const ns_pubkey *key, ns_sig_info *info)
{
	uint8_t storage[NS_AUTH_SIGNED_MAX];
	ns_buf data;
	int rc;

	ns_buf_init_fixed(&data, storage, sizeof(storage));
	if ((rc = ns_auth_signed_data(e->session_id, e->session_id_len, q->user, q->service, q->alg,
	                              q->blob, &data)) != 0) {
		return rc;
	}
	return ns_pubkey_verify(key, a->sig, q->sig.p, q->sig.len, data.p, data.len, info);
}

/* Why the engine refuses a publickey request itself, or NULL; e->auth_key,
 * e->auth_sig and *is_cert are filled when it does not. */
static const char *judge_key(ns_engine *e, const ns_userauth_req *q, int *is_cert)
{
	const ns_auth_alg *a = ns_auth_alg_find(q->alg);
	const char *why = NULL;

	*is_cert = a != NULL && a->is_cert;
	if (a == NULL) {
		return "unsupported-key-type"; /* ssh-rsa (SHA-1), ssh-dss, webauthn, ... */
	}
	if (q->blob.len > NS_AUTH_BLOB_MAX) {
		return *is_cert ? "certificate-too-large" : "key-too-large";
	}
	if (ns_auth_blob_key(a, q->blob.p, q->blob.len, &e->auth_key, &why) != 0) {
		return why; /* malformed-key, rsa-key-too-small, invalid-ecdsa-point, ... */
	}
	memset(&e->auth_sig, 0, sizeof(e->auth_sig));
	if (q->has_sig && verify_signature(e, q, a, &e->auth_key, &e->auth_sig) != 0) {
		return "invalid-signature";
	}
	return NULL;
}

/* Every publickey request becomes an event, so the caller logs each refusal
 * once, the engine's own (ev->refused) included; those leave auth_method_pk
 * at 0, so whatever the verdict, the answer is a counted failure. */
static int on_publickey(ns_engine *e, const ns_userauth_req *q, ns_event **evp)
{
	ns_event *ev;
	int is_cert = 0;
	const char *why = judge_key(e, q, &is_cert);

	ev = ns_eng_emit(e, NS_EV_AUTH_REQUEST);
	ev->alg = q->alg;
	*evp = ev;
	if (why != NULL) {
		ev->refused = why;
		return 0;
	}
	if (e->auth_key.type == NS_PK_ED25519) {
		memcpy(ev->key, e->auth_key.blob + e->auth_key.blob_len - NS_ED25519_PK_LEN,
		       NS_ED25519_PK_LEN);
	}
	ev->pubkey = &e->auth_key;
	ev->sig_info = e->auth_sig;
	ev->key_parsed = 1;
	ev->is_cert = is_cert;
	ev->signed_ok = q->has_sig;
	ev->key_blob = q->blob;
	e->auth_method_pk = 1;
	e->auth_pk_query = !q->has_sig;
	e->auth_is_cert = is_cert;
	ns_buf_reset(&e->auth_blob);
	ns_buf_reset(&e->auth_alg);
	if (ns_wr_bytes(&e->auth_blob, q->blob.p, q->blob.len) != 0 ||
	    ns_wr_bytes(&e->auth_alg, q->alg.p, q->alg.len) != 0) {
		return ns_eng_fail(e, NS_ERR_NOMEM, NS_DISC_BY_APPLICATION, "out of memory");
	}
	return 0;
}

static int on_userauth_request(ns_engine *e, ns_rd *r)
{
	ns_userauth_req q;
	ns_event *ev = NULL;
	int rc;

	if (e->auth_done) {
		return 0; /* RFC 4252 5.1: ignored after success */
	}
	if (!e->service_accepted || e->auth_wait) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "userauth request out of order");
	}
	if (ns_userauth_request_parse(r, &q) != 0) {
		return ns_eng_fail(e, NS_ERR_FORMAT, NS_DISC_PROTOCOL_ERROR,
		                   "malformed userauth request");
	}
	if (!ns_str_eq(q.service, "ssh-connection")) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_SERVICE_NOT_AVAILABLE,
		                   "service not available");
	}
	e->auth_method_pk = 0;
	e->auth_pk_query = 0;
	e->auth_method_none = ns_str_eq(q.method, "none");
	if (ns_str_eq(q.method, "publickey")) {
		if ((rc = on_publickey(e, &q, &ev)) != 0 || ev == NULL) {
			return rc;
		}
	} else {
		ev = ns_eng_emit(e, NS_EV_AUTH_REQUEST);
	}
	ev->user = q.user;
	ev->service = q.service;
	ev->method = q.method;
	e->auth_wait = 1;
	return 0;
}

int ns_auth_server_dispatch(ns_engine *e, uint8_t type, ns_rd *r)
{
	switch (type) {
	case SSH_MSG_SERVICE_REQUEST: return on_service_request(e, r);
	case SSH_MSG_EXT_INFO: return 0; /* a client's extensions: none that we act on */
	case SSH_MSG_USERAUTH_REQUEST: return on_userauth_request(e, r);
	default:
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "unexpected authentication message");
	}
}

int ns_engine_auth_verdict(ns_engine *e, int accept)
{
	ns_buf *m;

	if (e->role != NS_ROLE_SERVER || !e->auth_wait || e->phase == NS_PH_CLOSED) {
		return NS_ERR_STATE;
	}
	e->auth_wait = 0;
	if (accept && e->auth_method_pk && e->auth_pk_query) {
		m = ns_eng_msg(e, SSH_MSG_USERAUTH_PK_OK);
		ns_wr_string(m, e->auth_alg.p, e->auth_alg.len);   /* algorithm, as asked */
		ns_wr_string(m, e->auth_blob.p, e->auth_blob.len); /* key blob */
		ns_buf_free(&e->auth_blob);
		ns_buf_free(&e->auth_alg);
		return ns_eng_send(e);
	}
	ns_buf_free(&e->auth_blob);
	ns_buf_free(&e->auth_alg);
	if (accept && e->auth_method_pk) {
		e->auth_done = 1;
		e->phase = NS_PH_CONNECTED;
		ns_eng_msg(e, SSH_MSG_USERAUTH_SUCCESS);
		return ns_eng_send(e);
	}
	return send_failure(e, !e->auth_method_none);
}

int ns_engine_auth_banner(ns_engine *e, const char *text)
{
	ns_buf *m;

	if (e->role != NS_ROLE_SERVER || e->phase != NS_PH_AUTH || e->auth_done || text == NULL ||
	    strlen(text) > NS_TEXT_MAX) {
		return NS_ERR_STATE;
	}
	m = ns_eng_msg(e, SSH_MSG_USERAUTH_BANNER);
	ns_wr_cstr(m, text); /* message */
	ns_wr_cstr(m, "");   /* language tag */
	return ns_eng_send(e);
}
