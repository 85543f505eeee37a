/* Tests for cert/known_hosts.c and cert/known_hosts_hash.c, writing: plain,
 * hashed and marker lines, byte-identical to ssh-keygen -H with its salt,
 * names refused, capacity, and lines `ssh-keygen -F` finds when installed. */
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

#include "lib_known_hosts.h"
#include "nullspace/error.h"

static void test_line(void **state)
{
	char out[NS_KEY_LINE_MAX];
	ns_str p;
	uint8_t pk[32];

	(void)state;
	assert_int_equal(ns_known_hosts_line("Example.COM", 22, kl_pk_k, out, sizeof(out)), 0);
	assert_string_equal(out, "example.com ssh-ed25519 " B64_K);
	assert_int_equal(ns_known_hosts_line("example.com", 2222, kl_pk_k, out, sizeof(out)), 0);
	assert_string_equal(out, "[example.com]:2222 ssh-ed25519 " B64_K);
	assert_int_equal(kh_check(out, "example.com", 2222, kl_pk_k), 0);
	assert_int_equal(kh_check(out, "example.com", 22, kl_pk_k), NS_ERR_HOSTKEY_UNKNOWN);
	assert_int_equal(ns_known_hosts_line("::1", 65535, kl_pk_k, out, sizeof(out)), 0);
	assert_string_equal(out, "[::1]:65535 ssh-ed25519 " B64_K);
	assert_int_equal(ns_known_hosts_line_parse(out, strlen(out), &p, pk), 0);
	assert_true(ns_known_hosts_match(p, "::1", 65535));
	/* names that would be patterns, comments or markers, or split the line */
	assert_int_equal(ns_known_hosts_line("", 22, kl_pk_k, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line(NULL, 22, kl_pk_k, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("a b", 22, kl_pk_k, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("a,b", 22, kl_pk_k, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("*.x", 22, kl_pk_k, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("h?", 22, kl_pk_k, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("!x", 22, kl_pk_k, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("#x", 22, kl_pk_k, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("@x", 22, kl_pk_k, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("|1|x", 22, kl_pk_k, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("[x]:1", 22, kl_pk_k, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("a\nb", 22, kl_pk_k, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line("x", 65536, kl_pk_k, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_string_equal(out, "");
	/* capacity: "h ssh-ed25519 " + 68 + NUL = 83 */
	assert_int_equal(ns_known_hosts_line("h", 22, kl_pk_k, out, 83), 0);
	assert_int_equal(ns_known_hosts_line("h", 22, kl_pk_k, out, 82), NS_ERR_NOMEM);
	assert_string_equal(out, "");
	assert_int_equal(ns_known_hosts_line("h", 22, kl_pk_k, out, 1), NS_ERR_NOMEM);
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
	    ns_known_hosts_line_hashed("Host.Example.com", 22, kl_pk_k, salt, out, sizeof(out)), 0);
	assert_string_equal(out, H_HOST " ssh-ed25519 " B64_K);
	salt_of(H_HOST2222, salt);
	assert_int_equal(
	    ns_known_hosts_line_hashed("host.example.com", 2222, kl_pk_k, salt, out, sizeof(out)),
	    0);
	assert_string_equal(out, H_HOST2222 " ssh-ed25519 " B64_K);
	salt_of(H_10001, salt);
	assert_int_equal(ns_known_hosts_hash_name("10.0.0.1", 8, salt, h), 0);
	assert_string_equal(h, H_10001);
	/* a random salt: a new line each time, each found by the check */
	assert_int_equal(
	    ns_known_hosts_line_hashed("r.test", 2200, kl_pk_k, NULL, out, sizeof(out)), 0);
	assert_int_equal(
	    ns_known_hosts_line_hashed("r.test", 2200, kl_pk_k, NULL, out2, sizeof(out2)), 0);
	assert_string_not_equal(out, out2);
	assert_int_equal(strlen(out), NS_KNOWN_HOSTS_HASHED_MAX - 1 + 1 + 80);
	assert_int_equal(kh_check(out, "r.test", 2200, kl_pk_k), 0);
	assert_int_equal(kh_check(out2, "R.TEST", 2200, kl_pk_k), 0);
	assert_int_equal(kh_check(out, "r.test", 22, kl_pk_k), NS_ERR_HOSTKEY_UNKNOWN);
	/* the same names as the plain writer refuses; capacity */
	assert_int_equal(ns_known_hosts_line_hashed("*.x", 22, kl_pk_k, NULL, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line_hashed("x", 65536, kl_pk_k, NULL, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_line_hashed("x", 22, kl_pk_k, NULL, out, 142), 0);
	assert_int_equal(ns_known_hosts_line_hashed("x", 22, kl_pk_k, NULL, out, 141),
	                 NS_ERR_NOMEM);
	assert_string_equal(out, "");
	assert_int_equal(ns_known_hosts_hash_name("", 0, NULL, h), NS_ERR_INVALID);
}

static void test_marker_line(void **state)
{
	char out[NS_KEY_LINE_MAX];
	ns_known_hosts_entry e;

	(void)state;
	assert_int_equal(ns_known_hosts_marker_line(NS_KNOWN_HOSTS_CERT_AUTHORITY,
	                                            "*.example.com,[*.example.com]:*", kl_pk_k, out,
	                                            sizeof(out)),
	                 0);
	assert_string_equal(out,
	                    "@cert-authority *.example.com,[*.example.com]:* ssh-ed25519 " B64_K);
	assert_int_equal(kh_entry(out, &e), 0);
	assert_int_equal(e.marker, NS_KNOWN_HOSTS_CERT_AUTHORITY);
	assert_int_equal(kh_check_ca(out, "a.example.com", 2222, kl_pk_k), 0);
	assert_int_equal(
	    ns_known_hosts_marker_line(NS_KNOWN_HOSTS_REVOKED, "*", kl_pk_k, out, sizeof(out)), 0);
	assert_string_equal(out, "@revoked * ssh-ed25519 " B64_K);
	assert_int_equal(kh_check(out, "any.test", 22, kl_pk_k), NS_ERR_REVOKED);
	assert_int_equal(
	    ns_known_hosts_marker_line(NS_KNOWN_HOSTS_PLAIN, "a,b", kl_pk_k, out, sizeof(out)), 0);
	assert_string_equal(out, "a,b ssh-ed25519 " B64_K);
	/* bad markers and patterns */
	assert_int_equal(ns_known_hosts_marker_line(3, "*", kl_pk_k, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(-1, "*", kl_pk_k, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(1, "", kl_pk_k, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(1, NULL, kl_pk_k, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(1, "a b", kl_pk_k, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(1, "a\n", kl_pk_k, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(1, "#a", kl_pk_k, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_known_hosts_marker_line(1, "@a", kl_pk_k, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_string_equal(out, "");
	/* capacity: "@revoked * ssh-ed25519 " + 68 + NUL = 92 */
	assert_int_equal(ns_known_hosts_marker_line(2, "*", kl_pk_k, out, 92), 0);
	assert_int_equal(ns_known_hosts_marker_line(2, "*", kl_pk_k, out, 91), NS_ERR_NOMEM);
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
	assert_int_equal(ns_known_hosts_line_hashed("kh1.test", 22, kl_pk_k, NULL, l, sizeof(l)),
	                 0);
	fprintf(f, "%s\n", l);
	assert_int_equal(ns_known_hosts_line_hashed("kh2.test", 2222, kl_pk_k, NULL, l, sizeof(l)),
	                 0);
	fprintf(f, "%s\n", l);
	assert_int_equal(ns_known_hosts_hash_name("rev.test", 8, NULL, h), 0);
	assert_int_equal(
	    ns_known_hosts_marker_line(NS_KNOWN_HOSTS_REVOKED, h, kl_pk_k, l, sizeof(l)), 0);
	fprintf(f, "%s\n", l);
	assert_int_equal(ns_known_hosts_marker_line(NS_KNOWN_HOSTS_CERT_AUTHORITY, "*.ca.test",
	                                            kl_pk_k, l, sizeof(l)),
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
	    cmocka_unit_test(test_line),
	    cmocka_unit_test(test_line_hashed),
	    cmocka_unit_test(test_marker_line),
	    cmocka_unit_test(test_ssh_keygen_find),
	};

	return cmocka_run_group_tests(tests, kl_setup, NULL);
}
