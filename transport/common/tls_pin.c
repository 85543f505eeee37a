/* `nullspace proxy --pin-sha256`: a BearSSL X.509 engine that trusts
 * exactly one leaf certificate, the one whose DER hashes to the pin (the
 * relay's self-signed certificate of `nullspace up`). The chain's other
 * certificates, the names and the dates are not looked at: the pin is the
 * whole decision, as with an SSH host key. */
#include <string.h>

#include <sodium.h>

#include "tls_client.h"

static void start_chain(const br_x509_class **ctx, const char *server_name)
{
	ns_tls_pin_ctx *p = (ns_tls_pin_ctx *)(void *)ctx;

	(void)server_name;
	p->depth = 0;
}

static void start_cert(const br_x509_class **ctx, uint32_t length)
{
	ns_tls_pin_ctx *p = (ns_tls_pin_ctx *)(void *)ctx;

	(void)length;
	if (p->depth == 0) {
		br_sha256_init(&p->sha);
		br_x509_decoder_init(&p->dec, NULL, NULL);
	}
}

static void append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	ns_tls_pin_ctx *p = (ns_tls_pin_ctx *)(void *)ctx;

	if (p->depth == 0) {
		br_sha256_update(&p->sha, buf, len);
		br_x509_decoder_push(&p->dec, buf, len);
	}
}

static void end_cert(const br_x509_class **ctx)
{
	ns_tls_pin_ctx *p = (ns_tls_pin_ctx *)(void *)ctx;

	p->depth++;
}

static unsigned end_chain(const br_x509_class **ctx)
{
	ns_tls_pin_ctx *p = (ns_tls_pin_ctx *)(void *)ctx;
	uint8_t h[32];

	if (p->depth == 0) {
		return BR_ERR_X509_EMPTY_CHAIN;
	}
	br_sha256_out(&p->sha, h);
	if (sodium_memcmp(h, p->pin, sizeof(h)) != 0) {
		return BR_ERR_X509_NOT_TRUSTED;
	}
	if (br_x509_decoder_last_error(&p->dec) != 0 || br_x509_decoder_get_pkey(&p->dec) == NULL) {
		return BR_ERR_X509_INVALID_VALUE;
	}
	return 0;
}

static const br_x509_pkey *get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	ns_tls_pin_ctx *p = (ns_tls_pin_ctx *)(void *)ctx;

	if (usages != NULL) {
		*usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	}
	return br_x509_decoder_get_pkey(&p->dec);
}

static const br_x509_class pin_vtable = {
    sizeof(ns_tls_pin_ctx), start_chain, start_cert, append, end_cert, end_chain, get_pkey,
};

void ns_tls_pin_init(ns_tls_pin_ctx *p, const uint8_t pin[NS_TLS_PIN_LEN])
{
	memset(p, 0, sizeof(*p));
	p->vtable = &pin_vtable;
	memcpy(p->pin, pin, NS_TLS_PIN_LEN);
}
