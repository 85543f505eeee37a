/* User authentication (RFC 4252): the request parser shared by the server
 * side and the fuzzer, and the data a publickey signature covers. */
#ifndef NS_CORE_AUTH_H
#define NS_CORE_AUTH_H

#include "engine_int.h"

#define NS_AUTH_BLOB_MAX 16384
#define NS_AUTH_SIG_MAX 1024
#define NS_AUTH_SIGNED_MAX 1024

typedef struct ns_userauth_req {
	ns_str user, service, method;
	int has_sig;           /* publickey */
	ns_str alg, blob, sig; /* publickey */
} ns_userauth_req;

/* SSH_MSG_USERAUTH_REQUEST body after the message byte. Method-specific
 * fields are parsed for "publickey" only (a password is never looked at). */
int ns_userauth_request_parse(ns_rd *r, ns_userauth_req *req);
#define NS_AUTH_CERT_ALG "ssh-ed25519-cert-v01@openssh.com"

/* The public key inside an ssh-ed25519-cert-v01@openssh.com blob: its first
 * three fields only (type name, nonce, key). The engine needs the key to
 * check proof of possession; the certificate itself (structure, CA
 * signature, policy) is judged by cert/ in the caller. */
int ns_auth_cert_key(const uint8_t *blob, size_t len, uint8_t pk[NS_ED25519_PK_LEN]);
/* The data a publickey signature covers (RFC 4252 7), into out. */
int ns_auth_signed_data(const uint8_t session_id[32], ns_str user, ns_str service, ns_str alg,
                        ns_str blob, ns_buf *out);

#endif
