/* Tests for cert/known_hosts.c and cert/known_hosts_hash.c: host patterns
 * (plain, [host]:port, wildcards, negation, hashed), the @cert-authority and
 * @revoked markers, lookups and the lines we write, against vectors from
 * OpenSSH 9.2 `ssh-keygen -H` and, when it is installed, `ssh-keygen -F`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "nullspace/error.h"
#include "nullspace/known_hosts.h"

/* ssh-keygen -t ed25519 -C test: k.pub */
#define B64_K "AAAAC3NzaC1lZDI1NTE5AAAAIHfKll5C3VKMwONnIhoIKOq/uogrlCFlGQkt3uiRnDpi"
static const uint8_t PK_K[32] = {
    0x77, 0xca, 0x96, 0x5e, 0x42, 0xdd, 0x52, 0x8c, 0xc0, 0xe3, 0x67, 0x22, 0x1a, 0x08, 0x28, 0xea,
    0xbf, 0xba, 0x88, 0x2b, 0x94, 0x21, 0x65, 0x19, 0x09, 0x2d, 0xde, 0xe8, 0x91, 0x9c, 0x3a, 0x62,
};
/* another ed25519 key (-C '') and an RSA key */
#define B64_NC "AAAAC3NzaC1lZDI1NTE5AAAAIJqR3MvSvnQimiSwmzW0o1pwEy0pcl0lgi5xXgWRU51t"
#define LINE_RSA                                                                                   \
	"ssh-rsa "                                                                                 \
	"AAAAB3NzaC1yc2EAAAADAQABAAAAgQDnE1HhgeflqILbkAweGXAzWEI7ngUB7WFGjqaZPtCn0VUhlfv9M8Oao4ov" \
	"+"                                                                                        \
	"vpACc56jawmCpJuZgT5LNLyBbk2tl+iUxTLh+lKCuHjtmNLHkHjFFaH7/"                                \
	"aaroTm4CSLpDx+STv3CAhk0FWyj9zVXEezCU03Ljep2kga7KH48WFekQ== rsa"

/* `ssh-keygen -H` (OpenSSH 9.2) of a file listing host.example.com,
 * [host.example.com]:2222, 10.0.0.1, bad.example.com, a.test and b.test. */
#define H_HOST "|1|qsBNcb9wjXRrsMLrQAx1f+EDcIw=|QXY8O0ZTHP+2zUA02oinN578Mv8="
#define H_HOST2222 "|1|GqtcRkxvNOMWbA+kW9i6sUAjCus=|8ZqZTOCt2BH4cgAGJA8RdLeY2Fc="
#define H_10001 "|1|Q1hJmWdX4rvvzMzOHG3vu4+j+Ls=|fC14uELxYvO+d+H/otgLkT+Crts="
#define H_BAD "|1|JHNAkUfLq+GVijRaeN1YUK/bkvA=|IoipLmyg+X17gA7G/49QFQSpmB0="
#define H_A "|1|nownX8dMGXquZI/HgSDW/Rmf+KE=|pked43jqEBAgFlv2acgXSzHkWDs="
#define H_B "|1|PpUJMgEzewIFMvdaonPD1RawewA=|YReawksSy3uPjPxJqswfKVwxfbo="

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static int kh_match(const char *pat, const char *host, unsigned port)
{
	ns_str p = {(const uint8_t *)pat, strlen(pat)};

	return ns_known_hosts_match(p, host, port);
}

static int check(const char *text, const char *host, unsigned port, const uint8_t pk[32])
{
	return ns_known_hosts_check(text, strlen(text), host, port, pk);
}

static int check_ca(const char *text, const char *host, unsigned port, const uint8_t pk[32])
{
	return ns_known_hosts_check_ca(text, strlen(text), host, port, pk);
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

static int entry(const char *l, ns_known_hosts_entry *e)
{
	return ns_known_hosts_entry_parse(l, strlen(l), e);
}

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
	assert_int_equal(entry("host1,[host2]:2222 ssh-ed25519 " B64_K " comment here\r\n", &e), 0);
	assert_int_equal(e.marker, NS_KNOWN_HOSTS_PLAIN);
	assert_patterns(e.patterns, "host1,[host2]:2222");
	assert_memory_equal(e.pk, PK_K, 32);
	assert_int_equal(entry(H_HOST " ssh-ed25519 " B64_K, &e), 0);
	assert_patterns(e.patterns, H_HOST);
	assert_int_equal(entry("@cert-authority *.example.com ssh-ed25519 " B64_K " ca", &e), 0);
	assert_int_equal(e.marker, NS_KNOWN_HOSTS_CERT_AUTHORITY);
	assert_patterns(e.patterns, "*.example.com");
	assert_memory_equal(e.pk, PK_K, 32);
	assert_int_equal(entry("  @revoked\t* ssh-ed25519 " B64_K, &e), 0);
	assert_int_equal(e.marker, NS_KNOWN_HOSTS_REVOKED);
	assert_patterns(e.patterns, "*");
	assert_int_equal(entry("@revoked " H_A " ssh-ed25519 " B64_K, &e), 0);
	assert_patterns(e.patterns, H_A);
	/* errors */
	assert_int_equal(entry("  # comment", &e), NS_ERR_NOTFOUND);
	assert_int_equal(entry("", &e), NS_ERR_NOTFOUND);
	assert_int_equal(entry(" \r\n", &e), NS_ERR_NOTFOUND);
	assert_int_equal(entry("@revoke * ssh-ed25519 " B64_K, &e), NS_ERR_FORMAT);
	assert_int_equal(entry("@REVOKED * ssh-ed25519 " B64_K, &e), NS_ERR_FORMAT);
	assert_int_equal(entry("@revoked* ssh-ed25519 " B64_K, &e), NS_ERR_FORMAT);
	assert_int_equal(entry("@revoked ssh-ed25519 " B64_K, &e), NS_ERR_KEYTYPE);
	assert_int_equal(entry("@revoked", &e), NS_ERR_FORMAT);
	assert_int_equal(entry("@revoked *", &e), NS_ERR_FORMAT);
	assert_int_equal(entry("@cert-authority * " LINE_RSA, &e), NS_ERR_KEYTYPE);
	assert_int_equal(entry("host " LINE_RSA, &e), NS_ERR_KEYTYPE);
	assert_int_equal(entry("ssh-ed25519 " B64_K, &e), NS_ERR_KEYTYPE);
	assert_int_equal(entry("host ssh-ed25519", &e), NS_ERR_FORMAT);
	assert_int_equal(entry("host", &e), NS_ERR_FORMAT);
	assert_int_equal(entry("host ssh-ed25519 " B64_K "\nx", &e), NS_ERR_FORMAT);
	assert_int_equal(e.marker, 0);
	assert_int_equal(e.patterns.len, 0);
	/* the plain-line parser refuses markers, as before */
	l = "host ssh-ed25519 " B64_K;
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), 0);
	assert_patterns(p, "host");
	assert_memory_equal(pk, PK_K, 32);
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
	assert_int_equal(check(text, "exact.test", 22, PK_K), 0);
	assert_int_equal(check(text, "EXACT.test", 22, PK_K), 0);
	assert_int_equal(check(text, "exact.test", 2222, PK_K), NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(check(text, "moved.example.com", 22, PK_K), NS_ERR_HOSTKEY_CHANGED);
	assert_int_equal(check(text, "10.0.0.2", 22, PK_K), NS_ERR_HOSTKEY_CHANGED);
	assert_int_equal(check(text, "moved.example.com", 2222, PK_K), 0);
	/* only another key type listed: unknown, not changed */
	assert_int_equal(check(text, "old.test", 22, PK_K), NS_ERR_HOSTKEY_UNKNOWN);
	/* two keys listed, one of them ours */
	assert_int_equal(check(text, "two.example.com", 22, PK_K), 0);
	/* a wildcard line, and its negation */
	assert_int_equal(check(text, "www.example.com", 22, PK_K), NS_ERR_HOSTKEY_CHANGED);
	assert_int_equal(check(text, "evil.example.com", 22, PK_K), NS_ERR_HOSTKEY_UNKNOWN);
	/* hashed lines: host.example.com is also *.example.com with another key */
	assert_int_equal(check(text, "host.example.com", 22, PK_K), 0);
	assert_int_equal(check(text, "host.example.com", 2222, PK_K), NS_ERR_HOSTKEY_CHANGED);
	/* markers: revoked is refused, a CA line does not make a key known, an
	 * unknown marker is skipped */
	assert_int_equal(check(text, "revoked.test", 22, PK_K), NS_ERR_REVOKED);
	assert_int_equal(check(text, "revoked.test", 2222, PK_K), NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(check(text, "x.ca.test", 22, PK_K), NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(check(text, "exact2.test", 22, PK_K), NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(check(text, "nowhere.test", 22, PK_K), NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(check("", "exact.test", 22, PK_K), NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(check(text, "", 22, PK_K), NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(check(text, "exact.test", 65536, PK_K), NS_ERR_HOSTKEY_UNKNOWN);
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
	assert_int_equal(entry("x ssh-ed25519 " B64_NC, &e), 0);
	memcpy(nc, e.pk, 32);
	/* listed plainly, and revoked for that host (hashed, or with a port) */
	assert_int_equal(check(text, "exact.test", 22, PK_K), 0);
	assert_int_equal(check(text, "exact.test", 2222, PK_K), NS_ERR_REVOKED);
	assert_int_equal(check(text, "www.example.com", 22, PK_K), 0);
	assert_int_equal(check(text, "host.example.com", 22, PK_K), NS_ERR_REVOKED);
	assert_int_equal(ns_known_hosts_revoked(text, strlen(text), "host.example.com", 22, PK_K),
	                 NS_ERR_REVOKED);
	assert_int_equal(ns_known_hosts_revoked(text, strlen(text), "exact.test", 22, PK_K), 0);
	/* revoked for every host: refused even where it is not listed */
	assert_int_equal(check(text, "exact.test", 22, nc), NS_ERR_REVOKED);
	assert_int_equal(check(text, "nowhere.test", 4444, nc), NS_ERR_REVOKED);
	/* revoked before the plain line: order does not matter */
	text = "@revoked exact.test ssh-ed25519 " B64_K "\nexact.test ssh-ed25519 " B64_K "\n";
	assert_int_equal(check(text, "exact.test", 22, PK_K), NS_ERR_REVOKED);
}

static void test_check_ca(void **state)
{
	uint8_t other[32];
	const char *text = "*.ca.test ssh-ed25519 " B64_K "\n"
	                   "@cert-authority *.ca.test,!bad.ca.test ssh-ed25519 " B64_K "\n"
	                   "@cert-authority [*.ca.test]:* ssh-ed25519 " B64_K "\n"
	                   "@cert-authority " H_A " ssh-ed25519 " B64_K "\n"
	                   "@cert-authority old.test ssh-ed25519 " B64_K "\n"
	                   "@revoked old.test ssh-ed25519 " B64_K "\n";

	(void)state;
	memset(other, 7, sizeof(other));
	assert_int_equal(check_ca(text, "x.ca.test", 22, PK_K), 0);
	assert_int_equal(check_ca(text, "x.ca.test", 2222, PK_K), 0);
	assert_int_equal(check_ca(text, "bad.ca.test", 22, PK_K), NS_ERR_NOTFOUND);
	assert_int_equal(check_ca(text, "a.test", 22, PK_K), 0);
	assert_int_equal(check_ca(text, "b.test", 22, PK_K), NS_ERR_NOTFOUND);
	assert_int_equal(check_ca(text, "x.ca.test", 22, other), NS_ERR_NOTFOUND);
	assert_int_equal(check_ca(text, "old.test", 22, PK_K), NS_ERR_REVOKED);
	assert_int_equal(check_ca(text, "nowhere.test", 22, PK_K), NS_ERR_NOTFOUND);
	assert_int_equal(check_ca("", "x.ca.test", 22, PK_K), NS_ERR_NOTFOUND);
	/* a plain line for the CA key does not make it a CA */
	assert_int_equal(check_ca("*.ca.test ssh-ed25519 " B64_K, "x.ca.test", 22, PK_K),
	                 NS_ERR_NOTFOUND);
}

static void test_line(void **state)
{
	char out[NS_KEY_LINE_MAX];
	ns_str p;
	uint8_t pk[32];

	(void)state;
	assert_int_equal(ns_known_hosts_line("Example.COM", 22, PK_K, out, sizeof(out)), 0);
	assert_string_equal(out, "example.com ssh-ed25519 " B64_K);
	assert_int_equal(ns_known_hosts_line("example.com", 2222, PK_K, out, sizeof(out)), 0);
	assert_string_equal(out, "[example.com]:2222 ssh-ed25519 " B64_K);
	assert_int_equal(check(out, "example.com", 2222, PK_K), 0);
	assert_int_equal(check(out, "example.com", 22, PK_K), NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(ns_known_hosts_line("::1", 65535, PK_K, out, sizeof(out)), 0);
	assert_string_equal(out, "[::1]:65535 ssh-ed25519 " B64_K);
	assert_int_equal(ns_known_hosts_line_parse(out, strlen(out), &p, pk), 0);
	assert_true(ns_known_hosts_match(p, "::1", 65535));
	/* names that would be patterns, comments or markers, or split the line */
	assert_int_equal(ns_known_hosts_line("", 22, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line(NULL, 22, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("a b", 22, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("a,b", 22, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("*.x", 22, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("h?", 22, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("!x", 22, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("#x", 22, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("@x", 22, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("|1|x", 22, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("[x]:1", 22, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("a\nb", 22, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("x", 65536, PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_string_equal(out, "");
	/* capacity: "h ssh-ed25519 " + 68 + NUL = 83 */
	assert_int_equal(ns_known_hosts_line("h", 22, PK_K, out, 83), 0);
	assert_int_equal(ns_known_hosts_line("h", 22, PK_K, out, 82), NS_ERR_NOMEM);
	assert_string_equal(out, "");
	assert_int_equal(ns_known_hosts_line("h", 22, PK_K, out, 1), NS_ERR_NOMEM);
}

/* The salt of an ssh-keygen vector: base64 between "|1|" and the next '|'. */
static void salt_of(const char *hashed, uint8_t salt[NS_KNOWN_HOSTS_SALT_LEN])
{
	size_t n;

	assert_int_equal(sodium_base642bin(salt, NS_KNOWN_HOSTS_SALT_LEN, hashed + 3, 28, NULL, &n,
	                                   NULL, sodium_base64_VARIANT_ORIGINAL),
	                 0);
	assert_int_equal(n, NS_KNOWN_HOSTS_SALT_LEN);
}

static void test_line_hashed(void **state)
{
	char out[NS_KEY_LINE_MAX], out2[NS_KEY_LINE_MAX], h[NS_KNOWN_HOSTS_HASHED_MAX];
	uint8_t salt[NS_KNOWN_HOSTS_SALT_LEN];

	(void)state;
	/* with ssh-keygen's salt we write exactly ssh-keygen -H's line */
	salt_of(H_HOST, salt);
	assert_int_equal(
	    ns_known_hosts_line_hashed("Host.Example.com", 22, PK_K, salt, out, sizeof(out)), 0);
	assert_string_equal(out, H_HOST " ssh-ed25519 " B64_K);
	salt_of(H_HOST2222, salt);
	assert_int_equal(
	    ns_known_hosts_line_hashed("host.example.com", 2222, PK_K, salt, out, sizeof(out)), 0);
	assert_string_equal(out, H_HOST2222 " ssh-ed25519 " B64_K);
	salt_of(H_10001, salt);
	assert_int_equal(ns_known_hosts_hash_name("10.0.0.1", 8, salt, h), 0);
	assert_string_equal(h, H_10001);
	/* a random salt: a new line each time, each found by the check */
	assert_int_equal(ns_known_hosts_line_hashed("r.test", 2200, PK_K, NULL, out, sizeof(out)),
	                 0);
	assert_int_equal(ns_known_hosts_line_hashed("r.test", 2200, PK_K, NULL, out2, sizeof(out2)),
	                 0);
	assert_string_not_equal(out, out2);
	assert_int_equal(strlen(out), NS_KNOWN_HOSTS_HASHED_MAX - 1 + 1 + 80);
	assert_int_equal(check(out, "r.test", 2200, PK_K), 0);
	assert_int_equal(check(out2, "R.TEST", 2200, PK_K), 0);
	assert_int_equal(check(out, "r.test", 22, PK_K), NS_ERR_HOSTKEY_UNKNOWN);
	/* the same names as the plain writer refuses; capacity */
	assert_int_equal(ns_known_hosts_line_hashed("*.x", 22, PK_K, NULL, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line_hashed("x", 65536, PK_K, NULL, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line_hashed("x", 22, PK_K, NULL, out, 142), 0);
	assert_int_equal(ns_known_hosts_line_hashed("x", 22, PK_K, NULL, out, 141), NS_ERR_NOMEM);
	assert_string_equal(out, "");
	assert_int_equal(ns_known_hosts_hash_name("", 0, NULL, h), NS_ERR_INVALID);
}

static void test_marker_line(void **state)
{
	char out[NS_KEY_LINE_MAX];
	ns_known_hosts_entry e;

	(void)state;
	assert_int_equal(ns_known_hosts_marker_line(NS_KNOWN_HOSTS_CERT_AUTHORITY,
	                                            "*.example.com,[*.example.com]:*", PK_K, out,
	                                            sizeof(out)),
	                 0);
	assert_string_equal(out,
	                    "@cert-authority *.example.com,[*.example.com]:* ssh-ed25519 " B64_K);
	assert_int_equal(entry(out, &e), 0);
	assert_int_equal(e.marker, NS_KNOWN_HOSTS_CERT_AUTHORITY);
	assert_int_equal(check_ca(out, "a.example.com", 2222, PK_K), 0);
	assert_int_equal(
	    ns_known_hosts_marker_line(NS_KNOWN_HOSTS_REVOKED, "*", PK_K, out, sizeof(out)), 0);
	assert_string_equal(out, "@revoked * ssh-ed25519 " B64_K);
	assert_int_equal(check(out, "any.test", 22, PK_K), NS_ERR_REVOKED);
	assert_int_equal(
	    ns_known_hosts_marker_line(NS_KNOWN_HOSTS_PLAIN, "a,b", PK_K, out, sizeof(out)), 0);
	assert_string_equal(out, "a,b ssh-ed25519 " B64_K);
	/* bad markers and patterns */
	assert_int_equal(ns_known_hosts_marker_line(3, "*", PK_K, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(-1, "*", PK_K, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(1, "", PK_K, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(1, NULL, PK_K, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(1, "a b", PK_K, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(1, "a\n", PK_K, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(1, "#a", PK_K, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(1, "@a", PK_K, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_string_equal(out, "");
	/* capacity: "@revoked * ssh-ed25519 " + 68 + NUL = 92 */
	assert_int_equal(ns_known_hosts_marker_line(2, "*", PK_K, out, 92), 0);
	assert_int_equal(ns_known_hosts_marker_line(2, "*", PK_K, out, 91), NS_ERR_NOMEM);
	assert_string_equal(out, "");
}

/* Runs `ssh-keygen -F name -f path`; its output (or "") into out, and its
 * exit status. */
static int keygen_find(const char *path, const char *name, char *out, size_t cap)
{
	char cmd[512];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "ssh-keygen -F '%s' -f '%s' 2>/dev/null", name, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	return pclose(p);
}

static int have_ssh_keygen(void)
{
	return system("command -v ssh-keygen >/dev/null 2>&1") == 0;
}

/* OpenSSH reads what we write: hashed lines and markers, with and without
 * ports, found by ssh-keygen -F. */
static void test_ssh_keygen_find(void **state)
{
	char path[] = "/tmp/ns_test_known_hosts_XXXXXX", l[NS_KEY_LINE_MAX];
	char h[NS_KNOWN_HOSTS_HASHED_MAX], got[4096];
	FILE *f;
	int fd;

	(void)state;
	if (!have_ssh_keygen()) {
		skip();
	}
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	assert_int_equal(ns_known_hosts_line_hashed("kh1.test", 22, PK_K, NULL, l, sizeof(l)), 0);
	fprintf(f, "%s\n", l);
	assert_int_equal(ns_known_hosts_line_hashed("kh2.test", 2222, PK_K, NULL, l, sizeof(l)), 0);
	fprintf(f, "%s\n", l);
	assert_int_equal(ns_known_hosts_hash_name("rev.test", 8, NULL, h), 0);
	assert_int_equal(ns_known_hosts_marker_line(NS_KNOWN_HOSTS_REVOKED, h, PK_K, l, sizeof(l)),
	                 0);
	fprintf(f, "%s\n", l);
	assert_int_equal(ns_known_hosts_marker_line(NS_KNOWN_HOSTS_CERT_AUTHORITY, "*.ca.test",
	                                            PK_K, l, sizeof(l)),
	                 0);
	fprintf(f, "%s\n", l);
	fclose(f);

	assert_int_equal(keygen_find(path, "kh1.test", got, sizeof(got)), 0);
	assert_non_null(strstr(got, "found: line 1"));
	assert_int_equal(keygen_find(path, "[kh2.test]:2222", got, sizeof(got)), 0);
	assert_non_null(strstr(got, "found: line 2"));
	assert_int_equal(keygen_find(path, "rev.test", got, sizeof(got)), 0);
	assert_non_null(strstr(got, "found: line 3 REVOKED"));
	assert_int_equal(keygen_find(path, "x.ca.test", got, sizeof(got)), 0);
	assert_non_null(strstr(got, "found: line 4 CA"));
	/* and not for other names or ports */
	assert_int_not_equal(keygen_find(path, "kh2.test", got, sizeof(got)), 0);
	assert_int_not_equal(keygen_find(path, "[kh1.test]:2222", got, sizeof(got)), 0);
	assert_int_not_equal(keygen_find(path, "other.test", got, sizeof(got)), 0);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_match),        cmocka_unit_test(test_match_hashed),
	    cmocka_unit_test(test_entry_parse),  cmocka_unit_test(test_check),
	    cmocka_unit_test(test_revoked_wins), cmocka_unit_test(test_check_ca),
	    cmocka_unit_test(test_line),         cmocka_unit_test(test_line_hashed),
	    cmocka_unit_test(test_marker_line),  cmocka_unit_test(test_ssh_keygen_find),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
