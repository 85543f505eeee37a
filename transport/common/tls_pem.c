/* PEM to DER for the TLS files (the relay's certificate and key, the CA
 * bundle `nullspace proxy` trusts): BearSSL's PEM decoder, every object
 * kept with its name, the number and size of objects capped. BearSSL does
 * not compare an object's END label with its BEGIN one (RFC 7468 section 2
 * wants them equal): a pass over the lines here does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>
#include <sodium.h>

#include "file.h"
#include "nullspace/error.h"
#include "tls_pem.h"

typedef struct sink {
	uint8_t *buf;
	size_t len;
	int over, inside; /* inside: an object began and has not ended */
} sink;

static void append(void *ctx, const void *p, size_t n)
{
	sink *s = ctx;

	if (s->over || n > NS_TLS_PEM_OBJ_MAX - s->len) {
		s->over = 1;
		return;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
}

/* The object just ended: kept in out. */
static int keep(ns_tls_pem *out, const char *name, sink *s)
{
	ns_tls_pem_obj *o;

	if (s->over) {
		return NS_ERR_TOOBIG;
	}
	if (out->n == NS_TLS_PEM_OBJS_MAX) {
		return NS_ERR_TOOBIG;
	}
	if ((out->n & (out->n - 1)) == 0) { /* 0, 1, 2, 4...: grow */
		size_t cap = out->n == 0 ? 1 : out->n * 2;
		ns_tls_pem_obj *g = realloc(out->objs, cap * sizeof(*g));
		if (g == NULL) {
			return NS_ERR_NOMEM;
		}
		out->objs = g;
	}
	o = &out->objs[out->n];
	memset(o, 0, sizeof(*o));
	if ((o->der = malloc(s->len ? s->len : 1)) == NULL) {
		return NS_ERR_NOMEM;
	}
	memcpy(o->der, s->buf, s->len);
	o->len = s->len;
	snprintf(o->name, sizeof(o->name), "%s", name);
	out->n++;
	return 0;
}

/* BearSSL names a CRLF file's "-----BEGIN X-----\r" object "X-----\r":
 * back to "X". */
static void trim_name(char *name)
{
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '\r') {
		name[--n] = '\0';
	}
	if (n >= 5 && memcmp(name + n - 5, "-----", 5) == 0) {
		name[n - 5] = '\0';
	}
}

static int run(br_pem_decoder_context *pc, const uint8_t *p, size_t len, ns_tls_pem *out, sink *s,
               char *name)
{
	size_t used;
	int rc;

	while (len > 0) {
		used = br_pem_decoder_push(pc, p, len);
		p += used;
		len -= used;
		switch (br_pem_decoder_event(pc)) {
		case BR_PEM_BEGIN_OBJ:
			snprintf(name, NS_TLS_PEM_NAME_MAX, "%s", br_pem_decoder_name(pc));
			trim_name(name);
			s->len = 0;
			s->over = 0;
			s->inside = 1;
			br_pem_decoder_setdest(pc, append, s);
			break;
		case BR_PEM_END_OBJ:
			s->inside = 0;
			if ((rc = keep(out, name, s)) != 0) {
				return rc;
			}
			break;
		case BR_PEM_ERROR: return NS_ERR_FORMAT;
		default: break;
		}
	}
	return 0;
}

/* The line [p, end) without its "\r", if it starts with prefix and ends
 * with "-----": its label, else NULL. */
static const uint8_t *label(const uint8_t *p, const uint8_t *end, const char *prefix, size_t *n)
{
	size_t plen = strlen(prefix);

	if (end > p && end[-1] == '\r') {
		end--;
	}
	if ((size_t)(end - p) < plen + 5 || memcmp(p, prefix, plen) != 0 ||
	    memcmp(end - 5, "-----", 5) != 0) {
		return NULL;
	}
	*n = (size_t)(end - p) - plen - 5;
	return p + plen;
}

/* Every "-----END X-----" names the X of the "-----BEGIN X-----" it closes. */
static int labels_pair(const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len, *nl, *open = NULL, *l;
	size_t open_len = 0, n;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			nl = end;
		}
		if ((l = label(p, nl, "-----BEGIN ", &n)) != NULL) {
			open = l;
			open_len = n;
		} else if ((l = label(p, nl, "-----END ", &n)) != NULL && open != NULL) {
			if (n != open_len || memcmp(l, open, n) != 0) {
				return NS_ERR_FORMAT;
			}
			open = NULL;
		}
	}
	return 0;
}

int ns_tls_pem_parse(const uint8_t *text, size_t len, ns_tls_pem *out)
{
	br_pem_decoder_context pc;
	char name[NS_TLS_PEM_NAME_MAX] = "";
	sink s = {NULL, 0, 0, 0};
	int rc;

	memset(out, 0, sizeof(*out));
	if (labels_pair(text, len) != 0) {
		return NS_ERR_FORMAT;
	}
	if ((s.buf = malloc(NS_TLS_PEM_OBJ_MAX)) == NULL) {
		return NS_ERR_NOMEM;
	}
	br_pem_decoder_init(&pc);
	rc = run(&pc, text, len, out, &s, name);
	if (rc == 0) {
		rc = run(&pc, (const uint8_t *)"\n", 1, out, &s, name); /* a last line's end */
	}
	if (rc == 0 && (out->n == 0 || s.inside)) {
		rc = NS_ERR_FORMAT; /* nothing, or a last object cut short */
	}
	sodium_memzero(s.buf, NS_TLS_PEM_OBJ_MAX);
	free(s.buf);
	return rc;
}

int ns_tls_pem_load(const char *path, ns_tls_pem *out)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ns_file_read(path, NS_TLS_PEM_FILE_MAX, &text, &len)) != 0) {
		return rc;
	}
	rc = ns_tls_pem_parse((const uint8_t *)text, len, out);
	sodium_memzero(text, len);
	free(text);
	return rc;
}

void ns_tls_pem_free(ns_tls_pem *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		sodium_memzero(p->objs[i].der, p->objs[i].len);
		free(p->objs[i].der);
	}
	free(p->objs);
	memset(p, 0, sizeof(*p));
}
