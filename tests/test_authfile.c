/* Tests for core/authfile.c: authorized_keys lines with sshd's options syntax,
 * lookups over whole files, and known_hosts patterns, checks and lines, with
 * keys made by OpenSSH 9.2 ssh-keygen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "nullspace/authfile.h"
#include "nullspace/error.h"

/* ssh-keygen -t ed25519 -C test: k.pub */
#define B64_K "AAAAC3NzaC1lZDI1NTE5AAAAIHfKll5C3VKMwONnIhoIKOq/uogrlCFlGQkt3uiRnDpi"
static const uint8_t PK_K[32] = {
    0x77, 0xca, 0x96, 0x5e, 0x42, 0xdd, 0x52, 0x8c, 0xc0, 0xe3, 0x67, 0x22, 0x1a, 0x08, 0x28, 0xea,
    0xbf, 0xba, 0x88, 0x2b, 0x94, 0x21, 0x65, 0x19, 0x09, 0x2d, 0xde, 0xe8, 0x91, 0x9c, 0x3a, 0x62,
};
/* another ed25519 key (-C ''), an RSA and an ECDSA key */
#define B64_NC "AAAAC3NzaC1lZDI1NTE5AAAAIJqR3MvSvnQimiSwmzW0o1pwEy0pcl0lgi5xXgWRU51t"
#define LINE_RSA                                                                                   \
	"ssh-rsa "                                                                                 \
	"AAAAB3NzaC1yc2EAAAADAQABAAAAgQDnE1HhgeflqILbkAweGXAzWEI7ngUB7WFGjqaZPtCn0VUhlfv9M8Oao4ov" \
	"+"                                                                                        \
	"vpACc56jawmCpJuZgT5LNLyBbk2tl+iUxTLh+lKCuHjtmNLHkHjFFaH7/"                                \
	"aaroTm4CSLpDx+STv3CAhk0FWyj9zVXEezCU03Ljep2kga7KH48WFekQ== rsa"
#define LINE_ECDSA                                                                                 \
	"ecdsa-sha2-nistp256 "                                                                     \
	"AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIDQcvX1Ybtjwr+"                      \
	"N8ngueaaGngYkhQvBTfenFOI6+"                                                               \
	"yVAO8g3JcK9YgNfHtsMcE3F4JubdP76L+K2eN+rwTWUmKM= ec"

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static int ak(const char *line, ns_str *opts, uint8_t pk[32])
{
	return ns_authkeys_line_parse(line, strlen(line), pk, opts);
}

static void assert_opts(ns_str o, const char *want)
{
	assert_int_equal(o.len, strlen(want));
	assert_memory_equal(o.p, want, o.len);
}

static void test_authkeys_line(void **state)
{
	uint8_t pk[32];
	ns_str o;

	(void)state;
	assert_int_equal(ak("ssh-ed25519 " B64_K " test", &o, pk), 0);
	assert_memory_equal(pk, PK_K, 32);
	assert_int_equal(o.len, 0);
	assert_int_equal(ak(" \tssh-ed25519 " B64_K "\r\n", &o, pk), 0);
	assert_memory_equal(pk, PK_K, 32);
	/* options, with quoted spaces and commas, and \" inside quotes */
	assert_int_equal(ak("restrict,command=\"echo a b, c\" ssh-ed25519 " B64_K " x y", &o, pk),
	                 0);
	assert_opts(o, "restrict,command=\"echo a b, c\"");
	assert_memory_equal(pk, PK_K, 32);
	assert_int_equal(ak("command=\"echo \\\"hi there\\\"\",no-pty\tssh-ed25519 " B64_K, &o, pk),
	                 0);
	assert_opts(o, "command=\"echo \\\"hi there\\\"\",no-pty");
	assert_int_equal(
	    ak("from=\"10.0.0.1,192.168.*\",environment=\"A=b c\" ssh-ed25519 " B64_K, &o, pk), 0);
	assert_opts(o, "from=\"10.0.0.1,192.168.*\",environment=\"A=b c\"");
	/* an options field that looks like a comment is still options */
	assert_int_equal(ak("no-pty,#x ssh-ed25519 " B64_K, &o, pk), 0);
}

static void test_authkeys_line_errors(void **state)
{
	uint8_t pk[32];
	ns_str o;

	(void)state;
	assert_int_equal(ak("", &o, pk), NS_ERR_NOTFOUND);
	assert_int_equal(ak(" \t\r\n", &o, pk), NS_ERR_NOTFOUND);
	assert_int_equal(ak("# ssh-ed25519 " B64_K, &o, pk), NS_ERR_NOTFOUND);
	assert_int_equal(ak("   #comment", &o, pk), NS_ERR_NOTFOUND);
	assert_int_equal(ak(LINE_RSA, &o, pk), NS_ERR_KEYTYPE);
	assert_int_equal(ak(LINE_ECDSA, &o, pk), NS_ERR_KEYTYPE);
	assert_int_equal(ak("no-pty " LINE_RSA, &o, pk), NS_ERR_KEYTYPE);
	assert_int_equal(o.len, 0);
	assert_int_equal(ak("sk-ssh-ed25519@openssh.com AAAA", &o, pk), NS_ERR_KEYTYPE);
	assert_int_equal(ak("ssh-ed25519-cert-v01@openssh.com AAAA", &o, pk), NS_ERR_KEYTYPE);
	/* options alone, unknown type after options, unterminated quote */
	assert_int_equal(ak("no-pty", &o, pk), NS_ERR_FORMAT);
	assert_int_equal(ak("no-pty   ", &o, pk), NS_ERR_FORMAT);
	assert_int_equal(ak("garbage " B64_K, &o, pk), NS_ERR_FORMAT);
	assert_int_equal(ak("command=\"echo ssh-ed25519 " B64_K, &o, pk), NS_ERR_FORMAT);
	assert_int_equal(ak("ssh-ed25519 " B64_NC "x", &o, pk), NS_ERR_FORMAT);
	assert_int_equal(ak("ssh-ed25519", &o, pk), NS_ERR_FORMAT);
	assert_int_equal(o.len, 0);
	assert_null(o.p);
}

static void test_authkeys_find(void **state)
{
	const char *text = "# authorized_keys\n"
	                   "\n" LINE_RSA "\n"
	                   "ssh-ed25519 " B64_NC " other\r\n"
	                   "this line is garbage\n"
	                   "ssh-ed25519 " B64_K " test\n";
	uint8_t other[32];
	ns_str o;

	(void)state;
	assert_int_equal(ns_authkeys_find(text, strlen(text), PK_K), 0);
	assert_int_equal(ak("ssh-ed25519 " B64_NC, &o, other), 0);
	assert_int_equal(ns_authkeys_find(text, strlen(text), other), 0);
	/* last line without a newline */
	assert_int_equal(ns_authkeys_find(text, strlen(text) - 1, PK_K), 0);
	/* cut inside the last key */
	assert_int_equal(ns_authkeys_find(text, strlen(text) - 20, PK_K), NS_ERR_NOTFOUND);
	assert_int_equal(ns_authkeys_find("", 0, PK_K), NS_ERR_NOTFOUND);
	/* commented out */
	text = "#ssh-ed25519 " B64_K " test\n";
	assert_int_equal(ns_authkeys_find(text, strlen(text), PK_K), NS_ERR_NOTFOUND);
	/* listed with options: not accepted, since they could not be enforced */
	text = "from=\"10.0.0.1\" ssh-ed25519 " B64_K " test\n";
	assert_int_equal(ns_authkeys_find(text, strlen(text), PK_K), NS_ERR_NOTFOUND);
}

static void test_authkeys_long_lines(void **state)
{
	char *text = malloc(3 * NS_AUTHFILE_LINE_MAX);
	const char *key = "ssh-ed25519 " B64_K " ";
	size_t klen = strlen(key);

	(void)state;
	assert_non_null(text);
	/* a line of exactly NS_AUTHFILE_LINE_MAX (comment padding) is read */
	memcpy(text, key, klen);
	memset(text + klen, 'c', NS_AUTHFILE_LINE_MAX - klen);
	text[NS_AUTHFILE_LINE_MAX] = '\n';
	assert_int_equal(ns_authkeys_find(text, NS_AUTHFILE_LINE_MAX + 1, PK_K), 0);
	/* one byte more and it is skipped, as is its tail: no line starts mid-way */
	memset(text + klen, 'c', NS_AUTHFILE_LINE_MAX + 1 - klen);
	text[NS_AUTHFILE_LINE_MAX + 1] = '\n';
	assert_int_equal(ns_authkeys_find(text, NS_AUTHFILE_LINE_MAX + 2, PK_K), NS_ERR_NOTFOUND);
	/* the key on the next line is still found */
	memcpy(text + NS_AUTHFILE_LINE_MAX + 2, key, klen);
	assert_int_equal(ns_authkeys_find(text, NS_AUTHFILE_LINE_MAX + 2 + klen, PK_K), 0);
	free(text);
}

static int kh_match(const char *pat, const char *host, unsigned port)
{
	ns_str p = {(const uint8_t *)pat, strlen(pat)};

	return ns_known_hosts_match(p, host, port);
}

static void test_known_hosts_match(void **state)
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
	/* hashed names are not supported yet: never match */
	assert_false(kh_match("|1|c2FsdA==|aGFzaA==", "example.com", 22));
	/* nothing to match */
	assert_false(kh_match("", "example.com", 22));
	assert_false(kh_match("example.com", "", 22));
	assert_false(kh_match("example.com", NULL, 22));
}

static void test_known_hosts_line_parse(void **state)
{
	const char *l;
	ns_str p;
	uint8_t pk[32];

	(void)state;
	l = "host1,[host2]:2222 ssh-ed25519 " B64_K " comment here\r\n";
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), 0);
	assert_int_equal(p.len, 18);
	assert_memory_equal(p.p, "host1,[host2]:2222", 18);
	assert_memory_equal(pk, PK_K, 32);
	l = "  # comment";
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), NS_ERR_NOTFOUND);
	assert_int_equal(ns_known_hosts_line_parse("", 0, &p, pk), NS_ERR_NOTFOUND);
	l = "@cert-authority *.example.com ssh-ed25519 " B64_K;
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), NS_ERR_UNSUPPORTED);
	l = "@revoked * ssh-ed25519 " B64_K;
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), NS_ERR_UNSUPPORTED);
	l = "host " LINE_RSA;
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), NS_ERR_KEYTYPE);
	l = "ssh-ed25519 " B64_K;
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), NS_ERR_KEYTYPE);
	l = "host ssh-ed25519";
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), NS_ERR_FORMAT);
	l = "host";
	assert_int_equal(ns_known_hosts_line_parse(l, strlen(l), &p, pk), NS_ERR_FORMAT);
	assert_int_equal(p.len, 0);
}

static void test_known_hosts_check(void **state)
{
	const char *text =
	    "# known_hosts\n"
	    "old.test " LINE_RSA "\n"
	    "moved.example.com,10.0.0.2 ssh-ed25519 " B64_NC "\n"
	    "[moved.example.com]:2222 ssh-ed25519 " B64_K "\r\n"
	    "*.example.com,!evil.example.com ssh-ed25519 " B64_NC "\n"
	    "two.example.com ssh-ed25519 " B64_NC "\n"
	    "two.example.com ssh-ed25519 " B64_K "\n"
	    "|1|c2FsdHNhbHRzYWx0c2FsdHNhbHQ=|aGFzaGhhc2hoYXNoaGFzaGhhc2g= ssh-ed25519 " B64_K "\n"
	    "@revoked revoked.test ssh-ed25519 " B64_K "\n"
	    "@cert-authority *.ca.test ssh-ed25519 " B64_K "\n"
	    "garbage\n"
	    "exact.test ssh-ed25519 " B64_K;
	size_t n = strlen(text);

	(void)state;
	assert_int_equal(ns_known_hosts_check(text, n, "exact.test", 22, PK_K), 0);
	assert_int_equal(ns_known_hosts_check(text, n, "EXACT.test", 22, PK_K), 0);
	assert_int_equal(ns_known_hosts_check(text, n, "exact.test", 2222, PK_K),
	                 NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(ns_known_hosts_check(text, n, "moved.example.com", 22, PK_K),
	                 NS_ERR_HOSTKEY_CHANGED);
	assert_int_equal(ns_known_hosts_check(text, n, "10.0.0.2", 22, PK_K),
	                 NS_ERR_HOSTKEY_CHANGED);
	assert_int_equal(ns_known_hosts_check(text, n, "moved.example.com", 2222, PK_K), 0);
	/* only another key type listed: unknown, not changed */
	assert_int_equal(ns_known_hosts_check(text, n, "old.test", 22, PK_K),
	                 NS_ERR_HOSTKEY_UNKNOWN);
	/* two keys listed, one of them ours */
	assert_int_equal(ns_known_hosts_check(text, n, "two.example.com", 22, PK_K), 0);
	/* a wildcard line, and its negation */
	assert_int_equal(ns_known_hosts_check(text, n, "www.example.com", 22, PK_K),
	                 NS_ERR_HOSTKEY_CHANGED);
	assert_int_equal(ns_known_hosts_check(text, n, "evil.example.com", 22, PK_K),
	                 NS_ERR_HOSTKEY_UNKNOWN);
	/* markers and hashed names are skipped for now */
	assert_int_equal(ns_known_hosts_check(text, n, "revoked.test", 22, PK_K),
	                 NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(ns_known_hosts_check(text, n, "x.ca.test", 22, PK_K),
	                 NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(ns_known_hosts_check(text, n, "nowhere.test", 22, PK_K),
	                 NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(ns_known_hosts_check("", 0, "exact.test", 22, PK_K),
	                 NS_ERR_HOSTKEY_UNKNOWN);
}

static void test_known_hosts_line(void **state)
{
	char out[NS_KEY_LINE_MAX];
	ns_str p;
	uint8_t pk[32];

	(void)state;
	assert_int_equal(ns_known_hosts_line("Example.COM", 22, PK_K, out, sizeof(out)), 0);
	assert_string_equal(out, "example.com ssh-ed25519 " B64_K);
	assert_int_equal(ns_known_hosts_line("example.com", 2222, PK_K, out, sizeof(out)), 0);
	assert_string_equal(out, "[example.com]:2222 ssh-ed25519 " B64_K);
	assert_int_equal(ns_known_hosts_check(out, strlen(out), "example.com", 2222, PK_K), 0);
	assert_int_equal(ns_known_hosts_check(out, strlen(out), "example.com", 22, PK_K),
	                 NS_ERR_HOSTKEY_UNKNOWN);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_authkeys_line),     cmocka_unit_test(test_authkeys_line_errors),
	    cmocka_unit_test(test_authkeys_find),     cmocka_unit_test(test_authkeys_long_lines),
	    cmocka_unit_test(test_known_hosts_match), cmocka_unit_test(test_known_hosts_line_parse),
	    cmocka_unit_test(test_known_hosts_check), cmocka_unit_test(test_known_hosts_line),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
