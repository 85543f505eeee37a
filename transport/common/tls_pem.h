/* PEM files for TLS (issue 13): the objects of a PEM text (certificates,
 * a private key) decoded with BearSSL's PEM decoder into DER, with limits
 * on their number and size. */
#ifndef NS_TRANSPORT_TLS_PEM_H
#define NS_TRANSPORT_TLS_PEM_H

#include <stddef.h>
#include <stdint.h>

#define NS_TLS_PEM_FILE_MAX (1024 * 1024) /* a CA bundle is ~200 KiB */
#define NS_TLS_PEM_OBJ_MAX 16384          /* DER bytes of one object */
#define NS_TLS_PEM_OBJS_MAX 1024          /* objects in one file */
#define NS_TLS_PEM_NAME_MAX 128           /* "CERTIFICATE", "EC PRIVATE KEY" */

typedef struct ns_tls_pem_obj {
	char name[NS_TLS_PEM_NAME_MAX];
	uint8_t *der;
	size_t len;
} ns_tls_pem_obj;

typedef struct ns_tls_pem {
	ns_tls_pem_obj *objs;
	size_t n;
} ns_tls_pem;

/* Decode text (len bytes): 0 with every object in *out (free with
 * ns_tls_pem_free, even on failure), NS_ERR_FORMAT (not PEM, or a broken
 * object), NS_ERR_TOOBIG (an object or their number over the limits),
 * NS_ERR_NOMEM. Text outside objects is skipped, as openssl does; a last
 * object without its END line is NS_ERR_FORMAT. */
int ns_tls_pem_parse(const uint8_t *text, size_t len, ns_tls_pem *out);
/* Read and decode a file (at most NS_TLS_PEM_FILE_MAX bytes). */
int ns_tls_pem_load(const char *path, ns_tls_pem *out);
/* Objects wiped (a key's) and freed. */
void ns_tls_pem_free(ns_tls_pem *p);

#endif
