/* Tests for cert/revoked.c: revocation lists of serials, key ids and keys,
 * as ns_cert_check applies them and line by line; a malformed line anywhere
 * voids the whole list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib_cert.h"
#include "nullspace/error.h"

static void test_policy_revoked(void **state)
{
	static const struct {
		const char *list;
		int want;
	} cases[] = {
	    {"", NS_CERT_OK},
	    {"# nothing\n\n   \n", NS_CERT_OK},
	    {"serial: 42", NS_CERT_REVOKED_SERIAL},
	    {"serial: 41\nserial: 43\n", NS_CERT_OK},
	    {"serial: 40-50\n", NS_CERT_REVOKED_SERIAL},
	    {"serial:42-42", NS_CERT_REVOKED_SERIAL},
	    {"serial: 43-18446744073709551615", NS_CERT_OK},
	    {"  id: keyid  \r\n", NS_CERT_REVOKED_KEY_ID},
	    {"id: keyi\nid: keyid2\nid: KEYID", NS_CERT_OK},
	    {"key: " CA2_PUB, NS_CERT_OK},
	    {"# the user's key\nkey: " USER_PUB "\n", NS_CERT_REVOKED_KEY},
	    {"key: " CA_PUB, NS_CERT_REVOKED_KEY},
	    {"serial: 1\nid: x\nkey: " CA2_PUB "\nserial: 42\n", NS_CERT_REVOKED_SERIAL},
	    /* a malformed line anywhere voids the whole list: refuse */
	    {"serial: 42x", NS_CERT_MALFORMED},
	    {"serial: 1\nserial: forty-two\n", NS_CERT_MALFORMED},
	    {"id: keyid\nbogus\n", NS_CERT_MALFORMED},
	    {"serial: 0", NS_CERT_MALFORMED},
	    {"serial: 50-40", NS_CERT_MALFORMED},
	    {"serial: 18446744073709551616", NS_CERT_MALFORMED},
	    {"key: ssh-ed25519 AAAA", NS_CERT_MALFORMED},
	};
	uint8_t blob[1024];
	const uint8_t(*keys)[NS_ED25519_PK_LEN] = &tc_ca_pk;
	ns_cert_policy p = tc_policy(keys, 1);
	ns_cert_verdict v;
	size_t len, i;
	ns_cert c;
	int why;

	(void)state;
	tc_load(CERT_U1, blob, sizeof(blob), &len, &c);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p.revoked = cases[i].list;
		p.revoked_len = strlen(cases[i].list);
		tc_check(&c, &p, cases[i].want, &v);
		why = -1;
		assert_int_equal(ns_revoked_check(p.revoked, p.revoked_len, &c, &why),
		                 cases[i].want == NS_CERT_OK ? 0 : NS_ERR_AUTH);
		assert_int_equal(why, cases[i].want);
	}
	/* expiry is reported before revocation */
	p.revoked = "serial: 42";
	p.revoked_len = strlen(p.revoked);
	p.now = VB;
	tc_check(&c, &p, NS_CERT_EXPIRED, &v);
}

static void test_revoked_lines(void **state)
{
	static const char *const good[] = {
	    "",
	    "   ",
	    "# comment",
	    "serial: 1",
	    "serial:1",
	    "serial: 1-1",
	    "serial:\t5-10\n",
	    "serial: 18446744073709551615",
	    "id: a key id with spaces",
	    "id:x",
	    "key: " USER_PUB,
	    "key: ssh-ed25519 "
	    "AAAAC3NzaC1lZDI1NTE5AAAAIOYT3OgQvtC9d3urVfJb3moNIMA7RJqrMuLYEEFj+p2w",
	};
	static const char *const bad[] = {
	    "serial",
	    "serial:",
	    "serial: -1",
	    "serial: +1",
	    "serial: 1-",
	    "serial: -",
	    "serial: 1 - 2",
	    "serial: 0x10",
	    "serial: 0",
	    "serial: 0-5",
	    "serial: 3-2",
	    "serial: 99999999999999999999",
	    "Serial: 1",
	    "serial : 1",
	    "id:",
	    "id:   ",
	    "key:",
	    "key: " CA_PUB "x\ny",
	    "key: ssh-rsa AAAA",
	    "key: " CERT_U1,
	    "revoke everything",
	    "a\rb",
	};
	char longid[NS_CERT_KEY_ID_MAX + 8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(ns_revoked_line_parse(good[i], strlen(good[i])), 0);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ns_revoked_line_parse(bad[i], strlen(bad[i])), NS_ERR_FORMAT);
	}
	assert_int_equal(ns_revoked_line_parse("id: a\0b", 7), NS_ERR_FORMAT);
	memcpy(longid, "id: ", 4);
	memset(longid + 4, 'x', NS_CERT_KEY_ID_MAX);
	assert_int_equal(ns_revoked_line_parse(longid, 4 + NS_CERT_KEY_ID_MAX), 0);
	longid[4 + NS_CERT_KEY_ID_MAX] = 'x';
	assert_int_equal(ns_revoked_line_parse(longid, 5 + NS_CERT_KEY_ID_MAX), NS_ERR_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy_revoked),
	    cmocka_unit_test(test_revoked_lines),
	};

	return cmocka_run_group_tests(tests, tc_setup, tc_teardown);
}
