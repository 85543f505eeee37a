/* The relay's TLS server (issue 13's wss://): the certificate chain and
 * private key loaded once from PEM files, and one BearSSL server context
 * per connection. TLS 1.2 only (BearSSL has no 1.3), ECDHE key exchange
 * with AEAD suites only (AES-GCM, ChaCha20-Poly1305), an ECDSA P-256 or
 * RSA (2048 bits or more) key. */
#ifndef NS_TRANSPORT_TLS_SERVER_H
#define NS_TRANSPORT_TLS_SERVER_H

#include <stddef.h>

#include <bearssl.h>

#define NS_TLS_CHAIN_MAX 8       /* certificates in the chain file */
#define NS_TLS_RSA_BITS_MIN 2048 /* a smaller RSA key is refused */

typedef struct ns_tls_cred ns_tls_cred;
typedef struct ns_tls_server ns_tls_server;

/* Load cert_path (the chain, leaf first) and key_path (PKCS#8, SEC1 or
 * PKCS#1 PEM): 0 or a negative NS_ERR_* with err saying what is wrong
 * (never the key). */
int ns_tls_cred_load(const char *cert_path, const char *key_path, ns_tls_cred **out, char *err,
                     size_t cap);
void ns_tls_cred_free(ns_tls_cred *c);
/* "ecdsa-p256" or "rsa". */
const char *ns_tls_cred_kind(const ns_tls_cred *c);

/* A server context for one connection (about NS_TLS_IOBUF + 4 KiB), its
 * handshake not begun: 0 or NS_ERR_NOMEM / NS_ERR_CRYPTO. cred outlives it. */
int ns_tls_server_new(const ns_tls_cred *cred, ns_tls_server **out);
br_ssl_engine_context *ns_tls_server_engine(ns_tls_server *s);
void ns_tls_server_free(ns_tls_server *s);

/* The version range, suites, hashes, PRFs and AEADs both sides use;
 * rsa_server: the suites of an RSA server key, else of an ECDSA one;
 * client: both. */
enum { NS_TLS_SUITES_EC = 1, NS_TLS_SUITES_RSA = 2 };
void ns_tls_policy(br_ssl_engine_context *eng, int which);

#endif
