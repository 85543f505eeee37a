/* Client side of user authentication (RFC 4252): "none" and publickey (query
 * or signed request over the session id), and the server's answers turned
 * into events. */
#include <sodium.h>
#include <string.h>

#include "auth.h"

static int start_request(ns_engine *e, const char *user, ns_buf **m)
{
	*m = NULL;
	if (e->role != NS_ROLE_CLIENT || e->phase != NS_PH_AUTH || !e->service_accepted ||
	    e->auth_wait) {
		return NS_ERR_STATE;
	}
	if (user == NULL || strlen(user) > NS_USER_MAX) {
		return NS_ERR_INVALID;
	}
	*m = ns_eng_msg(e, SSH_MSG_USERAUTH_REQUEST);
	ns_wr_cstr(*m, user);             /* user name */
	ns_wr_cstr(*m, "ssh-connection"); /* service name */
	return 0;
}

int ns_engine_auth_none(ns_engine *e, const char *user)
{
	ns_buf *m;
	int rc;

	if ((rc = start_request(e, user, &m)) != 0) {
		return rc;
	}
	ns_wr_cstr(m, "none"); /* method name */
	e->auth_wait = 1;
	return ns_eng_send(e);
}

static int publickey(ns_engine *e, const char *user, const ns_key *key, ns_str alg, ns_str blob,
                     int query)
{
	uint8_t sig[NS_SIG_BLOB_LEN], storage[NS_AUTH_SIGNED_MAX];
	ns_str u = {(const uint8_t *)user, user ? strlen(user) : 0};
	ns_str svc = {(const uint8_t *)"ssh-connection", 14};
	ns_buf data, *m;
	int rc;

	if (key == NULL || (!query && !key->has_sk)) {
		return NS_ERR_INVALID;
	}
	if (!query) {
		ns_buf_init_fixed(&data, storage, sizeof(storage));
		if ((rc = ns_auth_signed_data(e->session_id, u, svc, alg, blob, &data)) != 0 ||
		    (rc = ns_key_sign(key, data.p, data.len, sig)) != 0) {
			goto out;
		}
	}
	if ((rc = start_request(e, user, &m)) != 0) {
		goto out;
	}
	ns_wr_cstr(m, "publickey"); /* method name */
	ns_wr_bool(m, !query);      /* has signature */
	ns_wr_str(m, alg);          /* public key algorithm name */
	ns_wr_str(m, blob);         /* public key blob (or certificate) */
	if (!query) {
		ns_wr_string(m, sig, sizeof(sig)); /* signature */
	}
	e->auth_wait = 1;
	rc = ns_eng_send(e);
out:
	sodium_memzero(storage, sizeof(storage));
	return rc;
}

int ns_engine_auth_publickey(ns_engine *e, const char *user, const ns_key *key, int query)
{
	uint8_t blob[NS_KEY_BLOB_LEN];
	ns_str alg = {(const uint8_t *)"ssh-ed25519", 11}, b = {blob, sizeof(blob)};

	if (key == NULL) {
		return NS_ERR_INVALID;
	}
	ns_key_blob(key->pk, blob);
	return publickey(e, user, key, alg, b, query);
}

int ns_engine_auth_cert(ns_engine *e, const char *user, const ns_key *key, const uint8_t *cert,
                        size_t cert_len, int query)
{
	ns_str alg = {(const uint8_t *)NS_AUTH_CERT_ALG, strlen(NS_AUTH_CERT_ALG)};
	ns_str b = {cert, cert_len};
	uint8_t pk[NS_ED25519_PK_LEN];

	if (key == NULL || cert == NULL || cert_len > NS_AUTH_BLOB_MAX ||
	    ns_auth_cert_key(cert, cert_len, pk) != 0 ||
	    sodium_memcmp(pk, key->pk, sizeof(pk)) != 0) {
		return NS_ERR_INVALID; /* not a certificate for this key */
	}
	return publickey(e, user, key, alg, b, query);
}

static int on_ext_info(ns_engine *e, ns_rd *r)
{
	uint32_t n, i;
	ns_str name, value;

	ns_rd_u32(r, &n); /* nr-extensions */
	for (i = 0; i < n && i < 64 && r->err == 0; i++) {
		ns_rd_string_max(r, NS_NAME_MAX * 4, &name);  /* extension-name */
		ns_rd_string_max(r, NS_NAMELIST_MAX, &value); /* extension-value */
	}
	if (n > 64 || ns_rd_end(r) != 0) {
		return ns_eng_fail(e, NS_ERR_FORMAT, NS_DISC_PROTOCOL_ERROR, "malformed EXT_INFO");
	}
	return 0;
}

static int on_answer(ns_engine *e, uint8_t type, ns_rd *r)
{
	ns_event *ev;
	ns_str a, b;
	int partial = 0;

	if (type == SSH_MSG_USERAUTH_BANNER) {
		ns_rd_string_max(r, NS_TEXT_MAX, &a); /* message */
		ns_rd_string_max(r, NS_TEXT_MAX, &b); /* language tag */
	} else if (type == SSH_MSG_USERAUTH_FAILURE) {
		ns_rd_string_max(r, NS_NAMELIST_MAX, &a); /* authentications that can continue */
		ns_rd_bool(r, &partial);                  /* partial success */
	} else if (type == SSH_MSG_USERAUTH_PK_OK) {
		ns_rd_name(r, NS_NAME_MAX, &a);            /* algorithm */
		ns_rd_string_max(r, NS_AUTH_BLOB_MAX, &b); /* key blob */
	}
	if (ns_rd_end(r) != 0) {
		return ns_eng_fail(e, NS_ERR_FORMAT, NS_DISC_PROTOCOL_ERROR,
		                   "malformed authentication message");
	}
	if (type == SSH_MSG_USERAUTH_BANNER) {
		ev = ns_eng_emit(e, NS_EV_AUTH_BANNER);
		ev->message = a;
		return 0;
	}
	if (!e->auth_wait) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "authentication answer without a request");
	}
	e->auth_wait = 0;
	if (type == SSH_MSG_USERAUTH_SUCCESS) {
		e->auth_done = 1;
		e->phase = NS_PH_CONNECTED;
		ns_eng_emit(e, NS_EV_AUTH_SUCCESS);
	} else if (type == SSH_MSG_USERAUTH_FAILURE) {
		ev = ns_eng_emit(e, NS_EV_AUTH_FAILURE);
		ev->methods = a;
		ev->partial = partial;
	} else {
		ev = ns_eng_emit(e, NS_EV_AUTH_PK_OK);
		ev->alg = a;
		ev->key_blob = b;
	}
	return 0;
}

int ns_auth_client_dispatch(ns_engine *e, uint8_t type, ns_rd *r)
{
	ns_str name;

	switch (type) {
	case SSH_MSG_SERVICE_ACCEPT:
		ns_rd_name(r, NS_NAME_MAX, &name); /* service name */
		if (ns_rd_end(r) != 0 || !e->service_requested || e->service_accepted ||
		    !ns_str_eq(name, "ssh-userauth")) {
			return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
			                   "unexpected SERVICE_ACCEPT");
		}
		e->service_accepted = 1;
		ns_eng_emit(e, NS_EV_AUTH_READY);
		return 0;
	case SSH_MSG_EXT_INFO: return on_ext_info(e, r);
	case SSH_MSG_USERAUTH_SUCCESS:
	case SSH_MSG_USERAUTH_FAILURE:
	case SSH_MSG_USERAUTH_BANNER:
	case SSH_MSG_USERAUTH_PK_OK:
		if (e->auth_done) {
			return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
			                   "authentication message after success");
		}
		return on_answer(e, type, r);
	default:
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "unexpected authentication message");
	}
}
