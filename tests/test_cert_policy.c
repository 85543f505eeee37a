/* Tests for cert/cert_policy.c: ns_cert_check against trusted CAs, type,
 * principal, validity window, lifetime, force-command, source-address and
 * the critical options a policy must refuse (verify-required among them),
 * and the names of the verdicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib_cert.h"
#include "nullspace/error.h"

static void test_policy(void **state)
{
	static const char *const wrong[] = {"", NULL, "carol", "alic", "alice ", "Alice"};
	static const struct {
		uint64_t now;
		int want;
	} times[] = {
	    {VA - 1, NS_CERT_NOT_YET_VALID},
	    {VA, NS_CERT_OK},
	    {VB - 1, NS_CERT_OK},
	    {VB, NS_CERT_EXPIRED},
	    {UINT64_MAX, NS_CERT_EXPIRED},
	};
	static const struct {
		const char *addr;
		int want;
	} peers[] = {
	    {"11.0.0.1", NS_CERT_SOURCE_ADDRESS},
	    {"::1", NS_CERT_OK},
	    {"::2", NS_CERT_SOURCE_ADDRESS},
	    {"::ffff:10.9.9.9", NS_CERT_OK},
	    {"::ffff:11.9.9.9", NS_CERT_SOURCE_ADDRESS},
	    {NULL, NS_CERT_SOURCE_ADDRESS},
	    {"not an address", NS_CERT_SOURCE_ADDRESS},
	};
	uint8_t keys[2][NS_ED25519_PK_LEN], b1[1024], b2[1024], b3[1024], bh[1024], b6[1024];
	uint8_t b5[1024], b7[1024];
	size_t len;
	ns_cert u1, u2, u3, u5, h1, u6, u7, zero;
	ns_cert_policy p;
	ns_cert_verdict v;
	size_t i;

	(void)state;
	memcpy(keys[0], tc_ca2_pk, 32);
	memcpy(keys[1], tc_ca_pk, 32);
	tc_load(CERT_U1, b1, sizeof(b1), &len, &u1);
	tc_load(CERT_U2, b2, sizeof(b2), &len, &u2);
	tc_load(CERT_U3, b3, sizeof(b3), &len, &u3);
	tc_load(CERT_U5, b5, sizeof(b5), &len, &u5);
	tc_load(CERT_H1, bh, sizeof(bh), &len, &h1);
	tc_load(CERT_U6, b6, sizeof(b6), &len, &u6);
	tc_load(CERT_U7, b7, sizeof(b7), &len, &u7);

	p = tc_policy(keys, 2);
	tc_check(&u1, &p, NS_CERT_OK, &v);
	assert_int_equal(v.extensions, ALL_DEFAULT_EXT);
	assert_int_equal(v.has_force_command, 0);
	p.principal = "bob";
	tc_check(&u1, &p, NS_CERT_OK, &v);
	/* CA: the other one only, none, the right one only */
	p = tc_policy(keys, 1);
	tc_check(&u1, &p, NS_CERT_UNTRUSTED_CA, &v);
	p = tc_policy(keys, 0);
	tc_check(&u1, &p, NS_CERT_UNTRUSTED_CA, &v);
	p = tc_policy(keys + 1, 1);
	tc_check(&u1, &p, NS_CERT_OK, &v);
	/* type */
	tc_check(&h1, &p, NS_CERT_WRONG_TYPE, &v);
	p.type = NS_CERT_HOST;
	tc_check(&u1, &p, NS_CERT_WRONG_TYPE, &v);
	p.principal = "sb_123";
	tc_check(&h1, &p, NS_CERT_OK, &v);
	p.principal = "sb_123:22";
	tc_check(&h1, &p, NS_CERT_WRONG_PRINCIPAL, &v);
	/* principals: an exact, case-sensitive match of one listed name */
	p = tc_policy(keys, 2);
	tc_check(&u6, &p, NS_CERT_NO_PRINCIPALS, &v);
	p.principal = "";
	tc_check(&u6, &p, NS_CERT_NO_PRINCIPALS, &v);
	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		p.principal = wrong[i];
		tc_check(&u1, &p, NS_CERT_WRONG_PRINCIPAL, &v);
	}
	/* validity: valid_after <= now < valid_before */
	p = tc_policy(keys, 2);
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		p.now = times[i].now;
		tc_check(&u1, &p, times[i].want, &v);
	}
	p.principal = "carol"; /* principal is checked before validity */
	tc_check(&u1, &p, NS_CERT_WRONG_PRINCIPAL, &v);
	/* force-command and source-address 10.0.0.0/8,::1 */
	p = tc_policy(keys, 2);
	tc_check(&u2, &p, NS_CERT_OK, &v);
	assert_int_equal(v.has_force_command, 1);
	tc_assert_str(v.force_command, "echo hi");
	for (i = 0; i < sizeof(peers) / sizeof(peers[0]); i++) {
		p.peer_addr = peers[i].addr;
		tc_check(&u2, &p, peers[i].want, &v);
	}
	/* verify-required (an ed25519 key cannot satisfy it), no permit-pty */
	p = tc_policy(keys, 2);
	tc_check(&u3, &p, NS_CERT_VERIFY_REQUIRED, &v);
	p.now = VB; /* validity is checked before the options */
	tc_check(&u3, &p, NS_CERT_EXPIRED, &v);
	p = tc_policy(keys, 2);
	tc_check(&u5, &p, NS_CERT_OK, &v);
	assert_int_equal(v.extensions & NS_EXT_PERMIT_PTY, 0);
	assert_int_equal(v.extensions & NS_EXT_PERMIT_AGENT_FORWARDING,
	                 NS_EXT_PERMIT_AGENT_FORWARDING);
	/* ssh-keygen -O critical:unknown@example.com=x */
	p.principal = "f";
	tc_check(&u7, &p, NS_CERT_UNKNOWN_OPTION, &v);
	/* a failed parse leaves a zeroed cert that nothing accepts */
	memset(&zero, 0, sizeof(zero));
	memcpy(zero.ca_pk, tc_ca_pk, 32);
	tc_check(&zero, &p, NS_CERT_MALFORMED, &v);
}

static void test_policy_options(void **state)
{
	/* each parses, and the policy refuses it */
	static const struct {
		const char *kv[2];
		int want;
	} refused[] = {
	    {{"no-such-option", "x"}, NS_CERT_UNKNOWN_OPTION},
	    {{"verify-required", "yes"}, NS_CERT_MALFORMED},
	    {{"verify-required", NULL}, NS_CERT_VERIFY_REQUIRED},
	    {{"force-command", ""}, NS_CERT_MALFORMED},
	    {{"source-address", "10.0.0.1/8"}, NS_CERT_MALFORMED},
	};
	static const char *const sa_v6[] = {"source-address", "2001:db8::/32,192.168.0.0/16"};
	static const uint8_t fc_flag[] = {0,   0,   0,   13,  'f', 'o', 'r', 'c', 'e', '-', 'c',
	                                  'o', 'm', 'm', 'a', 'n', 'd', 0,   0,   0,   0};
	const uint8_t(*keys)[NS_ED25519_PK_LEN] = &tc_ca_pk;
	ns_cert_policy p = tc_policy(keys, 1);
	ns_cert_verdict v;
	ns_cert c;
	size_t i;
	tcert t;

	(void)state;
	tc_default(&t);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		t.crit = tc_pairs(2, refused[i].kv, 2);
		tc_expect(&t, NS_CERT_OK, &c);
		tc_check(&c, &p, refused[i].want, &v);
	}
	t.crit = tc_bytes(fc_flag, sizeof(fc_flag)); /* force-command without its string */
	tc_expect(&t, NS_CERT_OK, &c);
	tc_check(&c, &p, NS_CERT_MALFORMED, &v);
	t.crit = tc_pairs(2, sa_v6, 2);
	tc_expect(&t, NS_CERT_OK, &c);
	tc_check(&c, &p, NS_CERT_SOURCE_ADDRESS, &v);
	p.peer_addr = "2001:db8:1::5";
	tc_check(&c, &p, NS_CERT_OK, &v);
	p.peer_addr = "::ffff:192.168.3.4";
	tc_check(&c, &p, NS_CERT_OK, &v);
	p.peer_addr = "192.168.3.4";
	tc_check(&c, &p, NS_CERT_OK, &v);
	/* a host certificate with any critical option */
	tc_default(&t);
	t.type = NS_CERT_HOST;
	t.crit = tc_pairs(2, sa_v6, 2);
	tc_expect(&t, NS_CERT_OK, &c);
	p.type = NS_CERT_HOST;
	p.principal = "alice";
	tc_check(&c, &p, NS_CERT_UNKNOWN_OPTION, &v);
}

/* max_lifetime: valid_before - valid_after at most that many seconds. */
static void test_policy_lifetime(void **state)
{
	const uint8_t(*keys)[NS_ED25519_PK_LEN] = &tc_ca_pk;
	uint8_t b1[1024], b7[1024];
	ns_cert u1, u7;
	ns_cert_policy p;
	ns_cert_verdict v;
	size_t len;

	(void)state;
	tc_load(CERT_U1, b1, sizeof(b1), &len, &u1); /* VA..VB: ten years */
	tc_load(CERT_U7, b7, sizeof(b7), &len, &u7); /* always:forever */
	p = tc_policy(keys, 1);
	tc_check(&u1, &p, NS_CERT_OK, &v); /* 0: no limit */
	p.max_lifetime = VB - VA;
	tc_check(&u1, &p, NS_CERT_OK, &v);
	p.max_lifetime = VB - VA - 1;
	tc_check(&u1, &p, NS_CERT_LIFETIME, &v);
	p.max_lifetime = 3600;
	tc_check(&u1, &p, NS_CERT_LIFETIME, &v);
	p.now = VB; /* an expired certificate says so first */
	tc_check(&u1, &p, NS_CERT_EXPIRED, &v);
	p.now = VA - 1;
	tc_check(&u1, &p, NS_CERT_NOT_YET_VALID, &v);
	/* "forever": refused under any limit, before its unknown critical option */
	p = tc_policy(keys, 1);
	p.principal = "f";
	tc_check(&u7, &p, NS_CERT_UNKNOWN_OPTION, &v);
	p.max_lifetime = UINT64_MAX - 1;
	tc_check(&u7, &p, NS_CERT_LIFETIME, &v);
	p.max_lifetime = UINT64_MAX;
	tc_check(&u7, &p, NS_CERT_UNKNOWN_OPTION, &v);
}

static void test_reason_names(void **state)
{
	static const char *const names[] = {
	    "ok",
	    "malformed",
	    "bad-signature",
	    "ca-is-cert",
	    "untrusted-ca",
	    "wrong-type",
	    "no-principals",
	    "wrong-principal",
	    "not-yet-valid",
	    "expired",
	    "unknown-critical-option",
	    "source-address",
	    "revoked-serial",
	    "revoked-key-id",
	    "revoked-key",
	    "verify-required",
	    "lifetime-too-long",
	    "user-presence-required",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_string_equal(ns_cert_reason_name((int)i), names[i]);
	}
	assert_int_equal(NS_CERT_NO_PRESENCE + 1, (int)(sizeof(names) / sizeof(names[0])));
	assert_string_equal(ns_cert_reason_name(-1), "unknown");
	assert_string_equal(ns_cert_reason_name(NS_CERT_NO_PRESENCE + 1), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy),
	    cmocka_unit_test(test_policy_options),
	    cmocka_unit_test(test_policy_lifetime),
	    cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests(tests, tc_setup, tc_teardown);
}
