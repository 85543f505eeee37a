/* USERAUTH_REQUEST parsing and the publickey signed data (RFC 4252 5, 7),
 * shared by both roles and fuzzed by fuzz_userauth. */
#include "auth.h"

#include <string.h>

int ns_userauth_request_parse(ns_rd *r, ns_userauth_req *req)
{
	memset(req, 0, sizeof(*req));
	ns_rd_string_max(r, NS_USER_MAX, &req->user); /* user name (UTF-8) */
	ns_rd_name(r, NS_NAME_MAX, &req->service);    /* service name */
	ns_rd_name(r, NS_NAME_MAX, &req->method);     /* method name */
	if (r->err || !ns_str_eq(req->method, "publickey")) {
		return r->err;
	}
	/* The blob and signature are bounded by the packet here; the server
	 * refuses a blob over NS_AUTH_BLOB_MAX by name (on_publickey). */
	ns_rd_bool(r, &req->has_sig);          /* TRUE when signed */
	ns_rd_name(r, NS_NAME_MAX, &req->alg); /* public key algorithm */
	ns_rd_string(r, &req->blob);           /* public key blob */
	if (req->has_sig) {
		ns_rd_string(r, &req->sig); /* signature */
	}
	return ns_rd_end(r);
}

int ns_auth_signed_data(const uint8_t *session_id, size_t session_id_len, ns_str user,
                        ns_str service, ns_str alg, ns_str blob, ns_buf *out)
{
	ns_wr_string(out, session_id, session_id_len); /* session identifier */
	ns_wr_u8(out, SSH_MSG_USERAUTH_REQUEST);       /* byte 50 */
	ns_wr_str(out, user);                          /* user name */
	ns_wr_str(out, service);                       /* service name */
	ns_wr_cstr(out, "publickey");                  /* "publickey" */
	ns_wr_bool(out, 1);                            /* TRUE */
	ns_wr_str(out, alg);                           /* public key algorithm name */
	return ns_wr_str(out, blob);                   /* public key to be used */
}

int ns_auth_cert_key(const uint8_t *blob, size_t len, uint8_t pk[NS_ED25519_PK_LEN])
{
	ns_str type, nonce, key;
	ns_rd r;

	memset(pk, 0, NS_ED25519_PK_LEN);
	ns_rd_init(&r, blob, len);
	ns_rd_name(&r, NS_NAME_MAX, &type); /* certificate type name */
	ns_rd_string_max(&r, 64, &nonce);   /* nonce */
	ns_rd_string_max(&r, 32, &key);     /* ed25519 public key */
	if (r.err) {
		return r.err;
	}
	if (!ns_str_eq(type, NS_AUTH_CERT_ALG)) {
		return NS_ERR_KEYTYPE;
	}
	if (key.len != NS_ED25519_PK_LEN) {
		return NS_ERR_FORMAT;
	}
	memcpy(pk, key.p, NS_ED25519_PK_LEN);
	return 0;
}
