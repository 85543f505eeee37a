/* Tests for publickey auth with key types beyond ssh-ed25519 over the
 * in-memory pair (core/auth_server.c, auth_alg.c): ecdsa-sha2-nistp256 and
 * FIDO keys (the test signer in lib_sk.c), plain and inside certificates
 * (ns_cert_sign_key); the server sees the key, its type and the FIDO flags;
 * a bad signature, an RSA key under 2048 bits and a certificate whose
 * algorithm does not fit its key are refused by the engine; the policy
 * refuses a FIDO signature without user presence unless the certificate
 * has no-touch-required, and takes verify-required only with the UV flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "auth.h"
#include "lib_pair.h"
#include "lib_sk.h"
#include "nullspace/cert.h"
#include "pubkey_vectors.h"

#define USER "sb_1"

typedef struct attempt {
	const char *alg;
	lib_sk *key;
	const uint8_t *blob; /* NULL: the key's plain blob */
	size_t blob_len;
	uint8_t flags;  /* FIDO flags to sign with */
	int bad_sig;    /* sign other data */
	int query;      /* no signature */
	int sent, done; /* client side */
	ns_event seen;  /* the server's AUTH_REQUEST (views not kept) */
	ns_pubkey key_seen;
	const char *refused;
	int accept; /* the server's verdict */
	int success;
} attempt;

static void send_request(ns_pair *p, attempt *a)
{
	uint8_t data[NS_AUTH_SIGNED_MAX], sig[512];
	ns_engine *e = p->e[0];
	ns_str alg = {(const uint8_t *)a->alg, strlen(a->alg)};
	ns_str user = {(const uint8_t *)USER, strlen(USER)};
	ns_str svc = {(const uint8_t *)"ssh-connection", 14};
	ns_str blob = {a->blob ? a->blob : a->key->key.blob,
	               a->blob ? a->blob_len : a->key->key.blob_len};
	size_t n = 0;
	ns_buf d, *m;

	ns_buf_init_fixed(&d, data, sizeof(data));
	assert_int_equal(
	    ns_auth_signed_data(e->session_id, e->session_id_len, user, svc, alg, blob, &d), 0);
	if (a->bad_sig) {
		data[0] ^= 1;
	}
	if (!a->query) {
		n = a->key->type == NS_PK_ECDSA_P256
		        ? lib_ecdsa_sign(a->key, d.p, d.len, sig, sizeof(sig))
		        : lib_sk_sign(a->key, a->flags, 7, d.p, d.len, sig, sizeof(sig));
		assert_true(n > 0);
	}
	m = ns_eng_msg(e, SSH_MSG_USERAUTH_REQUEST);
	ns_wr_cstr(m, USER);
	ns_wr_cstr(m, "ssh-connection");
	ns_wr_cstr(m, "publickey");
	ns_wr_bool(m, !a->query);
	ns_wr_str(m, alg);
	ns_wr_str(m, blob);
	if (!a->query) {
		ns_wr_string(m, sig, n);
	}
	e->auth_wait = 1;
	assert_int_equal(ns_eng_send(e), 0);
}

static int one_attempt(ns_pair *p, int side, ns_event *ev, void *ud)
{
	attempt *a = ud;

	if (side == 0 && ev->type == NS_EV_AUTH_READY && !a->sent) {
		a->sent = 1;
		send_request(p, a);
		return NS_PAIR_HANDLED;
	}
	if (side == 1 && ev->type == NS_EV_AUTH_REQUEST) {
		a->seen = *ev;
		a->refused = ev->refused;
		if (ev->pubkey != NULL) {
			a->key_seen = *ev->pubkey;
		}
		assert_int_equal(ns_engine_auth_verdict(p->e[1], a->accept), 0);
		return NS_PAIR_HANDLED;
	}
	if (side == 0 && (ev->type == NS_EV_AUTH_SUCCESS || ev->type == NS_EV_AUTH_FAILURE ||
	                  ev->type == NS_EV_AUTH_PK_OK)) {
		a->success = ev->type != NS_EV_AUTH_FAILURE;
		return NS_PAIR_STOP;
	}
	return ev->type == NS_EV_DISCONNECT ? NS_PAIR_STOP : 0;
}

static void run(attempt *a)
{
	ns_pair p;

	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	assert_true(ns_pair_pump(&p, one_attempt, a, 2000) > 0);
	ns_pair_free(&p);
}

static void ecdsa_key(void **state)
{
	lib_sk k;
	attempt a = {0};

	(void)state;
	lib_ecdsa_new(&k, 5);
	a.alg = "ecdsa-sha2-nistp256";
	a.key = &k;
	a.accept = 1;
	run(&a);
	assert_null(a.refused);
	assert_int_equal(a.seen.key_parsed, 1);
	assert_int_equal(a.seen.signed_ok, 1);
	assert_int_equal(a.seen.is_cert, 0);
	assert_int_equal(a.key_seen.type, NS_PK_ECDSA_P256);
	assert_true(ns_pubkey_equal(&a.key_seen, &k.key));
	assert_int_equal(a.seen.sig_info.sk, 0);
	assert_true(a.success);
}

static void ecdsa_query_pk_ok(void **state)
{
	lib_sk k;
	attempt a = {0};

	(void)state;
	lib_ecdsa_new(&k, 5);
	a.alg = "ecdsa-sha2-nistp256";
	a.key = &k;
	a.query = 1;
	a.accept = 1;
	run(&a);
	assert_null(a.refused);
	assert_int_equal(a.seen.signed_ok, 0);
	assert_true(a.success); /* PK_OK, echoing the algorithm */
}

static void ecdsa_bad_signature(void **state)
{
	lib_sk k;
	attempt a = {0};

	(void)state;
	lib_ecdsa_new(&k, 5);
	a.alg = "ecdsa-sha2-nistp256";
	a.key = &k;
	a.bad_sig = 1;
	a.accept = 1;
	run(&a);
	assert_string_equal(a.refused, "invalid-signature");
	assert_false(a.success);
}

static void sk_keys_report_flags(void **state)
{
	lib_sk k;
	attempt a = {0}, b = {0};

	(void)state;
	lib_sk_new(&k, NS_PK_SK_ED25519, 9, "ssh:");
	a.alg = "sk-ssh-ed25519@openssh.com";
	a.key = &k;
	a.flags = NS_SK_FLAG_UP;
	a.accept = 1;
	run(&a);
	assert_null(a.refused);
	assert_int_equal(a.seen.sig_info.sk, 1);
	assert_int_equal(a.seen.sig_info.flags, NS_SK_FLAG_UP);
	assert_int_equal(a.seen.sig_info.counter, 7);
	assert_true(a.success);

	lib_sk_new(&k, NS_PK_SK_ECDSA_P256, 9, "ssh:");
	b.alg = "sk-ecdsa-sha2-nistp256@openssh.com";
	b.key = &k;
	b.flags = 0; /* no touch: the signature verifies, the flags say so */
	run(&b);
	assert_null(b.refused);
	assert_int_equal(b.seen.signed_ok, 1);
	assert_int_equal(b.seen.sig_info.sk, 1);
	assert_int_equal(b.seen.sig_info.flags & NS_SK_FLAG_UP, 0);
}

static void rsa_too_small(void **state)
{
	uint8_t blob[512];
	size_t n = 0;
	lib_sk k;
	attempt a = {0};
	const char *b64 = strchr(RSA1024_PUB, ' ') + 1;

	(void)state;
	assert_int_equal(sodium_base642bin(blob, sizeof(blob), b64, strlen(b64), NULL, &n, NULL,
	                                   sodium_base64_VARIANT_ORIGINAL),
	                 0);
	lib_ecdsa_new(&k, 1);
	a.alg = "rsa-sha2-512";
	a.key = &k;
	a.blob = blob;
	a.blob_len = n;
	a.query = 1;
	a.accept = 1;
	run(&a);
	assert_string_equal(a.refused, "rsa-key-too-small");
	assert_false(a.success);
}

static ns_key ca;

static size_t make_cert(const lib_sk *k, uint32_t ext, int verify_required, uint8_t *out,
                        size_t cap)
{
	const char *princ[] = {USER};
	ns_cert_spec spec = {0};
	size_t n = 0;

	spec.type = NS_CERT_USER;
	spec.key_id = "test";
	spec.principals = princ;
	spec.nprincipals = 1;
	spec.valid_before = UINT64_MAX;
	spec.extensions = ext;
	spec.verify_required = verify_required;
	assert_int_equal(ns_cert_sign_key(&ca, &k->key, &spec, out, cap, &n), 0);
	return n;
}

/* The certificate of a login the engine let through, against the policy
 * with the signature's flags; the verdict's reason. */
static int judge(const attempt *a, const uint8_t *cert, size_t len)
{
	ns_cert_policy pol = {0};
	ns_cert_verdict v;
	ns_cert c;

	assert_int_equal(ns_cert_parse(cert, len, &c, NULL), 0);
	pol.ca_keys = (const uint8_t(*)[NS_ED25519_PK_LEN]) & ca.pk;
	pol.nca = 1;
	pol.type = NS_CERT_USER;
	pol.principal = USER;
	pol.now = 1000;
	pol.sig = a->seen.signed_ok ? &a->seen.sig_info : NULL;
	ns_cert_check(&c, &pol, &v);
	return v.reason;
}

static void cert_of(lib_sk *k, const char *alg, uint8_t flags, uint32_t ext, int vr, int want)
{
	uint8_t cert[NS_CERT_BLOB_MAX];
	attempt a = {0};

	a.alg = alg;
	a.key = k;
	a.blob = cert;
	a.blob_len = make_cert(k, ext, vr, cert, sizeof(cert));
	a.flags = flags;
	run(&a);
	assert_null(a.refused);
	assert_int_equal(a.seen.is_cert, 1);
	assert_int_equal(a.seen.signed_ok, 1);
	assert_true(ns_pubkey_equal(&a.key_seen, &k->key));
	assert_int_equal(judge(&a, cert, a.blob_len), want);
}

static void certificates(void **state)
{
	lib_sk k;

	(void)state;
	lib_ecdsa_new(&k, 2);
	cert_of(&k, "ecdsa-sha2-nistp256-cert-v01@openssh.com", 0, NS_EXT_PERMIT_PTY, 0,
	        NS_CERT_OK);
	/* verify-required: an ECDSA key cannot show user verification */
	cert_of(&k, "ecdsa-sha2-nistp256-cert-v01@openssh.com", 0, 0, 1, NS_CERT_VERIFY_REQUIRED);
	lib_sk_new(&k, NS_PK_SK_ED25519, 2, "ssh:");
	cert_of(&k, "sk-ssh-ed25519-cert-v01@openssh.com", NS_SK_FLAG_UP, 0, 0, NS_CERT_OK);
	cert_of(&k, "sk-ssh-ed25519-cert-v01@openssh.com", 0, 0, 0, NS_CERT_NO_PRESENCE);
	cert_of(&k, "sk-ssh-ed25519-cert-v01@openssh.com", 0, NS_EXT_NO_TOUCH_REQUIRED, 0,
	        NS_CERT_OK);
	lib_sk_new(&k, NS_PK_SK_ECDSA_P256, 2, "ssh:");
	cert_of(&k, "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", 0, 0, 0, NS_CERT_NO_PRESENCE);
	cert_of(&k, "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", NS_SK_FLAG_UP, 0, 1,
	        NS_CERT_VERIFY_REQUIRED);
	cert_of(&k, "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", NS_SK_FLAG_UP | NS_SK_FLAG_UV, 0,
	        1, NS_CERT_OK);
}

/* An ECDSA certificate under an ed25519 certificate algorithm name. */
static void cert_alg_mismatch(void **state)
{
	uint8_t cert[NS_CERT_BLOB_MAX];
	lib_sk k;
	attempt a = {0};

	(void)state;
	lib_ecdsa_new(&k, 2);
	a.alg = NS_AUTH_CERT_ALG;
	a.key = &k;
	a.blob = cert;
	a.blob_len = make_cert(&k, 0, 0, cert, sizeof(cert));
	a.accept = 1;
	run(&a);
	assert_string_equal(a.refused, "malformed-key");
	assert_false(a.success);
}

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 || ns_key_generate(&ca, "ca") != 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ecdsa_key),           cmocka_unit_test(ecdsa_query_pk_ok),
	    cmocka_unit_test(ecdsa_bad_signature), cmocka_unit_test(sk_keys_report_flags),
	    cmocka_unit_test(rsa_too_small),       cmocka_unit_test(certificates),
	    cmocka_unit_test(cert_alg_mismatch),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
