/* Tests for cert/known_hosts.c and cert/known_hosts_hash.c, host patterns:
 * plain names, [host]:port, wildcards, negation anywhere in a list, and
 * hashed names from OpenSSH 9.2 `ssh-keygen -H`, well-formed or not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib_known_hosts.h"
#include "nullspace/error.h"

static int kh_match(const char *pat, const char *host, unsigned port)
{
	ns_str p = {(const uint8_t *)pat, strlen(pat)};

	return ns_known_hosts_match(p, host, port);
}

static void test_match(void **state)
{
	(void)state;
	assert_true(kh_match("example.com", "example.com", 22));
	assert_true(kh_match("example.com", "example.com", 0));
	assert_true(kh_match("EXAMPLE.com", "example.COM", 22));
	assert_false(kh_match("example.com", "example.org", 22));
	assert_false(kh_match("example.com", "example.co", 22));
	assert_false(kh_match("example.co", "example.com", 22));
	assert_true(kh_match("a,example.com,b", "example.com", 22));
	assert_true(kh_match("a,,example.com", "example.com", 22));
	/* ports: 22 is the bare name only; others are [host]:port only */
	assert_false(kh_match("example.com", "example.com", 2222));
	assert_true(kh_match("[example.com]:2222", "example.com", 2222));
	assert_false(kh_match("[example.com]:2222", "example.com", 2223));
	assert_false(kh_match("[example.com]:22", "example.com", 22));
	assert_true(kh_match("[*.example.com]:*", "a.example.com", 2222));
	assert_true(kh_match("[::1]:2222", "::1", 2222));
	assert_false(kh_match("[example.com]:65536", "example.com", 65536));
	/* wildcards */
	assert_true(kh_match("*.example.com", "a.b.example.com", 22));
	assert_false(kh_match("*.example.com", "example.com", 22));
	assert_true(kh_match("host?", "host1", 22));
	assert_false(kh_match("host?", "host12", 22));
	assert_false(kh_match("host?", "host", 22));
	assert_true(kh_match("*", "anything", 22));
	assert_true(kh_match("h*t*", "host", 22));
	assert_true(kh_match("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 22));
	assert_false(kh_match("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 22));
	assert_true(kh_match("10.0.0.*", "10.0.0.7", 22));
	/* negation wins, wherever it is in the list */
	assert_false(kh_match("*.example.com,!bad.example.com", "bad.example.com", 22));
	assert_true(kh_match("*.example.com,!bad.example.com", "good.example.com", 22));
	assert_false(kh_match("!bad.example.com,*.example.com", "bad.example.com", 22));
	assert_false(kh_match("!bad.example.com", "good.example.com", 22));
	assert_false(kh_match("!*", "example.com", 22));
	/* nothing to match */
	assert_false(kh_match("", "example.com", 22));
	assert_false(kh_match("example.com", "", 22));
	assert_false(kh_match("example.com", NULL, 22));
}

static void test_match_hashed(void **state)
{
	(void)state;
	/* ssh-keygen -H vectors: the bare name for port 22, [host]:port else */
	assert_true(kh_match(H_HOST, "host.example.com", 22));
	assert_true(kh_match(H_HOST, "host.example.com", 0));
	assert_true(kh_match(H_HOST, "HOST.Example.com", 22)); /* ssh looks up in lower case */
	assert_false(kh_match(H_HOST, "host.example.com", 2222));
	assert_false(kh_match(H_HOST, "host.example.org", 22));
	assert_true(kh_match(H_HOST2222, "host.example.com", 2222));
	assert_false(kh_match(H_HOST2222, "host.example.com", 22));
	assert_false(kh_match(H_HOST2222, "host.example.com", 2223));
	assert_true(kh_match(H_10001, "10.0.0.1", 22));
	assert_true(kh_match(H_A, "a.test", 22));
	assert_true(kh_match(H_B, "b.test", 22));
	assert_false(kh_match(H_A, "b.test", 22));
	/* as list elements, and negated: the negation wins */
	assert_true(kh_match(H_A "," H_B, "b.test", 22));
	assert_true(kh_match("*.example.com,!" H_BAD, "good.example.com", 22));
	assert_false(kh_match("*.example.com,!" H_BAD, "bad.example.com", 22));
	assert_false(kh_match("!" H_BAD ",bad.example.com", "bad.example.com", 22));
	assert_false(kh_match("!" H_BAD, "good.example.com", 22));
	/* malformed hashes never match */
	assert_false(kh_match("|1|c2FsdA==|aGFzaA==", "example.com", 22)); /* short salt */
	assert_false(kh_match("|2|qsBNcb9wjXRrsMLrQAx1f+EDcIw=|QXY8O0ZTHP+2zUA02oinN578Mv8=",
	                      "host.example.com", 22));
	assert_false(kh_match("|1|qsBNcb9wjXRrsMLrQAx1f+EDcIw=|QXY8O0ZTHP+2zUA02oinN578Mv8",
	                      "host.example.com", 22)); /* no pad */
	assert_false(
	    kh_match("|1|qsBNcb9wjXRrsMLrQAx1f+EDcIw=", "host.example.com", 22)); /* no hash */
	assert_false(kh_match("|1|qsBNcb9wjXRrsMLrQAx1f+EDcIw=|QXY8O0ZTHP+2zUA02oinN578Mv9=",
	                      "host.example.com", 22)); /* stray bits */
	assert_false(kh_match("|1|||", "host.example.com", 22));
	assert_false(kh_match("|", "host.example.com", 22));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_match_hashed),
	};

	return cmocka_run_group_tests(tests, kl_setup, NULL);
}
