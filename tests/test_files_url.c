/* Tests for api/files_url.c: the signature against an independent HMAC,
 * the URL formatted and read back (raw query and decoded fields),
 * verification (tampered sig, other sandbox, path or method, expiry at the
 * boundary, lifetime cap) and refusals of malformed fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "files_url.h"
#include "nullspace/error.h"

static uint8_t SECRET[NS_FILES_SECRET_LEN];
#define NOW 1700000000ULL

static int setup(void **state)
{
	(void)state;
	memset(SECRET, 0x33, sizeof(SECRET));
	return sodium_init() < 0 ? -1 : 0;
}

static void test_sign_matches_hmac(void **state)
{
	const char *msg = "nullspace-files-v1\nsb_x\nGET\n1700000600\ndir/a b.txt";
	uint8_t sig[32], want[32];
	crypto_auth_hmacsha256_state st;

	(void)state;
	assert_int_equal(ns_files_url_sign(SECRET, "sb_x", "GET", NOW + 600, "dir/a b.txt", sig),
	                 0);
	crypto_auth_hmacsha256_init(&st, SECRET, sizeof(SECRET));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, want);
	assert_memory_equal(sig, want, 32);
	assert_int_equal(ns_files_url_sign(SECRET, "sb/x", "GET", 1, "a", sig), NS_ERR_INVALID);
}

/* Format, then parse the query back. */
static ns_files_url roundtrip(const char *sb, const char *method, uint64_t exp, const char *path)
{
	char url[NS_FILES_URL_MAX];
	const char *q;
	ns_files_url u;

	assert_int_equal(
	    ns_files_url_format("http://h:1", SECRET, sb, method, exp, path, url, sizeof(url)), 0);
	assert_non_null(strstr(url, "http://h:1/v1/files/signed?"));
	q = strchr(url, '?') + 1;
	assert_int_equal(ns_files_url_parse_query(q, strlen(q), &u), 0);
	return u;
}

static void test_roundtrip_verifies(void **state)
{
	ns_files_url u = roundtrip("sb_abc", "GET", NOW + 600, "dir/a b&c=d%.txt");

	(void)state;
	assert_string_equal(u.path, "dir/a b&c=d%.txt");
	assert_int_equal(ns_files_url_verify(&u, SECRET, "GET", NOW), NS_FILES_URL_OK);
	u = roundtrip("sb_abc", "PUT", NOW + 60, "x");
	assert_int_equal(ns_files_url_verify(&u, SECRET, "PUT", NOW), NS_FILES_URL_OK);
	assert_int_equal(ns_files_url_verify(&u, SECRET, "GET", NOW), NS_FILES_URL_METHOD);
}

static void test_tampering_refused(void **state)
{
	ns_files_url u = roundtrip("sb_abc", "GET", NOW + 600, "a.txt"), v;
	uint8_t other[NS_FILES_SECRET_LEN];

	(void)state;
	v = u;
	v.sig[31] ^= 1;
	assert_int_equal(ns_files_url_verify(&v, SECRET, "GET", NOW), NS_FILES_URL_BAD_SIG);
	v = u;
	strcpy(v.sandbox, "sb_abd");
	assert_int_equal(ns_files_url_verify(&v, SECRET, "GET", NOW), NS_FILES_URL_BAD_SIG);
	v = u;
	strcpy(v.path, "b.txt");
	assert_int_equal(ns_files_url_verify(&v, SECRET, "GET", NOW), NS_FILES_URL_BAD_SIG);
	v = u;
	v.exp++;
	assert_int_equal(ns_files_url_verify(&v, SECRET, "GET", NOW), NS_FILES_URL_BAD_SIG);
	v = u;
	strcpy(v.method, "PUT");
	assert_int_equal(ns_files_url_verify(&v, SECRET, "PUT", NOW), NS_FILES_URL_BAD_SIG);
	memset(other, 0x34, sizeof(other));
	assert_int_equal(ns_files_url_verify(&u, other, "GET", NOW), NS_FILES_URL_BAD_SIG);
	assert_int_equal(ns_files_refusal_status(NS_FILES_URL_BAD_SIG), 403);
}

static void test_expiry_and_lifetime(void **state)
{
	ns_files_url u = roundtrip("sb_abc", "GET", NOW + 10, "a");

	(void)state;
	assert_int_equal(ns_files_url_verify(&u, SECRET, "GET", NOW + 9), NS_FILES_URL_OK);
	assert_int_equal(ns_files_url_verify(&u, SECRET, "GET", NOW + 10), NS_FILES_URL_EXPIRED);
	assert_int_equal(ns_files_refusal_status(NS_FILES_URL_EXPIRED), 403);
	u = roundtrip("sb_abc", "GET", NOW + NS_FILES_URL_LIFETIME_MAX, "a");
	assert_int_equal(ns_files_url_verify(&u, SECRET, "GET", NOW), NS_FILES_URL_OK);
	u = roundtrip("sb_abc", "GET", NOW + NS_FILES_URL_LIFETIME_MAX + 1, "a");
	assert_int_equal(ns_files_url_verify(&u, SECRET, "GET", NOW), NS_FILES_URL_TOO_LONG);
	assert_string_equal(ns_files_refusal_name(NS_FILES_URL_EXPIRED), "expired");
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
	    "sandbox=sb_a&sandbox=sb_a", /* repeated */
	    "sandbox=sb/a",              /* not an id */
	    "method=POST",               /* no such method */
	    "exp=01",                    /* leading zero */
	    "exp=123456789012345678901", /* too long */
	    "exp=18446744073709551616",  /* UINT64_MAX + 1 */
	    "exp=1x",                    /* not a number */
	    "sig=00",                    /* short */
	    "sig="
	    "zz00000000000000000000000000000000000000000000000000000000000000", /* hex */
	    "path=a%00b",                                                       /* NUL */
	    "path=a%zz",                                                        /* bad escape */
	    "path=a%2",                                                         /* cut escape */
	    "noequals",                                                         /* no value */
	};
	ns_files_url u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ns_files_url_parse_query(bad[i], strlen(bad[i]), &u),
		                 NS_ERR_FORMAT);
	}
	assert_int_equal(ns_files_url_parse_query("path=a&other=1", 14, &u), 0);
	assert_int_equal(ns_files_url_verify(&u, SECRET, "GET", NOW), NS_FILES_URL_MALFORMED);
	assert_int_equal(ns_files_refusal_status(NS_FILES_URL_MALFORMED), 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sign_matches_hmac), cmocka_unit_test(test_roundtrip_verifies),
	    cmocka_unit_test(test_tampering_refused), cmocka_unit_test(test_expiry_and_lifetime),
	    cmocka_unit_test(test_malformed),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
