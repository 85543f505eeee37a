/* Tests for core/authfile.c: authorized_keys lines with sshd's options syntax
 * and lookups over whole files, with keys made by OpenSSH 9.2 ssh-keygen.
 * known_hosts is tests/test_known_hosts_*.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib_keylines.h"
#include "lib_sk.h"
#include "pubkey_vectors.h"
#include "nullspace/authfile.h"
#include "nullspace/error.h"

/* an ECDSA key (B64_K, B64_NC and LINE_RSA are in lib_keylines.h) */
#define LINE_ECDSA                                                                                 \
	"ecdsa-sha2-nistp256 "                                                                     \
	"AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIDQcvX1Ybtjwr+"                      \
	"N8ngueaaGngYkhQvBTfenFOI6+"                                                               \
	"yVAO8g3JcK9YgNfHtsMcE3F4JubdP76L+K2eN+rwTWUmKM= ec"

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
	assert_memory_equal(pk, kl_pk_k, 32);
	assert_int_equal(o.len, 0);
	assert_int_equal(ak(" \tssh-ed25519 " B64_K "\r\n", &o, pk), 0);
	assert_memory_equal(pk, kl_pk_k, 32);
	/* options, with quoted spaces and commas, and \" inside quotes */
	assert_int_equal(ak("restrict,command=\"echo a b, c\" ssh-ed25519 " B64_K " x y", &o, pk),
	                 0);
	assert_opts(o, "restrict,command=\"echo a b, c\"");
	assert_memory_equal(pk, kl_pk_k, 32);
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
	assert_int_equal(ns_authkeys_find(text, strlen(text), kl_pk_k), 0);
	assert_int_equal(ak("ssh-ed25519 " B64_NC, &o, other), 0);
	assert_int_equal(ns_authkeys_find(text, strlen(text), other), 0);
	/* last line without a newline */
	assert_int_equal(ns_authkeys_find(text, strlen(text) - 1, kl_pk_k), 0);
	/* cut inside the last key */
	assert_int_equal(ns_authkeys_find(text, strlen(text) - 20, kl_pk_k), NS_ERR_NOTFOUND);
	assert_int_equal(ns_authkeys_find("", 0, kl_pk_k), NS_ERR_NOTFOUND);
	/* commented out */
	text = "#ssh-ed25519 " B64_K " test\n";
	assert_int_equal(ns_authkeys_find(text, strlen(text), kl_pk_k), NS_ERR_NOTFOUND);
	/* listed with options: not accepted, since they could not be enforced */
	text = "from=\"10.0.0.1\" ssh-ed25519 " B64_K " test\n";
	assert_int_equal(ns_authkeys_find(text, strlen(text), kl_pk_k), NS_ERR_NOTFOUND);
}

/* Keys of other types: found by ns_authkeys_find_key; an RSA key under 2048
 * bits never; options still fail closed, except no-touch-required alone,
 * which is reported for the caller to enforce (FIDO keys). */
static void test_authkeys_find_key(void **state)
{
	static char text[8192];
	static ns_pubkey rsa, ecdsa, other;
	lib_sk sk;
	char skline[1024];
	int nt = -1;

	(void)state;
	assert_int_equal(ns_pubkey_from_line(RSA2048_PUB, strlen(RSA2048_PUB), &rsa, NULL), 0);
	assert_int_equal(ns_pubkey_from_line(ECDSA_PUB, strlen(ECDSA_PUB), &ecdsa, NULL), 0);
	assert_int_equal(ns_pubkey_from_line(RSA4096_PUB, strlen(RSA4096_PUB), &other, NULL), 0);
	lib_sk_new(&sk, NS_PK_SK_ED25519, 1, "ssh:");
	assert_int_equal(ns_pubkey_to_line(&sk.key, "fido", skline, sizeof(skline)), 0);
	snprintf(text, sizeof(text),
	         "# keys\n%s me@laptop\nfrom=\"10.0.0.1\" %s\n%s\nno-touch-required %s\n",
	         RSA2048_PUB, RSA4096_PUB, RSA1024_PUB, skline);
	assert_int_equal(ns_authkeys_find_key(text, strlen(text), &rsa, &nt), 0);
	assert_int_equal(nt, 0);
	assert_int_equal(ns_authkeys_find_key(text, strlen(text), &ecdsa, NULL), NS_ERR_NOTFOUND);
	/* listed with from=: options we cannot enforce, so not found */
	assert_int_equal(ns_authkeys_find_key(text, strlen(text), &other, &nt), NS_ERR_NOTFOUND);
	assert_int_equal(nt, 0);
	assert_int_equal(ns_authkeys_find_key(text, strlen(text), &sk.key, &nt), 0);
	assert_int_equal(nt, 1);
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
	assert_int_equal(ns_authkeys_find(text, NS_AUTHFILE_LINE_MAX + 1, kl_pk_k), 0);
	/* one byte more and it is skipped, as is its tail: no line starts mid-way */
	memset(text + klen, 'c', NS_AUTHFILE_LINE_MAX + 1 - klen);
	text[NS_AUTHFILE_LINE_MAX + 1] = '\n';
	assert_int_equal(ns_authkeys_find(text, NS_AUTHFILE_LINE_MAX + 2, kl_pk_k),
	                 NS_ERR_NOTFOUND);
	/* the key on the next line is still found */
	memcpy(text + NS_AUTHFILE_LINE_MAX + 2, key, klen);
	assert_int_equal(ns_authkeys_find(text, NS_AUTHFILE_LINE_MAX + 2 + klen, kl_pk_k), 0);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_authkeys_line),     cmocka_unit_test(test_authkeys_line_errors),
	    cmocka_unit_test(test_authkeys_find),     cmocka_unit_test(test_authkeys_long_lines),
	    cmocka_unit_test(test_authkeys_find_key),
	};

	return cmocka_run_group_tests(tests, kl_setup, NULL);
}
