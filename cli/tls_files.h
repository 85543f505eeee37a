/* The relay's wss:// certificate files (issue 13), shared by `nullspace up`
 * and `nullspace tls-cert`: a self-signed ECDSA P-256 certificate (PEM,
 * 0644), its key (PEM, 0600) and its SHA-256 fingerprint (hex and a
 * newline, 0644: what `nullspace proxy --pin-sha256` and the API pin). */
#ifndef NS_CLI_TLS_FILES_H
#define NS_CLI_TLS_FILES_H

#include <stddef.h>

#include "tls_certgen.h"

#define NS_TLS_FILES_MADE 1    /* *made: there were none */
#define NS_TLS_FILES_RENEWED 2 /* ... the old one had < NS_TLS_CERT_RENEW_DAYS left */

/* Make the three files for host, or keep them when cert and key exist and
 * the certificate is not a self-signed one about to expire (the fingerprint
 * file is rewritten from the certificate then). *made says which (0, or
 * one of the above); hex gets the fingerprint. 0, or an error with err set
 * (never key bytes). */
int ns_tls_files_ensure(const char *host, const char *cert, const char *key, const char *fp,
                        int *made, char hex[NS_TLS_SHA256_HEX + 1], char *err, size_t cap);

#endif
