/* Certificate fixtures (lib_cert.h): the ssh-keygen CA and keys loaded once
 * per suite, line loading, the policy helper, and the builder of hand-made
 * certificates for the tests/test_cert_*.c suites. */
#include "lib_cert.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "buf.h"
#include "nullspace/error.h"

/* ssh-keygen -t ed25519 -f ca -N '' -C ca (private key, test only) */
static const char CA_KEY[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAA"
    "BAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACB5iW8luOQZq2u0NBDItMzXR9BmYMM50nxw11KRFKYFrgAAAIiDcccRg"
    "3HH\nEQAAAAtzc2gtZWQyNTUxOQAAACB5iW8luOQZq2u0NBDItMzXR9BmYMM50nxw11KRFKYFrg\nAAAEAN0G9Uh"
    "R9Bi/YZ1wKGT/vSYMwR91yHWe932XzpItRU0HmJbyW45Bmra7Q0EMi0zNdH\n0GZgwznSfHDXUpEUpgWuAAAAAmN"
    "hAQID\n-----END OPENSSH PRIVATE KEY-----\n";

ns_key tc_ca;
uint8_t tc_ca_pk[NS_ED25519_PK_LEN], tc_ca2_pk[NS_ED25519_PK_LEN];
uint8_t tc_user_pk[NS_ED25519_PK_LEN], tc_host_pk[NS_ED25519_PK_LEN];
uint8_t tc_ca_blob[NS_KEY_BLOB_LEN], tc_big[2 * NS_CERT_BLOB_MAX];
static uint8_t nonce32[32], lst[3][8192];

int tc_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || ns_keyfile_parse(CA_KEY, strlen(CA_KEY), &tc_ca) != 0 ||
	    ns_key_from_line(CA_PUB, strlen(CA_PUB), tc_ca_pk, NULL) != 0 ||
	    ns_key_from_line(CA2_PUB, strlen(CA2_PUB), tc_ca2_pk, NULL) != 0 ||
	    ns_key_from_line(USER_PUB, strlen(USER_PUB), tc_user_pk, NULL) != 0 ||
	    ns_key_from_line(HOST_PUB, strlen(HOST_PUB), tc_host_pk, NULL) != 0) {
		return -1;
	}
	return memcmp(tc_ca.pk, tc_ca_pk, NS_ED25519_PK_LEN) == 0 ? 0 : -1;
}

int tc_teardown(void **state)
{
	(void)state;
	ns_key_wipe(&tc_ca);
	return 0;
}

void tc_load(const char *line, uint8_t *blob, size_t cap, size_t *len, ns_cert *c)
{
	int why = -1;

	assert_int_equal(ns_cert_from_line(line, strlen(line), blob, cap, len), 0);
	assert_int_equal(ns_cert_parse(blob, *len, c, &why), 0);
	assert_int_equal(why, NS_CERT_OK);
}

void tc_assert_str(ns_str s, const char *want)
{
	assert_int_equal(s.len, strlen(want));
	assert_true(s.len == 0 || memcmp(s.p, want, s.len) == 0);
}

ns_cert_policy tc_policy(const uint8_t (*keys)[NS_ED25519_PK_LEN], size_t nca)
{
	ns_cert_policy p;

	memset(&p, 0, sizeof(p));
	p.ca_keys = keys;
	p.nca = nca;
	p.type = NS_CERT_USER;
	p.principal = "alice";
	p.now = VA + 1000;
	p.peer_addr = "10.1.2.3";
	return p;
}

void tc_check(const ns_cert *c, const ns_cert_policy *p, int want, ns_cert_verdict *v)
{
	int rc = ns_cert_check(c, p, v);

	assert_string_equal(ns_cert_reason_name(v->reason), ns_cert_reason_name(want));
	assert_int_equal(rc, want == NS_CERT_OK ? 0 : NS_ERR_AUTH);
	if (want != NS_CERT_OK) {
		assert_int_equal(v->has_force_command, 0);
		assert_int_equal(v->extensions, 0);
		assert_int_equal(v->verify_required, 0);
	}
}

tc_field tc_bytes(const void *p, size_t n)
{
	tc_field f = {p, n};
	return f;
}

tc_field tc_cstr(const char *s)
{
	return tc_bytes(s, strlen(s));
}

tc_field tc_pack(int slot, const char *const *items, size_t n)
{
	ns_buf b;
	size_t i;

	ns_buf_init_fixed(&b, lst[slot], sizeof(lst[slot]));
	for (i = 0; i < n; i++) {
		ns_wr_cstr(&b, items[i]);
	}
	assert_int_equal(b.err, 0);
	return tc_bytes(b.p, b.len);
}

tc_field tc_pairs(int slot, const char *const *kv, size_t n)
{
	uint8_t inner[512];
	ns_buf b, d;
	size_t i;

	ns_buf_init_fixed(&b, lst[slot], sizeof(lst[slot]));
	for (i = 0; i + 1 < n; i += 2) {
		ns_buf_init_fixed(&d, inner, sizeof(inner));
		if (kv[i + 1] != NULL) {
			ns_wr_cstr(&d, kv[i + 1]);
		}
		ns_wr_cstr(&b, kv[i]);
		ns_wr_string(&b, d.p, d.len);
	}
	assert_int_equal(b.err, 0);
	return tc_bytes(b.p, b.len);
}

void tc_default(tcert *t)
{
	static const char *const alice[] = {"alice"}, *const pty[] = {"permit-pty", NULL};

	memset(nonce32, 0x11, sizeof(nonce32));
	ns_key_blob(tc_ca_pk, tc_ca_blob);
	memset(t, 0, sizeof(*t));
	t->alg = NS_CERT_ALG;
	t->nonce = tc_bytes(nonce32, 32);
	t->pk = tc_bytes(tc_user_pk, 32);
	t->serial = 7;
	t->type = NS_CERT_USER;
	t->key_id = tc_cstr("kid");
	t->principals = tc_pack(0, alice, 1);
	t->ext = tc_pairs(1, pty, 2);
	t->ca = tc_bytes(tc_ca_blob, sizeof(tc_ca_blob));
	t->signer = &tc_ca;
}

size_t tc_build(const tcert *t, uint8_t *out, size_t cap)
{
	uint8_t sig[NS_SIG_BLOB_LEN];
	ns_buf b;

	ns_buf_init_fixed(&b, out, cap);
	ns_wr_cstr(&b, t->alg);
	ns_wr_string(&b, t->nonce.p, t->nonce.n);
	ns_wr_string(&b, t->pk.p, t->pk.n);
	ns_wr_u64(&b, t->serial);
	ns_wr_u32(&b, t->type);
	ns_wr_string(&b, t->key_id.p, t->key_id.n);
	ns_wr_string(&b, t->principals.p, t->principals.n);
	ns_wr_u64(&b, VA);
	ns_wr_u64(&b, VB);
	ns_wr_string(&b, t->crit.p, t->crit.n);
	ns_wr_string(&b, t->ext.p, t->ext.n);
	ns_wr_string(&b, t->reserved.p, t->reserved.n);
	ns_wr_string(&b, t->ca.p, t->ca.n);
	assert_int_equal(ns_key_sign(t->signer, out, b.len, sig), 0);
	ns_wr_string(&b, sig, sizeof(sig));
	assert_int_equal(b.err, 0);
	return b.len;
}

void tc_expect_at(const tcert *t, int want, ns_cert *c, int line)
{
	size_t n = tc_build(t, tc_big, sizeof(tc_big));
	int why = -1, rc = ns_cert_parse(tc_big, n, c, &why);

	if (why != want || (rc == 0) != (want == NS_CERT_OK)) {
		fail_msg("line %d: reason %s, want %s (rc %d)", line, ns_cert_reason_name(why),
		         ns_cert_reason_name(want), rc);
	}
}
