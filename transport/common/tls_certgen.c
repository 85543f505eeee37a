/* The DER writer of one self-signed ECDSA P-256 X.509 v3 certificate
 * (RFC 5280): subject = issuer = CN=host, a year's validity, a random
 * serial, basicConstraints CA (so the certificate is its own trust
 * anchor), keyUsage, serverAuth, subjectAltName, key identifiers; signed
 * with BearSSL's (deterministic, RFC 6979) ECDSA over SHA-256. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bearssl.h>
#include <sodium.h>

#include "nullspace/error.h"
#include "tls_certgen.h"

typedef struct der {
	uint8_t *p;
	size_t len, cap;
	int over;
} der;

#define DER(name, size)                                                                            \
	uint8_t name##_buf[size];                                                                  \
	der name = {name##_buf, 0, size, 0}

static void put(der *d, const void *b, size_t n)
{
	if (d->over || n > d->cap - d->len) {
		d->over = 1;
		return;
	}
	memcpy(d->p + d->len, b, n);
	d->len += n;
}

/* tag, length (short or long form), value */
static void tlv(der *d, uint8_t tag, const void *v, size_t n)
{
	uint8_t h[4] = {tag};
	size_t hl = 2;

	if (n < 0x80) {
		h[1] = (uint8_t)n;
	} else if (n < 0x100) {
		h[1] = 0x81, h[2] = (uint8_t)n, hl = 3;
	} else {
		h[1] = 0x82, h[2] = (uint8_t)(n >> 8), h[3] = (uint8_t)n, hl = 4;
	}
	put(d, h, hl);
	put(d, v, n);
}

/* inner's bytes wrapped in tag */
static void wrap(der *d, uint8_t tag, const der *inner)
{
	d->over |= inner->over;
	tlv(d, tag, inner->p, inner->len);
}

static const uint8_t OID_ECDSA_SHA256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t OID_EC_KEY[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const uint8_t OID_P256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t OID_CN[] = {0x55, 0x04, 0x03};
static const uint8_t OID_SERVER_AUTH[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};

/* AlgorithmIdentifier ecdsa-with-SHA256 (no parameters) */
static void sig_alg(der *d)
{
	DER(a, 16);

	tlv(&a, 0x06, OID_ECDSA_SHA256, sizeof(OID_ECDSA_SHA256));
	wrap(d, 0x30, &a);
}

/* Name: one RDN, CN as a UTF8String */
static void name(der *d, const char *cn)
{
	DER(atv, NS_TLS_CERT_HOST_MAX + 16);
	DER(rdn, NS_TLS_CERT_HOST_MAX + 20);
	DER(seq, NS_TLS_CERT_HOST_MAX + 24);

	tlv(&atv, 0x06, OID_CN, sizeof(OID_CN));
	tlv(&atv, 0x0c, cn, strlen(cn));
	wrap(&rdn, 0x30, &atv);
	wrap(&seq, 0x31, &rdn);
	wrap(d, 0x30, &seq);
}

/* UTCTime through 2049, GeneralizedTime after (RFC 5280 4.1.2.5) */
static void when(der *d, uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[20];

	gmtime_r(&tt, &tm);
	if (tm.tm_year + 1900 < 2050) {
		strftime(s, sizeof(s), "%y%m%d%H%M%SZ", &tm);
		tlv(d, 0x17, s, strlen(s));
	} else {
		strftime(s, sizeof(s), "%Y%m%d%H%M%SZ", &tm);
		tlv(d, 0x18, s, strlen(s));
	}
}

static void spki(der *d, const uint8_t *q, size_t qlen)
{
	DER(alg, 32);
	DER(bits, 80);
	DER(seq, 128);

	tlv(&alg, 0x06, OID_EC_KEY, sizeof(OID_EC_KEY));
	tlv(&alg, 0x06, OID_P256, sizeof(OID_P256));
	wrap(&seq, 0x30, &alg);
	put(&bits, "", 1); /* no unused bits */
	put(&bits, q, qlen);
	wrap(&seq, 0x03, &bits);
	wrap(d, 0x30, &seq);
}

/* One Extension: extnID, critical when set, extnValue holding value. */
static void ext(der *d, uint8_t oid_last, int critical, const der *value)
{
	const uint8_t oid[] = {0x55, 0x1d, oid_last}; /* id-ce */
	DER(e, NS_TLS_CERT_HOST_MAX + 96);

	tlv(&e, 0x06, oid, sizeof(oid));
	if (critical) {
		put(&e, "\x01\x01\xff", 3);
	}
	wrap(&e, 0x04, value);
	wrap(d, 0x30, &e);
}

static int san(der *d, const char *host)
{
	uint8_t ip[16];
	DER(names, NS_TLS_CERT_HOST_MAX + 8);

	if (inet_pton(AF_INET, host, ip) == 1) {
		tlv(&names, 0x87, ip, 4);
	} else if (inet_pton(AF_INET6, host, ip) == 1) {
		tlv(&names, 0x87, ip, 16);
	} else {
		tlv(&names, 0x82, host, strlen(host)); /* dNSName, IA5String */
	}
	wrap(d, 0x30, &names);
	return 0;
}

static void extensions(der *d, const char *host, const uint8_t ski[20])
{
	DER(v, NS_TLS_CERT_HOST_MAX + 64);
	DER(list, 2 * NS_TLS_CERT_HOST_MAX + 256);
	DER(tmp, 2 * NS_TLS_CERT_HOST_MAX + 256);

	put(&v, "\x30\x03\x01\x01\xff", 5); /* basicConstraints: cA TRUE */
	ext(&list, 0x13, 1, &v);
	v.len = 0;
	put(&v, "\x03\x02\x02\x84", 4); /* keyUsage: digitalSignature, keyCertSign */
	ext(&list, 0x0f, 1, &v);
	v.len = 0;
	tlv(&tmp, 0x06, OID_SERVER_AUTH, sizeof(OID_SERVER_AUTH));
	wrap(&v, 0x30, &tmp); /* extKeyUsage: serverAuth */
	ext(&list, 0x25, 0, &v);
	v.len = 0;
	san(&v, host);
	ext(&list, 0x11, 0, &v);
	v.len = 0;
	tlv(&v, 0x04, ski, 20); /* subjectKeyIdentifier */
	ext(&list, 0x0e, 0, &v);
	v.len = tmp.len = 0;
	tlv(&tmp, 0x80, ski, 20); /* authorityKeyIdentifier: keyIdentifier */
	wrap(&v, 0x30, &tmp);
	ext(&list, 0x23, 0, &v);
	tmp.len = 0;
	wrap(&tmp, 0x30, &list);
	wrap(d, 0xa3, &tmp);
}

static int host_ok(const char *h)
{
	uint8_t ip[16];
	size_t i, n = strlen(h);

	if (n == 0 || n > NS_TLS_CERT_HOST_MAX) {
		return 0;
	}
	if (inet_pton(AF_INET6, h, ip) == 1) {
		return 1;
	}
	for (i = 0; i < n; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-')) {
			return 0;
		}
	}
	return 1;
}

static void tbs(der *d, const ns_tls_certgen *g, const uint8_t *q, size_t qlen)
{
	uint8_t serial[NS_TLS_CERT_SERIAL_LEN], ski[20];
	br_sha1_context sha1;
	DER(t, NS_TLS_CERT_DER_MAX);

	memcpy(serial, g->serial, sizeof(serial));
	serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x40); /* positive, minimal */
	br_sha1_init(&sha1);
	br_sha1_update(&sha1, q, qlen); /* RFC 5280 4.2.1.2 method (1) */
	br_sha1_out(&sha1, ski);
	put(&t, "\xa0\x03\x02\x01\x02", 5); /* [0] version v3 */
	tlv(&t, 0x02, serial, sizeof(serial));
	sig_alg(&t);
	name(&t, g->host);
	{
		DER(v, 48);
		when(&v, g->now);
		when(&v, g->now + (uint64_t)g->days * 86400);
		wrap(&t, 0x30, &v);
	}
	name(&t, g->host);
	spki(&t, q, qlen);
	extensions(&t, g->host, ski);
	wrap(d, 0x30, &t);
}

int ns_tls_certgen_make(const ns_tls_certgen *g, uint8_t der_out[NS_TLS_CERT_DER_MAX],
                        size_t *der_len, char key_pem[NS_TLS_KEY_PEM_MAX])
{
	const br_ec_impl *ec = br_ec_get_default();
	br_hmac_drbg_context rng;
	br_ec_private_key sk;
	br_ec_public_key pk;
	uint8_t kbuf[BR_EC_KBUF_PRIV_MAX_SIZE], pbuf[BR_EC_KBUF_PUB_MAX_SIZE], h[32], sig[80];
	uint8_t keyder[160];
	br_sha256_context sha;
	size_t siglen, klen;
	int rc = NS_ERR_CRYPTO;
	DER(t, NS_TLS_CERT_DER_MAX);
	DER(c, NS_TLS_CERT_DER_MAX);

	*der_len = 0;
	key_pem[0] = '\0';
	if (g->host == NULL || !host_ok(g->host)) {
		return NS_ERR_INVALID;
	}
	br_hmac_drbg_init(&rng, &br_sha256_vtable, g->seed, sizeof(g->seed));
	if (br_ec_keygen(&rng.vtable, ec, &sk, kbuf, BR_EC_secp256r1) == 0 ||
	    br_ec_compute_pub(ec, &pk, pbuf, &sk) == 0) {
		goto out;
	}
	tbs(&t, g, pk.q, pk.qlen);
	br_sha256_init(&sha);
	br_sha256_update(&sha, t.p, t.len);
	br_sha256_out(&sha, h);
	if (t.over ||
	    (siglen = br_ecdsa_sign_asn1_get_default()(ec, &br_sha256_vtable, h, &sk, sig)) == 0) {
		goto out;
	}
	put(&c, t.p, t.len);
	sig_alg(&c);
	{
		DER(bits, 90);
		put(&bits, "", 1);
		put(&bits, sig, siglen);
		wrap(&c, 0x03, &bits);
	}
	{
		DER(whole, NS_TLS_CERT_DER_MAX);
		wrap(&whole, 0x30, &c);
		klen = br_encode_ec_raw_der(NULL, &sk, &pk);
		if (whole.over || klen > sizeof(keyder) ||
		    br_pem_encode(NULL, keyder, klen, "EC PRIVATE KEY", BR_PEM_LINE64) >=
		        NS_TLS_KEY_PEM_MAX) {
			rc = NS_ERR_TOOBIG;
			goto out;
		}
		br_encode_ec_raw_der(keyder, &sk, &pk);
		br_pem_encode(key_pem, keyder, klen, "EC PRIVATE KEY", BR_PEM_LINE64);
		memcpy(der_out, whole.p, whole.len);
		*der_len = whole.len;
		rc = 0;
	}
out:
	sodium_memzero(kbuf, sizeof(kbuf));
	sodium_memzero(keyder, sizeof(keyder));
	sodium_memzero(&rng, sizeof(rng));
	return rc;
}

int ns_tls_cert_pem(const uint8_t *der_in, size_t len, char pem[NS_TLS_CERT_PEM_MAX])
{
	if (br_pem_encode(NULL, der_in, len, "CERTIFICATE", BR_PEM_LINE64) >= NS_TLS_CERT_PEM_MAX) {
		return NS_ERR_TOOBIG;
	}
	br_pem_encode(pem, der_in, len, "CERTIFICATE", BR_PEM_LINE64);
	return 0;
}

void ns_tls_cert_sha256_hex(const uint8_t *der_in, size_t len, char hex[NS_TLS_SHA256_HEX + 1])
{
	br_sha256_context sha;
	uint8_t h[32];

	br_sha256_init(&sha);
	br_sha256_update(&sha, der_in, len);
	br_sha256_out(&sha, h);
	sodium_bin2hex(hex, NS_TLS_SHA256_HEX + 1, h, sizeof(h));
}
