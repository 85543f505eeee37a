/* User authentication (RFC 4252): the request parser shared by the server
 * side and the fuzzer, and the data a publickey signature covers. */
#ifndef NS_CORE_AUTH_H
#define NS_CORE_AUTH_H

#include "engine_int.h"
#include "nullspace/pubkey.h"

/* The largest public key or certificate blob a server takes (equal to
 * NS_CERT_BLOB_MAX, 16 KiB: OpenSSH's 256 principals and 1 KiB key ids fit).
 * A larger one is refused as "certificate-too-large" / "key-too-large",
 * not dropped as malformed: the request itself may be as large as a packet. */
#define NS_AUTH_BLOB_MAX 16384
/* The signed data of a publickey request (RFC 4252 7) with the largest
 * fields the parser takes: session id, byte 50, user, service, "publickey",
 * TRUE, algorithm, blob. */
/* The largest signature blob a client sends (an ssh-ed25519 one is 83
 * bytes; an agent or embedder that returns more is refused). */
#define NS_AUTH_SIG_MAX 1024
#define NS_AUTH_SIGNED_MAX                                                                         \
	((4 + 64) + 1 + (4 + NS_USER_MAX) + 3 * (4 + NS_NAME_MAX) + 1 + (4 + NS_AUTH_BLOB_MAX))

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
/* The publickey algorithms a server takes, in the server-sig-algs order
 * (plain algorithms only, as OpenSSH sends it). */
#define NS_SERVER_SIG_ALGS                                                                         \
	"ssh-ed25519,sk-ssh-ed25519@openssh.com,ecdsa-sha2-nistp256,"                              \
	"sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,rsa-sha2-256"

/* One publickey algorithm (core/auth_alg.c). */
typedef struct ns_auth_alg {
	const char *name; /* as in the request */
	int type;         /* enum ns_pk_type of the key */
	int is_cert;      /* the blob is a certificate */
	const char *sig;  /* the signature algorithm the proof uses */
} ns_auth_alg;

/* The algorithm by name; NULL when we do not take it (ssh-rsa, ssh-dss...). */
const ns_auth_alg *ns_auth_alg_find(ns_str name);
/* The key of a request's blob (a plain key or the key a certificate
 * carries), of the algorithm's type; *why says why not. */
int ns_auth_blob_key(const ns_auth_alg *a, const uint8_t *blob, size_t len, ns_pubkey *key,
                     const char **why);
/* The data a publickey signature covers (RFC 4252 7), into out; the
 * session id is 32 or 64 bytes (the first kex's hash). */
int ns_auth_signed_data(const uint8_t *session_id, size_t session_id_len, ns_str user,
                        ns_str service, ns_str alg, ns_str blob, ns_buf *out);

#endif
