/* Tests for publickey signed by the caller (ns_engine_auth_sign_data /
 * ns_engine_auth_signed), as `nullspace connect` does with ssh-agent: the
 * engine pair authenticates with a plain key and with a certificate, a bad
 * signature is refused before anything is sent, and the data to sign is
 * exactly what the server verifies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "lib_pair.h"
#include "nullspace/cert.h"
#include "nullspace/client.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"

typedef struct signer {
	const uint8_t *cert; /* NULL: plain key */
	size_t cert_len;
	int corrupt; /* flip a bit of the signature */
	int rc;      /* what ns_engine_auth_signed said */
	int server_signed_ok, server_is_cert;
} signer;

static int sign_outside(ns_pair *p, int side, ns_event *ev, void *ud)
{
	signer *s = ud;
	uint8_t data[NS_AUTH_SIGN_DATA_MAX], sig[NS_SIG_BLOB_LEN];
	size_t len = 0;

	if (side == 0 && ev->type == NS_EV_AUTH_READY) {
		/* only the public half goes to the engine */
		assert_int_equal(ns_engine_auth_sign_data(p->e[0], "sb_1", p->user_key.pk, s->cert,
		                                          s->cert_len, data, sizeof(data), &len),
		                 0);
		assert_true(len > 32);
		assert_int_equal(ns_key_sign(&p->user_key, data, len, sig), 0);
		sig[NS_SIG_BLOB_LEN - 1] ^= (uint8_t)s->corrupt;
		s->rc = ns_engine_auth_signed(p->e[0], "sb_1", p->user_key.pk, s->cert, s->cert_len,
		                              sig, sizeof(sig));
		return NS_PAIR_HANDLED; /* a refused signature: the pump goes idle */
	}
	if (side == 1 && ev->type == NS_EV_AUTH_REQUEST) {
		s->server_signed_ok = ev->signed_ok;
		s->server_is_cert = ev->is_cert;
		(void)!ns_engine_auth_verdict(p->e[1], ev->signed_ok);
		return NS_PAIR_HANDLED;
	}
	return ev->type == NS_EV_AUTH_SUCCESS ? NS_PAIR_STOP : 0;
}

static void test_signed_plain(void **state)
{
	signer s = {0};
	ns_pair p;

	(void)state;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	assert_true(ns_pair_pump(&p, sign_outside, &s, 1000) > 0);
	assert_int_equal(s.rc, 0);
	assert_true(s.server_signed_ok);
	assert_false(s.server_is_cert);
	assert_true(p.authed);
	ns_pair_free(&p);
}

static void test_signed_cert(void **state)
{
	static const char *const principals[] = {"sb_1"};
	static uint8_t cert[NS_CERT_BLOB_MAX];
	ns_cert_spec spec = {0};
	signer s = {0};
	ns_key cakey;
	ns_pair p;

	(void)state;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	ns_key_generate(&cakey, "ca");
	spec.type = NS_CERT_USER;
	spec.key_id = "agent";
	spec.principals = principals;
	spec.nprincipals = 1;
	spec.valid_before = UINT64_MAX;
	assert_int_equal(
	    ns_cert_sign(&cakey, p.user_key.pk, &spec, cert, sizeof(cert), &s.cert_len), 0);
	s.cert = cert;
	assert_true(ns_pair_pump(&p, sign_outside, &s, 1000) > 0);
	assert_int_equal(s.rc, 0);
	assert_true(s.server_signed_ok);
	assert_true(s.server_is_cert);
	assert_true(p.authed);
	ns_key_wipe(&cakey);
	ns_pair_free(&p);
}

static void test_signed_bad_signature(void **state)
{
	static uint8_t data[NS_AUTH_SIGN_DATA_MAX];
	uint8_t sig[NS_SIG_BLOB_LEN];
	signer s = {0};
	ns_pair p;
	size_t len = 0;

	(void)state;
	s.corrupt = 1;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	ns_pair_pump(&p, sign_outside, &s, 1000);
	assert_int_equal(s.rc, NS_ERR_SIGNATURE);
	assert_false(p.authed);
	/* nothing was sent (else this would be NS_ERR_STATE: an answer is
	 * awaited) and the server saw no request; a good signature still goes */
	assert_int_equal(s.server_signed_ok, 0);
	assert_int_equal(ns_engine_auth_sign_data(p.e[0], "sb_1", p.user_key.pk, NULL, 0, data,
	                                          sizeof(data), &len),
	                 0);
	assert_int_equal(ns_key_sign(&p.user_key, data, len, sig), 0);
	assert_int_equal(
	    ns_engine_auth_signed(p.e[0], "sb_1", p.user_key.pk, NULL, 0, sig, sizeof(sig)), 0);
	assert_true(ns_pair_pump(&p, sign_outside, &s, 1000) > 0);
	assert_true(p.authed);
	ns_pair_free(&p);
}

static void test_signed_refusals(void **state)
{
	uint8_t data[NS_AUTH_SIGN_DATA_MAX], sig[NS_SIG_BLOB_LEN] = {0};
	ns_key other;
	ns_pair p;
	size_t len = 7;

	(void)state;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	/* no session id before the key exchange */
	assert_int_equal(
	    ns_engine_auth_sign_data(p.e[0], "u", p.user_key.pk, NULL, 0, data, sizeof(data), &len),
	    NS_ERR_STATE);
	assert_int_equal(len, 0);
	assert_int_equal(
	    ns_engine_auth_signed(p.e[0], "u", p.user_key.pk, NULL, 0, sig, sizeof(sig)),
	    NS_ERR_STATE);
	assert_int_equal(ns_engine_auth_signed(p.e[0], "u", p.user_key.pk, NULL, 0, NULL, 0),
	                 NS_ERR_INVALID);
	assert_int_equal(
	    ns_engine_auth_sign_data(p.e[0], "u", NULL, NULL, 0, data, sizeof(data), &len),
	    NS_ERR_INVALID);
	/* a certificate that is not for pk */
	ns_key_generate(&other, "other");
	assert_int_equal(ns_engine_auth_sign_data(p.e[0], "u", other.pk, (const uint8_t *)"junk", 4,
	                                          data, sizeof(data), &len),
	                 NS_ERR_INVALID);
	ns_key_wipe(&other);
	ns_pair_free(&p);
}

static int never_sign(void *ud, const uint8_t pk[NS_ED25519_PK_LEN], const uint8_t *data,
                      size_t len, uint8_t sig[NS_SIG_BLOB_LEN])
{
	(void)ud;
	(void)pk;
	(void)data;
	(void)len;
	(void)sig;
	return NS_ERR_AUTH;
}

/* The client library takes a public key alone only with a signer. */
static void test_client_config(void **state)
{
	ns_client_config cfg;
	ns_client *c = NULL;
	char err[256] = "";
	ns_key pub;

	(void)state;
	assert_int_equal(ns_key_generate(&pub, "t"), 0);
	memset(pub.sk, 0, sizeof(pub.sk));
	pub.has_sk = 0;
	ns_client_config_init(&cfg);
	cfg.host = "127.0.0.1";
	cfg.port = 1; /* nothing listens there */
	cfg.user = "u";
	cfg.key = &pub;
	cfg.known_hosts = "/nonexistent";
	assert_int_equal(ns_client_connect(&cfg, &c, err, sizeof(err)), NS_ERR_INVALID);
	cfg.sign = never_sign;
	assert_int_equal(ns_client_connect(&cfg, &c, err, sizeof(err)), NS_ERR_IO);
	assert_null(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_signed_plain),         cmocka_unit_test(test_signed_cert),
	    cmocka_unit_test(test_signed_bad_signature), cmocka_unit_test(test_signed_refusals),
	    cmocka_unit_test(test_client_config),
	};
	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
