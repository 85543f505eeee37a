/* Tests for transport/common/tls_certgen.c, the DER writer of the relay's
 * self-signed certificate: parsed back with BearSSL's X.509 decoder and
 * validated by its minimal X.509 engine with the certificate as its own
 * trust anchor (signature, name, dates), the key PEM read back, the
 * fingerprint, determinism, IP and DNS names, GeneralizedTime, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <bearssl.h>
#include <cmocka.h>
#include <sodium.h>

#include "nullspace/error.h"
#include "tls_certgen.h"
#include "tls_client.h"
#include "tls_pem.h"

#define NOW 1780000000ULL /* 2026-05-28 */

static void gen(const char *host, uint64_t now, uint8_t *der, size_t *len, char *key)
{
	ns_tls_certgen g;

	memset(&g, 0, sizeof(g));
	g.host = host;
	g.now = now;
	g.days = NS_TLS_CERT_DAYS;
	memset(g.serial, 0xa5, sizeof(g.serial));
	memset(g.seed, 7, sizeof(g.seed));
	assert_int_equal(ns_tls_certgen_make(&g, der, len, key), 0);
}

/* BearSSL's chain validation of der alone, trusted as a CA anchor, at t. */
static unsigned validate(const uint8_t *der, size_t len, const char *name, uint64_t t)
{
	unsigned err = 0;

	assert_int_equal(ns_tls_cert_self_check(der, len, name, t, &err), 0);
	return err;
}

static void test_parses_and_validates(void **state)
{
	uint8_t der[NS_TLS_CERT_DER_MAX];
	char key[NS_TLS_KEY_PEM_MAX];
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;
	size_t len = 0;

	(void)state;
	gen("relay.example.com", NOW, der, &len, key);
	assert_true(len > 300 && len < NS_TLS_CERT_DER_MAX);
	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, der, len);
	assert_int_equal(br_x509_decoder_last_error(&dc), 0);
	assert_true(br_x509_decoder_isCA(&dc));
	assert_int_equal(br_x509_decoder_get_signer_key_type(&dc), BR_KEYTYPE_EC);
	pk = br_x509_decoder_get_pkey(&dc);
	assert_int_equal(pk->key_type, BR_KEYTYPE_EC);
	assert_int_equal(pk->key.ec.curve, BR_EC_secp256r1);
	assert_int_equal(pk->key.ec.qlen, 65);
	/* signature, dNSName, validity: inside, before, after */
	assert_int_equal(validate(der, len, "relay.example.com", NOW + 100), 0);
	assert_int_equal(validate(der, len, "other.example.com", NOW + 100),
	                 BR_ERR_X509_BAD_SERVER_NAME);
	assert_int_equal(validate(der, len, "relay.example.com", NOW - 100), BR_ERR_X509_EXPIRED);
	assert_int_equal(validate(der, len, "relay.example.com", NOW + 366ULL * 86400),
	                 BR_ERR_X509_EXPIRED);
	assert_int_equal(validate(der, len, "relay.example.com", NOW + 364ULL * 86400), 0);
}

static void test_tampered_signature_fails(void **state)
{
	uint8_t der[NS_TLS_CERT_DER_MAX];
	char key[NS_TLS_KEY_PEM_MAX];
	size_t len = 0;
	uint8_t *cn;

	(void)state;
	gen("relay.example.com", NOW, der, &len, key);
	cn = memmem(der, len, "relay.example.com", 17); /* the issuer's CN */
	assert_non_null(cn);
	cn = memmem(cn + 17, len - (size_t)(cn + 17 - der), "relay", 5); /* the subject's */
	assert_non_null(cn);
	cn[0] = 'R';
	assert_int_not_equal(validate(der, len, "Relay.example.com", NOW + 100), 0);
}

static void test_key_pem_matches(void **state)
{
	uint8_t der[NS_TLS_CERT_DER_MAX], pub[BR_EC_KBUF_PUB_MAX_SIZE];
	char key[NS_TLS_KEY_PEM_MAX];
	br_x509_decoder_context dc;
	br_skey_decoder_context sk;
	br_ec_public_key pk;
	ns_tls_pem pem;
	size_t len = 0;

	(void)state;
	gen("127.0.0.1", NOW, der, &len, key);
	assert_non_null(strstr(key, "-----BEGIN EC PRIVATE KEY-----"));
	assert_int_equal(ns_tls_pem_parse((const uint8_t *)key, strlen(key), &pem), 0);
	assert_int_equal(pem.n, 1);
	br_skey_decoder_init(&sk);
	br_skey_decoder_push(&sk, pem.objs[0].der, pem.objs[0].len);
	assert_int_equal(br_skey_decoder_last_error(&sk), 0);
	assert_int_equal(br_skey_decoder_key_type(&sk), BR_KEYTYPE_EC);
	assert_true(br_ec_compute_pub(br_ec_get_default(), &pk, pub, br_skey_decoder_get_ec(&sk)) >
	            0);
	br_x509_decoder_init(&dc, NULL, NULL);
	br_x509_decoder_push(&dc, der, len);
	assert_memory_equal(br_x509_decoder_get_pkey(&dc)->key.ec.q, pk.q, 65);
	ns_tls_pem_free(&pem);
}

static void test_ip_names_and_pem(void **state)
{
	static const uint8_t v4[] = {0x87, 0x04, 127, 0, 0, 1};
	static const uint8_t v6[] = {0x87, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	uint8_t der[NS_TLS_CERT_DER_MAX];
	char key[NS_TLS_KEY_PEM_MAX], pem[NS_TLS_CERT_PEM_MAX];
	ns_tls_pem back;
	size_t len = 0;

	(void)state;
	gen("127.0.0.1", NOW, der, &len, key);
	assert_non_null(memmem(der, len, v4, sizeof(v4)));
	assert_int_equal(ns_tls_cert_pem(der, len, pem), 0);
	assert_int_equal(ns_tls_pem_parse((const uint8_t *)pem, strlen(pem), &back), 0);
	assert_string_equal(back.objs[0].name, "CERTIFICATE");
	assert_int_equal(back.objs[0].len, len);
	assert_memory_equal(back.objs[0].der, der, len);
	ns_tls_pem_free(&back);
	gen("::1", NOW, der, &len, key);
	assert_non_null(memmem(der, len, v6, sizeof(v6)));
	assert_int_equal(validate(der, len, NULL, NOW + 1), 0);
}

static void test_deterministic_and_fingerprint(void **state)
{
	uint8_t a[NS_TLS_CERT_DER_MAX], b[NS_TLS_CERT_DER_MAX], h[32];
	char ka[NS_TLS_KEY_PEM_MAX], kb[NS_TLS_KEY_PEM_MAX], hex[NS_TLS_SHA256_HEX + 1];
	char want[NS_TLS_SHA256_HEX + 1];
	size_t la = 0, lb = 0;

	(void)state;
	gen("localhost", NOW, a, &la, ka);
	gen("localhost", NOW, b, &lb, kb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la); /* the caller's randomness only */
	assert_string_equal(ka, kb);
	ns_tls_cert_sha256_hex(a, la, hex);
	crypto_hash_sha256(h, a, la);
	sodium_bin2hex(want, sizeof(want), h, sizeof(h));
	assert_string_equal(hex, want);
}

static void test_generalized_time_after_2049(void **state)
{
	uint8_t der[NS_TLS_CERT_DER_MAX];
	char key[NS_TLS_KEY_PEM_MAX];
	size_t len = 0;
	const uint64_t y2060 = 2840140800ULL;

	(void)state;
	gen("localhost", y2060, der, &len, key);
	assert_non_null(memmem(der, len,
	                       "\x18\x0f"
	                       "2060",
	                       6));
	assert_int_equal(validate(der, len, "localhost", y2060 + 10), 0);
	gen("localhost", NOW, der, &len, key);
	assert_non_null(memmem(der, len,
	                       "\x17\x0d"
	                       "26",
	                       4));
}

static void test_refusals(void **state)
{
	uint8_t der[NS_TLS_CERT_DER_MAX];
	char key[NS_TLS_KEY_PEM_MAX], longname[NS_TLS_CERT_HOST_MAX + 2];
	ns_tls_certgen g;
	size_t len = 0;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.now = NOW;
	g.days = 1;
	const char *bad[] = {"", "a b", "x/y", "h\xc3\xa9", "a_b"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		g.host = bad[i];
		assert_int_equal(ns_tls_certgen_make(&g, der, &len, key), NS_ERR_INVALID);
	}
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	g.host = longname;
	assert_int_equal(ns_tls_certgen_make(&g, der, &len, key), NS_ERR_INVALID);
	longname[NS_TLS_CERT_HOST_MAX] = '\0'; /* the longest: fits */
	assert_int_equal(ns_tls_certgen_make(&g, der, &len, key), 0);
	assert_int_equal(validate(der, len, longname, NOW + 10), 0);
}

static void test_anchors_from_bundle(void **state)
{
	uint8_t der[NS_TLS_CERT_DER_MAX];
	char key[NS_TLS_KEY_PEM_MAX], pem[2 * NS_TLS_CERT_PEM_MAX + 64];
	ns_tls_anchors a;
	size_t len = 0;

	(void)state;
	gen("localhost", NOW, der, &len, key);
	assert_int_equal(ns_tls_cert_pem(der, len, pem), 0);
	strcat(pem, "junk between objects\n");
	assert_int_equal(ns_tls_cert_pem(der, len, pem + strlen(pem)), 0);
	assert_int_equal(ns_tls_anchors_parse((const uint8_t *)pem, strlen(pem), &a), 0);
	assert_int_equal(a.n, 2);
	assert_int_equal(a.ta[0].flags, BR_X509_TA_CA);
	ns_tls_anchors_free(&a);
	assert_int_equal(ns_tls_anchors_parse((const uint8_t *)key, strlen(key), &a),
	                 NS_ERR_NOTFOUND);
	ns_tls_anchors_free(&a);
	assert_int_equal(ns_tls_anchors_parse((const uint8_t *)"not pem", 7, &a), NS_ERR_FORMAT);
	ns_tls_anchors_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parses_and_validates),
	    cmocka_unit_test(test_tampered_signature_fails),
	    cmocka_unit_test(test_key_pem_matches),
	    cmocka_unit_test(test_ip_names_and_pem),
	    cmocka_unit_test(test_deterministic_and_fingerprint),
	    cmocka_unit_test(test_generalized_time_after_2049),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_anchors_from_bundle),
	};
	return sodium_init() < 0 ? 1 : cmocka_run_group_tests(tests, NULL, NULL);
}
