/* Trust anchors for `nullspace proxy` without a pin: each CERTIFICATE of
 * a PEM bundle (the system's CAs) decoded with BearSSL's X.509 decoder
 * into its subject DN and public key, copied into one allocation each. */
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "tls_client.h"
#include "tls_pem.h"

#define DN_MAX 1024 /* a subject DN, bytes: longer ones are skipped */

typedef struct dn_buf {
	uint8_t b[DN_MAX];
	size_t len;
	int over;
} dn_buf;

static void dn_append(void *ctx, const void *p, size_t n)
{
	dn_buf *d = ctx;

	if (d->over || n > DN_MAX - d->len) {
		d->over = 1;
		return;
	}
	memcpy(d->b + d->len, p, n);
	d->len += n;
}

/* copy n bytes to *at, advance it */
static unsigned char *take(uint8_t **at, const void *p, size_t n)
{
	unsigned char *r = *at;

	memcpy(r, p, n);
	*at += n;
	return r;
}

/* One certificate into ta: 1 kept, 0 skipped, NS_ERR_NOMEM. */
static int one(const uint8_t *der, size_t len, br_x509_trust_anchor *ta)
{
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;
	dn_buf dn = {{0}, 0, 0};
	size_t need;
	uint8_t *mem, *at;

	br_x509_decoder_init(&dc, dn_append, &dn);
	br_x509_decoder_push(&dc, der, len);
	if ((pk = br_x509_decoder_get_pkey(&dc)) == NULL || dn.over) {
		return 0;
	}
	need = dn.len + (pk->key_type == BR_KEYTYPE_RSA ? pk->key.rsa.nlen + pk->key.rsa.elen
	                                                : pk->key.ec.qlen);
	if ((mem = malloc(need ? need : 1)) == NULL) {
		return NS_ERR_NOMEM;
	}
	at = mem;
	memset(ta, 0, sizeof(*ta));
	ta->dn.data = take(&at, dn.b, dn.len);
	ta->dn.len = dn.len;
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = take(&at, pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta->pkey.key.rsa.e = take(&at, pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
	} else {
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = take(&at, pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	}
	return 1;
}

int ns_tls_anchors_parse(const uint8_t *text, size_t len, ns_tls_anchors *out)
{
	ns_tls_pem pem;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ns_tls_pem_parse(text, len, &pem)) != 0) {
		ns_tls_pem_free(&pem);
		return rc;
	}
	if ((out->ta = calloc(pem.n, sizeof(*out->ta))) == NULL) {
		ns_tls_pem_free(&pem);
		return NS_ERR_NOMEM;
	}
	for (i = 0; i < pem.n && rc >= 0; i++) {
		if (strcmp(pem.objs[i].name, "CERTIFICATE") == 0 &&
		    (rc = one(pem.objs[i].der, pem.objs[i].len, &out->ta[out->n])) == 1) {
			out->n++;
		}
	}
	ns_tls_pem_free(&pem);
	if (rc < 0) {
		return rc;
	}
	return out->n == 0 ? NS_ERR_NOTFOUND : 0;
}

void ns_tls_anchors_free(ns_tls_anchors *a)
{
	size_t i;

	for (i = 0; a->ta != NULL && i < a->n; i++) {
		free(a->ta[i].dn.data); /* the start of its allocation */
	}
	free(a->ta);
	memset(a, 0, sizeof(*a));
}
