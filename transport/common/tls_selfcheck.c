/* A self-signed certificate checked by BearSSL's minimal X.509 engine with
 * itself as its only trust anchor: signature, name and dates at a given
 * time. `nullspace up` asks it whether its wss:// certificate still has
 * NS_TLS_CERT_RENEW_DAYS to live; the certgen tests ask it the rest. */
#include <string.h>

#include <bearssl.h>

#include "nullspace/error.h"
#include "tls_certgen.h"

#define DN_MAX 1024       /* a subject DN, bytes: ours are under 300 */
#define UNIX_EPOCH 719528 /* 1970-01-01 in BearSSL's days since 0 AD */

typedef struct dn {
	uint8_t b[DN_MAX];
	size_t len;
	int over;
} dn;

static void dn_add(void *ctx, const void *p, size_t n)
{
	dn *d = ctx;

	if (d->over || n > sizeof(d->b) - d->len) {
		d->over = 1;
		return;
	}
	memcpy(d->b + d->len, p, n);
	d->len += n;
}

int ns_tls_cert_self_check(const uint8_t *der, size_t len, const char *name, uint64_t t,
                           unsigned *br_err)
{
	br_x509_minimal_context xc;
	br_x509_decoder_context dc;
	br_x509_trust_anchor ta;
	const br_x509_pkey *pk;
	const br_x509_class **v = &xc.vtable;
	dn d;

	memset(&d, 0, sizeof(d));
	br_x509_decoder_init(&dc, dn_add, &d);
	br_x509_decoder_push(&dc, der, len);
	if (br_x509_decoder_last_error(&dc) != 0 || d.over ||
	    (pk = br_x509_decoder_get_pkey(&dc)) == NULL) {
		return NS_ERR_FORMAT;
	}
	memset(&ta, 0, sizeof(ta));
	ta.dn.data = d.b;
	ta.dn.len = d.len;
	ta.flags = BR_X509_TA_CA;
	ta.pkey = *pk;
	br_x509_minimal_init_full(&xc, &ta, 1);
	br_x509_minimal_set_time(&xc, (uint32_t)(t / 86400 + UNIX_EPOCH), (uint32_t)(t % 86400));
	(*v)->start_chain(v, name);
	(*v)->start_cert(v, (uint32_t)len);
	(*v)->append(v, der, len);
	(*v)->end_cert(v);
	*br_err = (*v)->end_chain(v);
	return 0;
}
