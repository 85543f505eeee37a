/* Tests for core/auth_server.c over the in-memory pair: a certificate of
 * almost 16 KiB (1 KiB key id, 256 principals) logs in, query and signed;
 * requests the engine refuses itself (other key types, a blob over 16 KiB,
 * a malformed key, a bad signature) each reach the caller once as an
 * AUTH_REQUEST with the reason in ev->refused, and stay refused whatever the
 * caller answers. */
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
#include "nullspace/cert.h"

_Static_assert(NS_CERT_BLOB_MAX <= NS_AUTH_BLOB_MAX, "every valid certificate fits a request");

#define NPRINC NS_CERT_PRINCIPALS_MAX
#define PRINC_LEN 54 /* 256 of them and a 1 KiB key id: just under 16 KiB */

typedef struct big_cert {
	uint8_t cert[NS_CERT_BLOB_MAX];
	size_t len;
	int stage; /* 0 query sent, 1 PK_OK seen: signed sent */
	int server_saw;
} big_cert;

static int auth_with_big_cert(ns_pair *p, int side, ns_event *ev, void *ud)
{
	big_cert *bc = ud;

	if (side == 0 && (ev->type == NS_EV_AUTH_READY || ev->type == NS_EV_AUTH_PK_OK)) {
		bc->stage = ev->type == NS_EV_AUTH_PK_OK;
		assert_int_equal(ns_engine_auth_cert(p->e[0], "sb_1", &p->user_key, bc->cert,
		                                     bc->len, !bc->stage),
		                 0);
		return NS_PAIR_HANDLED;
	}
	if (side == 1 && ev->type == NS_EV_AUTH_REQUEST) {
		assert_null(ev->refused);
		assert_true(ev->is_cert);
		assert_int_equal(ev->key_blob.len, bc->len);
		assert_int_equal(ev->signed_ok, bc->stage);
		bc->server_saw++;
		(void)!ns_engine_auth_verdict(p->e[1], 1);
		return NS_PAIR_HANDLED;
	}
	return ev->type == NS_EV_AUTH_FAILURE || ev->type == NS_EV_AUTH_SUCCESS ? NS_PAIR_STOP : 0;
}

static void test_big_certificate(void **state)
{
	static char names[NPRINC][PRINC_LEN + 1], key_id[NS_CERT_KEY_ID_MAX + 1];
	static const char *princ[NPRINC];
	static big_cert bc;
	ns_cert_spec spec = {0};
	ns_key ca;
	ns_pair p;
	size_t i;

	(void)state;
	memset(&bc, 0, sizeof(bc));
	for (i = 0; i < NPRINC; i++) {
		memset(names[i], 'p', PRINC_LEN);
		snprintf(names[i], 7, "sb_%03zu", i);
		names[i][6] = '-';
		princ[i] = names[i];
	}
	memset(key_id, 'k', NS_CERT_KEY_ID_MAX);
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	ns_key_generate(&ca, "ca");
	spec.type = NS_CERT_USER;
	spec.key_id = key_id;
	spec.principals = princ;
	spec.nprincipals = NPRINC;
	spec.valid_before = UINT64_MAX;
	spec.extensions = NS_EXT_PERMIT_PTY;
	assert_int_equal(ns_cert_sign(&ca, p.user_key.pk, &spec, bc.cert, sizeof(bc.cert), &bc.len),
	                 0);
	print_message("certificate of %zu bytes\n", bc.len);
	assert_true(bc.len > NS_CERT_BLOB_MAX - 512);
	assert_true(ns_pair_pump(&p, auth_with_big_cert, &bc, 1000) > 0);
	assert_true(p.authed);
	assert_int_equal(bc.server_saw, 2);
	ns_key_wipe(&ca);
	ns_pair_free(&p);
}

/* One hand-made request the engine must refuse itself. */
typedef struct refusal {
	const char *alg;
	int blob; /* 0: 100 bytes, 1: the user's ed25519 key, 2: NS_AUTH_BLOB_MAX + 1 */
	int has_sig;
	const char *want;
} refusal;

static const refusal REFUSALS[] = {
    /* ecdsa, RSA (rsa-sha2-*) and sk-* are taken: their blobs are judged */
    {"ecdsa-sha2-nistp256", 0, 0, "malformed-key"},
    {"rsa-sha2-512", 0, 1, "malformed-key"},
    {"ecdsa-sha2-nistp256-cert-v01@openssh.com", 2, 0, "certificate-too-large"},
    {"sk-ssh-ed25519@openssh.com", 1, 0, "malformed-key"}, /* an ssh-ed25519 blob */
    /* SHA-1 RSA, DSA and ECDSA on other curves never */
    {"ssh-rsa", 0, 0, "unsupported-key-type"},
    {"ssh-rsa-cert-v01@openssh.com", 0, 0, "unsupported-key-type"},
    {"ssh-dss", 0, 0, "unsupported-key-type"},
    {"ecdsa-sha2-nistp384", 0, 0, "unsupported-key-type"},
    {"ssh-ed25519", 0, 0, "malformed-key"},
    {NS_AUTH_CERT_ALG, 1, 0, "malformed-key"},
    {NS_AUTH_CERT_ALG, 2, 0, "certificate-too-large"},
    {"ssh-ed25519", 2, 1, "key-too-large"},
    {"ssh-ed25519", 1, 1, "invalid-signature"},
};
#define NREFUSALS (sizeof(REFUSALS) / sizeof(REFUSALS[0]))

typedef struct refusals {
	size_t sent, seen, failures, verdict_errors;
} refusals;

static void send_raw(ns_pair *p, const refusal *r)
{
	static uint8_t big[NS_AUTH_BLOB_MAX + 1];
	uint8_t key[NS_KEY_BLOB_LEN], sig[NS_SIG_BLOB_LEN];
	ns_engine *e = p->e[0];
	ns_buf *m;

	memset(big, 0x41, sizeof(big));
	memset(sig, 0, sizeof(sig));
	ns_key_blob(p->user_key.pk, key);
	m = ns_eng_msg(e, SSH_MSG_USERAUTH_REQUEST);
	ns_wr_cstr(m, "sb_1");
	ns_wr_cstr(m, "ssh-connection");
	ns_wr_cstr(m, "publickey");
	ns_wr_bool(m, r->has_sig);
	ns_wr_cstr(m, r->alg);
	if (r->blob == 1) {
		ns_wr_string(m, key, sizeof(key));
	} else {
		ns_wr_string(m, big, r->blob == 2 ? sizeof(big) : 100);
	}
	if (r->has_sig) {
		ns_wr_string(m, sig, sizeof(sig)); /* signs nothing */
	}
	e->auth_wait = 1;
	assert_int_equal(ns_eng_send(e), 0);
}

static int refuse_each(ns_pair *p, int side, ns_event *ev, void *ud)
{
	refusals *rs = ud;

	if (side == 0 && (ev->type == NS_EV_AUTH_READY || ev->type == NS_EV_AUTH_FAILURE)) {
		rs->failures += ev->type == NS_EV_AUTH_FAILURE;
		if (rs->sent == NREFUSALS) {
			return NS_PAIR_STOP;
		}
		send_raw(p, &REFUSALS[rs->sent++]);
		return NS_PAIR_HANDLED;
	}
	if (side == 1 && ev->type == NS_EV_AUTH_REQUEST) {
		const refusal *r = &REFUSALS[rs->seen++];

		assert_non_null(ev->refused);
		assert_string_equal(ev->refused, r->want);
		assert_true(ns_str_eq(ev->alg, r->alg));
		assert_true(ns_str_eq(ev->method, "publickey"));
		assert_true(ns_str_eq(ev->user, "sb_1"));
		assert_int_equal(ev->key_parsed, 0);
		assert_int_equal(ev->signed_ok, 0);
		/* accepting is still a refusal (the last one past the limit fails) */
		rs->verdict_errors += ns_engine_auth_verdict(p->e[1], 1) != 0;
		return NS_PAIR_HANDLED;
	}
	return ev->type == NS_EV_AUTH_SUCCESS || ev->type == NS_EV_DISCONNECT ? NS_PAIR_STOP : 0;
}

static void test_engine_refusals(void **state)
{
	ns_engine_config s = NS_ENGINE_CONFIG_INIT;
	refusals rs = {0};
	ns_pair p;

	(void)state;
	s.max_auth_tries = NREFUSALS + 1;
	assert_int_equal(ns_pair_init(&p, NULL, &s), 0);
	assert_true(ns_pair_pump(&p, refuse_each, &rs, 1000) > 0);
	assert_int_equal(rs.seen, NREFUSALS);
	assert_int_equal(rs.failures, NREFUSALS);
	assert_int_equal(rs.verdict_errors, 0);
	assert_false(p.authed);
	assert_false(p.disconnected[0]);
	ns_pair_free(&p);
}

/* Each engine refusal counts against max_auth_tries like any other. */
static void test_engine_refusals_counted(void **state)
{
	ns_engine_config s = NS_ENGINE_CONFIG_INIT;
	refusals rs = {0};
	ns_pair p;

	(void)state;
	s.max_auth_tries = 3;
	assert_int_equal(ns_pair_init(&p, NULL, &s), 0);
	ns_pair_pump(&p, refuse_each, &rs, 1000);
	assert_int_equal(rs.seen, 3);
	assert_int_equal(rs.failures, 2);
	assert_int_equal(rs.verdict_errors, 1);
	assert_false(p.authed);
	assert_true(p.disconnected[1]);
	assert_int_equal(p.disc_reason[1], NS_DISC_NO_MORE_AUTH_METHODS);
	ns_pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_big_certificate),
	    cmocka_unit_test(test_engine_refusals),
	    cmocka_unit_test(test_engine_refusals_counted),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
