/* A self-signed ECDSA P-256 certificate for the relay's wss:// listener
 * (issue 13): BearSSL reads X.509 but writes none, so this is a small DER
 * encoder for exactly one shape of certificate. Pure: the key seed, the
 * serial and the clock come from the caller. */
#ifndef NS_TRANSPORT_TLS_CERTGEN_H
#define NS_TRANSPORT_TLS_CERTGEN_H

#include <stddef.h>
#include <stdint.h>

#define NS_TLS_CERT_DER_MAX 2048  /* the DER certificate, bytes at most */
#define NS_TLS_CERT_PEM_MAX 3072  /* ... and its PEM */
#define NS_TLS_KEY_PEM_MAX 512    /* the SEC1 "EC PRIVATE KEY" PEM */
#define NS_TLS_CERT_DAYS 365      /* validity */
#define NS_TLS_CERT_RENEW_DAYS 30 /* `nullspace up` makes a new one with fewer left */
#define NS_TLS_CERT_HOST_MAX 253  /* the host name (a DNS name's longest) */
#define NS_TLS_CERT_SERIAL_LEN 16 /* random serial bytes */
#define NS_TLS_SHA256_HEX 64      /* a fingerprint: SHA-256 of the DER, hex */

typedef struct ns_tls_certgen {
	/* subject CN and subjectAltName: an IPv4/IPv6 literal becomes an
	 * iPAddress entry, anything else a dNSName ([A-Za-z0-9.-], no more
	 * than NS_TLS_CERT_HOST_MAX) */
	const char *host;
	uint64_t now; /* notBefore, Unix seconds; notAfter is days later */
	uint32_t days;
	uint8_t serial[NS_TLS_CERT_SERIAL_LEN]; /* random */
	uint8_t seed[32];                       /* the key's seed: random */
} ns_tls_certgen;

/* The certificate (DER, *der_len bytes) and its private key (SEC1 PEM,
 * NUL-terminated): 0, NS_ERR_INVALID (host), NS_ERR_CRYPTO. The key
 * buffer is the caller's to wipe. */
int ns_tls_certgen_make(const ns_tls_certgen *g, uint8_t der[NS_TLS_CERT_DER_MAX], size_t *der_len,
                        char key_pem[NS_TLS_KEY_PEM_MAX]);
/* DER to "-----BEGIN CERTIFICATE-----" PEM, NUL-terminated: 0 or
 * NS_ERR_TOOBIG. */
int ns_tls_cert_pem(const uint8_t *der, size_t len, char pem[NS_TLS_CERT_PEM_MAX]);
/* SHA-256 of der, lowercase hex, NUL-terminated: what `--pin-sha256` and
 * `openssl x509 -fingerprint -sha256` (without colons) show. */
void ns_tls_cert_sha256_hex(const uint8_t *der, size_t len, char hex[NS_TLS_SHA256_HEX + 1]);
/* tls_selfcheck.c: BearSSL's chain check of the self-signed der alone, its
 * own trust anchor, for name (NULL: any) at Unix time t. 0 with *br_err
 * BearSSL's verdict (0: valid; BR_ERR_X509_EXPIRED outside its dates), or
 * NS_ERR_FORMAT when der does not decode. */
int ns_tls_cert_self_check(const uint8_t *der, size_t len, const char *name, uint64_t t,
                           unsigned *br_err);

#endif
