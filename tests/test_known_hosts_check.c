/* Tests for cert/known_hosts.c, reading: entries with the @cert-authority
 * and @revoked markers, host key lookups over whole files (changed, unknown,
 * revoked wherever it is listed) and CA lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib_known_hosts.h"
#include "nullspace/error.h"

static void assert_patterns(ns_str p, const char *want)
{
	assert_int_equal(p.len, strlen(want));
	assert_memory_equal(p.p, want, p.len);
}

static void test_entry_parse(void **state)
{
	ns_known_hosts_entry e;
	ns_str p;
	uint8_t pk[32];
	const char *l;

	(void)state;
	assert_int_equal(kh_entry("host1,[host2]:2222 ssh-ed25519 " B64_K " comment here\r\n", &e),
	                 0);
	assert_int_equal(e.marker, NS_KNOWN_HOSTS_PLAIN);
	assert_patterns(e.patterns, "host1,[host2]:2222");
	assert_memory_equal(e.pk, kl_pk_k, 32);
	assert_int_equal(kh_entry(H_HOST " ssh-ed25519 " B64_K, &e), 0);
	assert_patterns(e.patterns, H_HOST);
	assert_int_equal(kh_entry("@cert-authority *.example.com ssh-ed25519 " B64_K " ca", &e), 0);
	assert_int_equal(e.marker, NS_KNOWN_HOSTS_CERT_AUTHORITY);
	assert_patterns(e.patterns, "*.example.com");
	assert_memory_equal(e.pk, kl_pk_k, 32);
	assert_int_equal(kh_entry("  @revoked\t* ssh-ed25519 " B64_K, &e), 0);
	assert_int_equal(e.marker, NS_KNOWN_HOSTS_REVOKED);
	assert_patterns(e.patterns, "*");
	assert_int_equal(kh_entry("@revoked " H_A " ssh-ed25519 " B64_K, &e), 0);
	assert_patterns(e.patterns, H_A);
	/* errors */
	assert_int_equal(kh_entry("  # comment", &e), NS_ERR_NOTFOUND);
	assert_int_equal(kh_entry("", &e), NS_ERR_NOTFOUND);
	assert_int_equal(kh_entry(" \r\n", &e), NS_ERR_NOTFOUND);
	assert_int_equal(kh_entry("@revoke * ssh-ed25519 " B64_K, &e), NS_ERR_FORMAT);
	assert_int_equal(kh_entry("@REVOKED * ssh-ed25519 " B64_K, &e), NS_ERR_FORMAT);
	assert_int_equal(kh_entry("@revoked* ssh-ed25519 " B64_K, &e), NS_ERR_FORMAT);
	assert_int_equal(kh_entry("@revoked ssh-ed25519 " B64_K, &e), NS_ERR_KEYTYPE);
	assert_int_equal(kh_entry("@revoked", &e), NS_ERR_FORMAT);
	assert_int_equal(kh_entry("@revoked *", &e), NS_ERR_FORMAT);
	assert_int_equal(kh_entry("@cert-authority * " LINE_RSA, &e), NS_ERR_KEYTYPE);
	assert_int_equal(kh_entry("host " LINE_RSA, &e), NS_ERR_KEYTYPE);
	assert_int_equal(kh_entry("ssh-ed25519 " B64_K, &e), NS_ERR_KEYTYPE);
	assert_int_equal(kh_entry("host ssh-ed25519", &e), NS_ERR_FORMAT);
	assert_int_equal(kh_entry("host", &e), NS_ERR_FORMAT);
	assert_int_equal(kh_entry("host ssh-ed25519 " B64_K "\nx", &e), NS_ERR_FORMAT);
	assert_int_equal(e.marker, 0);
	assert_int_equal(e.patterns.len, 0);
	/* the plain-line parser refuses markers, as before */
	l = "host ssh-ed25519 " B64_K;
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), 0);
	assert_patterns(p, "host");
	assert_memory_equal(pk, kl_pk_k, 32);
	l = "@cert-authority *.example.com ssh-ed25519 " B64_K;
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), NS_ERR_UNSUPPORTED);
	assert_int_equal(p.len, 0);
	l = "@revoked * ssh-ed25519 " B64_K;
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), NS_ERR_UNSUPPORTED);
	l = "host";
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), NS_ERR_FORMAT);
}

static void test_check(void **state)
{
	static const kh_case cases[] = {
	    {"exact.test", 22, 0},
	    {"EXACT.test", 22, 0},
	    {"exact.test", 2222, NS_ERR_HOSTKEY_UNKNOWN},
	    {"moved.example.com", 22, NS_ERR_HOSTKEY_CHANGED},
	    {"10.0.0.2", 22, NS_ERR_HOSTKEY_CHANGED},
	    {"moved.example.com", 2222, 0},
	    /* only another key type listed: unknown, not changed */
	    {"old.test", 22, NS_ERR_HOSTKEY_UNKNOWN},
	    /* two keys listed, one of them ours */
	    {"two.example.com", 22, 0},
	    /* a wildcard line, and its negation */
	    {"www.example.com", 22, NS_ERR_HOSTKEY_CHANGED},
	    {"evil.example.com", 22, NS_ERR_HOSTKEY_UNKNOWN},
	    /* hashed lines: host.example.com is also *.example.com with another key */
	    {"host.example.com", 22, 0},
	    {"host.example.com", 2222, NS_ERR_HOSTKEY_CHANGED},
	    /* markers: revoked is refused, a CA line does not make a key known, an
	     * unknown marker is skipped */
	    {"revoked.test", 22, NS_ERR_REVOKED},
	    {"revoked.test", 2222, NS_ERR_HOSTKEY_UNKNOWN},
	    {"x.ca.test", 22, NS_ERR_HOSTKEY_UNKNOWN},
	    {"exact2.test", 22, NS_ERR_HOSTKEY_UNKNOWN},
	    {"nowhere.test", 22, NS_ERR_HOSTKEY_UNKNOWN},
	    {"", 22, NS_ERR_HOSTKEY_UNKNOWN},
	    {"exact.test", 65536, NS_ERR_HOSTKEY_UNKNOWN},
	};
	const char *text = "# known_hosts\n"
	                   "old.test " LINE_RSA "\n"
	                   "moved.example.com,10.0.0.2 ssh-ed25519 " B64_NC "\n"
	                   "[moved.example.com]:2222 ssh-ed25519 " B64_K "\r\n"
	                   "*.example.com,!evil.example.com ssh-ed25519 " B64_NC "\n"
	                   "two.example.com ssh-ed25519 " B64_NC "\n"
	                   "two.example.com ssh-ed25519 " B64_K "\n" H_HOST " ssh-ed25519 " B64_K
	                   "\n" H_HOST2222 " ssh-ed25519 " B64_NC "\n"
	                   "@revoked revoked.test ssh-ed25519 " B64_K "\n"
	                   "@cert-authority *.ca.test ssh-ed25519 " B64_K "\n"
	                   "@bogus exact2.test ssh-ed25519 " B64_K "\n"
	                   "garbage\n"
	                   "exact.test ssh-ed25519 " B64_K;

	(void)state;
	kh_expect(ns_known_hosts_check, text, kl_pk_k, cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(kh_check("", "exact.test", 22, kl_pk_k), NS_ERR_HOSTKEY_UNKNOWN);
}

static void test_revoked_wins(void **state)
{
	ns_known_hosts_entry e;
	uint8_t nc[32];
	const char *text = "exact.test ssh-ed25519 " B64_K "\n"
	                   "[exact.test]:2222 ssh-ed25519 " B64_K "\n"
	                   "*.example.com ssh-ed25519 " B64_K "\n"
	                   "@revoked * ssh-ed25519 " B64_NC "\n"
	                   "@revoked " H_HOST " ssh-ed25519 " B64_K "\n"
	                   "@revoked [exact.test]:2222 ssh-ed25519 " B64_K "\n";

	(void)state;
	assert_int_equal(kh_entry("x ssh-ed25519 " B64_NC, &e), 0);
	memcpy(nc, e.pk, 32);
	/* listed plainly, and revoked for that host (hashed, or with a port) */
	assert_int_equal(kh_check(text, "exact.test", 22, kl_pk_k), 0);
	assert_int_equal(kh_check(text, "exact.test", 2222, kl_pk_k), NS_ERR_REVOKED);
	assert_int_equal(kh_check(text, "www.example.com", 22, kl_pk_k), 0);
	assert_int_equal(kh_check(text, "host.example.com", 22, kl_pk_k), NS_ERR_REVOKED);
	assert_int_equal(
	    ns_known_hosts_revoked(text, strlen(text), "host.example.com", 22, kl_pk_k),
	    NS_ERR_REVOKED);
	assert_int_equal(ns_known_hosts_revoked(text, strlen(text), "exact.test", 22, kl_pk_k), 0);
	/* revoked for every host: refused even where it is not listed */
	assert_int_equal(kh_check(text, "exact.test", 22, nc), NS_ERR_REVOKED);
	assert_int_equal(kh_check(text, "nowhere.test", 4444, nc), NS_ERR_REVOKED);
	/* revoked before the plain line: order does not matter */
	text = "@revoked exact.test ssh-ed25519 " B64_K "\nexact.test ssh-ed25519 " B64_K "\n";
	assert_int_equal(kh_check(text, "exact.test", 22, kl_pk_k), NS_ERR_REVOKED);
}

static void test_check_ca(void **state)
{
	static const kh_case cases[] = {
	    {"x.ca.test", 22, 0},
	    {"x.ca.test", 2222, 0},
	    {"bad.ca.test", 22, NS_ERR_NOTFOUND},
	    {"a.test", 22, 0},
	    {"b.test", 22, NS_ERR_NOTFOUND},
	    {"old.test", 22, NS_ERR_REVOKED},
	    {"nowhere.test", 22, NS_ERR_NOTFOUND},
	};
	uint8_t other[32];
	const char *text = "*.ca.test ssh-ed25519 " B64_K "\n"
	                   "@cert-authority *.ca.test,!bad.ca.test ssh-ed25519 " B64_K "\n"
	                   "@cert-authority [*.ca.test]:* ssh-ed25519 " B64_K "\n"
	                   "@cert-authority " H_A " ssh-ed25519 " B64_K "\n"
	                   "@cert-authority old.test ssh-ed25519 " B64_K "\n"
	                   "@revoked old.test ssh-ed25519 " B64_K "\n";

	(void)state;
	memset(other, 7, sizeof(other));
	kh_expect(ns_known_hosts_check_ca, text, kl_pk_k, cases, sizeof(cases) / sizeof(cases[0]));
	assert_int_equal(kh_check_ca(text, "x.ca.test", 22, other), NS_ERR_NOTFOUND);
	assert_int_equal(kh_check_ca("", "x.ca.test", 22, kl_pk_k), NS_ERR_NOTFOUND);
	/* a plain line for the CA key does not make it a CA */
	assert_int_equal(kh_check_ca("*.ca.test ssh-ed25519 " B64_K, "x.ca.test", 22, kl_pk_k),
	                 NS_ERR_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_entry_parse),
	    cmocka_unit_test(test_check),
	    cmocka_unit_test(test_revoked_wins),
	    cmocka_unit_test(test_check_ca),
	};

	return cmocka_run_group_tests(tests, kl_setup, NULL);
}
