/* The TLS client of `nullspace proxy` for wss:// (issue 13): BearSSL with
 * ns_tls_policy's suites, the server's certificate checked either against
 * the system's CAs (a PEM bundle: SSL_CERT_FILE or the Debian path), name
 * included, or, with a pin, only against that SHA-256 fingerprint of the
 * leaf certificate (its chain and name are then not looked at). */
#ifndef NS_TRANSPORT_TLS_CLIENT_H
#define NS_TRANSPORT_TLS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#define NS_TLS_CA_FILE_DEFAULT "/etc/ssl/certs/ca-certificates.crt"
#define NS_TLS_PIN_LEN 32         /* SHA-256 */
#define NS_TLS_HANDSHAKE_MS 15000 /* the proxy's whole handshake */

typedef struct ns_tls_client ns_tls_client;

typedef struct ns_tls_client_config {
	const char *host;    /* the URL's host: SNI and the name checked (CA mode) */
	const uint8_t *pin;  /* NS_TLS_PIN_LEN bytes, or NULL for CA mode */
	const char *ca_file; /* CA mode: the PEM bundle */
} ns_tls_client_config;

/* A client context ready to handshake: 0, or an error with err saying
 * what (no CA in the bundle, an IP host without a pin). */
int ns_tls_client_new(const ns_tls_client_config *cfg, ns_tls_client **out, char *err, size_t cap);
br_ssl_engine_context *ns_tls_client_engine(ns_tls_client *c);
/* Run the handshake on a blocking socket, at most timeout_ms: 0, a BearSSL
 * error (> 0: br_ssl_engine_last_error; ns_tls_error_name names it), or
 * NS_ERR_TIMEOUT / NS_ERR_IO. */
int ns_tls_client_handshake(ns_tls_client *c, int fd, int timeout_ms);
void ns_tls_client_free(ns_tls_client *c);

/* Trust anchors from a PEM bundle's certificates (tls_anchors.c). */
typedef struct ns_tls_anchors {
	br_x509_trust_anchor *ta;
	size_t n;
} ns_tls_anchors;
/* text (len bytes) of CERTIFICATE objects: 0 with *out (free it, even on
 * failure), NS_ERR_FORMAT when not PEM, NS_ERR_NOTFOUND when no usable
 * certificate, NS_ERR_NOMEM, NS_ERR_TOOBIG. Undecodable certificates are
 * skipped. */
int ns_tls_anchors_parse(const uint8_t *text, size_t len, ns_tls_anchors *out);
void ns_tls_anchors_free(ns_tls_anchors *a);

/* The pin check as a BearSSL X.509 engine (tls_pin.c): the leaf's DER
 * hashed and compared in constant time; its key given to the handshake. */
typedef struct ns_tls_pin_ctx {
	const br_x509_class *vtable;
	br_sha256_context sha;
	br_x509_decoder_context dec;
	uint8_t pin[NS_TLS_PIN_LEN];
	uint32_t depth;
} ns_tls_pin_ctx;
void ns_tls_pin_init(ns_tls_pin_ctx *p, const uint8_t pin[NS_TLS_PIN_LEN]);

#endif
