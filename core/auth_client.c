/* Client side of user authentication (RFC 4252): "none" and publickey (query
 * or signed request over the session id, signed with a key we hold or by
 * the caller, e.g. through ssh-agent), and the server's answers turned
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

/* The algorithm name and blob a publickey request names: the plain key,
 * or a certificate that must be for pk. */
static int key_id(const uint8_t pk[NS_ED25519_PK_LEN], const uint8_t *cert, size_t cert_len,
                  uint8_t blob[NS_KEY_BLOB_LEN], ns_str *alg, ns_str *b)
{
	uint8_t cpk[NS_ED25519_PK_LEN];

	if (pk == NULL) {
		return NS_ERR_INVALID;
	}
	if (cert == NULL) {
		ns_key_blob(pk, blob);
		*alg = (ns_str){(const uint8_t *)"ssh-ed25519", 11};
		*b = (ns_str){blob, NS_KEY_BLOB_LEN};
		return 0;
	}
	if (cert_len > NS_AUTH_BLOB_MAX || ns_auth_cert_key(cert, cert_len, cpk) != 0 ||
	    sodium_memcmp(cpk, pk, sizeof(cpk)) != 0) {
		return NS_ERR_INVALID; /* not a certificate for this key */
	}
	*alg = (ns_str){(const uint8_t *)NS_AUTH_CERT_ALG, strlen(NS_AUTH_CERT_ALG)};
	*b = (ns_str){cert, cert_len};
	return 0;
}

/* What the signature covers (RFC 4252 7), into out. */
static int sign_data(const ns_engine *e, const char *user, ns_str alg, ns_str blob, ns_buf *out)
{
	ns_str u = {(const uint8_t *)user, user ? strlen(user) : 0};
	ns_str svc = {(const uint8_t *)"ssh-connection", 14};

	if (e->role != NS_ROLE_CLIENT || !e->have_session_id) {
		return NS_ERR_STATE;
	}
	if (user == NULL || u.len > NS_USER_MAX) {
		return NS_ERR_INVALID;
	}
	return ns_auth_signed_data(e->session_id, e->session_id_len, u, svc, alg, blob, out);
}

/* The request, with sig (a signature blob) or as a query (sig NULL). */
static int send_publickey(ns_engine *e, const char *user, ns_str alg, ns_str blob,
                          const uint8_t *sig, size_t sig_len)
{
	ns_buf *m;
	int rc;

	if ((rc = start_request(e, user, &m)) != 0) {
		return rc;
	}
	ns_wr_cstr(m, "publickey"); /* method name */
	ns_wr_bool(m, sig != NULL); /* has signature */
	ns_wr_str(m, alg);          /* public key algorithm name */
	ns_wr_str(m, blob);         /* public key blob (or certificate) */
	if (sig != NULL) {
		ns_wr_string(m, sig, sig_len); /* signature */
	}
	e->auth_wait = 1;
	return ns_eng_send(e);
}

/* Sign with the key we hold and send. */
static int publickey(ns_engine *e, const char *user, const ns_key *key, const uint8_t *cert,
                     size_t cert_len, int query)
{
	uint8_t sig[NS_SIG_BLOB_LEN], storage[NS_AUTH_SIGNED_MAX], blob[NS_KEY_BLOB_LEN];
	ns_str alg, b;
	ns_buf data;
	int rc;

	if (key == NULL || (!query && !key->has_sk)) {
		return NS_ERR_INVALID;
	}
	if ((rc = key_id(key->pk, cert, cert_len, blob, &alg, &b)) != 0) {
		return rc;
	}
	if (query) {
		return send_publickey(e, user, alg, b, NULL, 0);
	}
	ns_buf_init_fixed(&data, storage, sizeof(storage));
	if ((rc = sign_data(e, user, alg, b, &data)) == 0 &&
	    (rc = ns_key_sign(key, data.p, data.len, sig)) == 0) {
		rc = send_publickey(e, user, alg, b, sig, sizeof(sig));
	}
	sodium_memzero(storage, sizeof(storage));
	return rc;
}

int ns_engine_auth_publickey(ns_engine *e, const char *user, const ns_key *key, int query)
{
	return publickey(e, user, key, NULL, 0, query);
}

int ns_engine_auth_cert(ns_engine *e, const char *user, const ns_key *key, const uint8_t *cert,
                        size_t cert_len, int query)
{
	if (cert == NULL) {
		return NS_ERR_INVALID;
	}
	return publickey(e, user, key, cert, cert_len, query);
}

_Static_assert(NS_AUTH_SIGN_DATA_MAX >= NS_AUTH_SIGNED_MAX,
               "the public bound on signed data covers the engine's");

int ns_engine_auth_sign_data(ns_engine *e, const char *user, const uint8_t pk[NS_ED25519_PK_LEN],
                             const uint8_t *cert, size_t cert_len, uint8_t *out, size_t cap,
                             size_t *len)
{
	uint8_t blob[NS_KEY_BLOB_LEN];
	ns_str alg, b;
	ns_buf data;
	int rc;

	*len = 0;
	if ((rc = key_id(pk, cert, cert_len, blob, &alg, &b)) != 0) {
		return rc;
	}
	ns_buf_init_fixed(&data, out, cap < NS_AUTH_SIGNED_MAX ? cap : NS_AUTH_SIGNED_MAX);
	if ((rc = sign_data(e, user, alg, b, &data)) == 0) {
		*len = data.len;
	}
	return rc;
}

int ns_engine_auth_signed(ns_engine *e, const char *user, const uint8_t pk[NS_ED25519_PK_LEN],
                          const uint8_t *cert, size_t cert_len, const uint8_t *sig, size_t sig_len)
{
	uint8_t storage[NS_AUTH_SIGNED_MAX], blob[NS_KEY_BLOB_LEN];
	ns_str alg, b;
	ns_buf data;
	int rc;

	if (sig == NULL || sig_len > NS_AUTH_SIG_MAX) {
		return NS_ERR_INVALID;
	}
	if ((rc = key_id(pk, cert, cert_len, blob, &alg, &b)) != 0) {
		return rc;
	}
	ns_buf_init_fixed(&data, storage, sizeof(storage));
	if ((rc = sign_data(e, user, alg, b, &data)) != 0) {
		return rc;
	}
	/* A signature that would not verify is caught here, with a clear
	 * error, instead of as a refusal from the server. */
	if ((rc = ns_key_verify(pk, sig, sig_len, data.p, data.len)) != 0) {
		return rc;
	}
	return send_publickey(e, user, alg, b, sig, sig_len);
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
