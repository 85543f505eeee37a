/* Tests for api/mint.c: a minted certificate parsed back field by field
 * (key, serial, type, key id, principal, validity, options, extensions,
 * CA), read by ssh-keygen -L when installed, and every refusal (key types,
 * malformed lines, minutes, sandbox ids, a CA without its secret half). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#include <unistd.h>

#include "mint.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "lib_sk.h"
#include "pubkey_vectors.h"

#define SB "sb_4k2j9x0q1m7a"
#define NOW ((int64_t)1795000000)
#define ACCEPTED_MSG                                                                               \
	"accepted public keys: ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa (2048 to 8192 bits), "    \
	"sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com"

static ns_key ca, user;

static int setup(void **state)
{
	(void)state;
	if (sodium_init() < 0 || ns_key_generate(&ca, "ca") != 0 ||
	    ns_key_generate(&user, "me@laptop") != 0) {
		return -1;
	}
	return 0;
}

static void user_line(char *out, size_t cap)
{
	assert_int_equal(ns_key_to_line(user.pk, "me@laptop", out, cap), 0);
}

static int str_is(ns_str s, const char *want)
{
	return s.len == strlen(want) && memcmp(s.p, want, s.len) == 0;
}

static void test_random_id(void **state)
{
	char a[40], b[40];
	size_t i;

	(void)state;
	ns_random_id("acc_", 24, a);
	ns_random_id("acc_", 24, b);
	assert_int_equal(strlen(a), NS_ACCESS_ID_LEN);
	assert_memory_equal(a, "acc_", 4);
	for (i = 4; i < strlen(a); i++) {
		assert_true((a[i] >= 'a' && a[i] <= 'z') || (a[i] >= '0' && a[i] <= '9'));
	}
	assert_string_not_equal(a, b);
	ns_random_id("sb_", 12, a);
	assert_int_equal(strlen(a), 15);
	ns_random_id("", 0, a);
	assert_string_equal(a, "");
}

static void test_mint_fields(void **state)
{
	char line[NS_KEY_LINE_MAX], key_id[128];
	uint8_t blob[NS_CERT_BLOB_MAX];
	const char *why = "unset";
	const char *space;
	ns_minted m, m2;
	size_t bloblen = 0, i;
	ns_cert c;
	ns_str v;
	int reason = -1;

	(void)state;
	user_line(line, sizeof(line));
	assert_int_equal(
	    ns_mint_access(&ca, SB, line, strlen(line), 10, NS_EXT_PERMIT_PTY, NOW, &m, &why), 0);
	assert_null(why);
	assert_int_equal(strlen(m.access_id), NS_ACCESS_ID_LEN);
	assert_memory_equal(m.access_id, "acc_", 4);
	for (i = 4; i < NS_ACCESS_ID_LEN; i++) {
		assert_true((m.access_id[i] >= 'a' && m.access_id[i] <= 'z') ||
		            (m.access_id[i] >= '0' && m.access_id[i] <= '9'));
	}
	assert_int_equal(m.valid_after, NOW - 60);
	assert_int_equal(m.expires_at, NOW + 600);
	assert_true(m.serial != 0);

	/* "ssh-ed25519-cert-v01@openssh.com BASE64 acc_..." */
	assert_memory_equal(m.cert_line, NS_CERT_ALG " ", strlen(NS_CERT_ALG) + 1);
	space = strrchr(m.cert_line, ' ');
	assert_non_null(space);
	assert_string_equal(space + 1, m.access_id);

	assert_int_equal(
	    ns_cert_from_line(m.cert_line, strlen(m.cert_line), blob, sizeof(blob), &bloblen), 0);
	assert_int_equal(ns_cert_parse(blob, bloblen, &c, &reason), 0);
	assert_memory_equal(c.pk, user.pk, NS_ED25519_PK_LEN);
	assert_memory_equal(c.ca_pk, ca.pk, NS_ED25519_PK_LEN);
	assert_true(c.serial == m.serial);
	assert_int_equal(c.type, NS_CERT_USER);
	snprintf(key_id, sizeof(key_id), "nullspace:%s:%s", m.access_id, SB);
	assert_true(str_is(c.key_id, key_id));
	assert_int_equal(c.nprincipals, 1);
	assert_int_equal(ns_cert_principal(&c, 0, &v), 0);
	assert_true(str_is(v, SB));
	assert_true(c.valid_after == (uint64_t)(NOW - 60));
	assert_true(c.valid_before == (uint64_t)(NOW + 600));
	assert_int_equal(c.critical_options.len, 0);
	assert_int_equal(ns_cert_extension_bits(&c), NS_EXT_PERMIT_PTY);
	assert_int_equal(ns_cert_option(&c, 0, "permit-pty", &v), 0);
	assert_int_equal(ns_cert_option(&c, 0, "permit-agent-forwarding", &v), NS_ERR_NOTFOUND);
	assert_int_equal(ns_cert_option(&c, 0, "permit-port-forwarding", &v), NS_ERR_NOTFOUND);
	assert_int_equal(ns_cert_option(&c, 0, "permit-X11-forwarding", &v), NS_ERR_NOTFOUND);
	assert_int_equal(ns_cert_option(&c, 0, "permit-user-rc", &v), NS_ERR_NOTFOUND);

	/* minutes at both ends; fresh ids and serials each time */
	assert_int_equal(
	    ns_mint_access(&ca, SB, line, strlen(line), 1, NS_EXT_PERMIT_PTY, NOW, &m2, NULL), 0);
	assert_int_equal(m2.expires_at, NOW + 60);
	assert_string_not_equal(m2.access_id, m.access_id);
	assert_true(m2.serial != m.serial);
	assert_int_equal(
	    ns_mint_access(&ca, SB, line, strlen(line), 60, NS_EXT_PERMIT_PTY, NOW, &m2, NULL), 0);
	assert_int_equal(m2.expires_at, NOW + 3600);
	/* a bare key without comment, with surrounding blanks */
	assert_int_equal(ns_key_to_line(user.pk, NULL, line, sizeof(line)), 0);
	memmove(line + 2, line, strlen(line) + 1);
	line[0] = ' ';
	line[1] = '\t';
	strcat(line, " \n");
	assert_int_equal(
	    ns_mint_access(&ca, SB, line, strlen(line), 5, NS_EXT_PERMIT_PTY, NOW, &m2, NULL), 0);
}

static void expect_refused(const char *sb, const char *key, int minutes, int want_rc,
                           const char *want_why)
{
	ns_minted m;
	const char *why = NULL;

	memset(&m, 0xaa, sizeof(m));
	assert_int_equal(
	    ns_mint_access(&ca, sb, key, strlen(key), minutes, NS_EXT_PERMIT_PTY, NOW, &m, &why),
	    want_rc);
	assert_non_null(why);
	if (want_why != NULL) {
		assert_string_equal(why, want_why);
	}
	assert_int_equal(m.cert_line[0], '\0');
	assert_int_equal(m.access_id[0], '\0');
}

static void test_refused(void **state)
{
	char line[NS_KEY_LINE_MAX];
	ns_key pub_only;
	ns_minted m;
	const char *why = NULL;

	(void)state;
	user_line(line, sizeof(line));
	/* ssh-rsa and ecdsa-sha2-nistp256 are taken now: a truncated one is malformed */
	expect_refused(SB, "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 me@laptop", 10, NS_ERR_FORMAT,
	               NULL);
	expect_refused(SB,
	               "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTY=", 10,
	               NS_ERR_FORMAT, NULL);
	expect_refused(SB, RSA1024_PUB, 10, NS_ERR_LIMIT,
	               "RSA public keys of 2048 to 8192 bits are accepted");
	expect_refused(SB, "ssh-dss AAAAB3NzaC1kc3M= me", 10, NS_ERR_KEYTYPE,
	               ACCEPTED_MSG " (got ssh-dss)");
	expect_refused(SB, "ecdsa-sha2-nistp384 AAAA", 10, NS_ERR_KEYTYPE,
	               ACCEPTED_MSG " (got ecdsa-sha2-nistp384)");
	expect_refused(SB, "ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQ= x", 10,
	               NS_ERR_KEYTYPE, ACCEPTED_MSG " (got a certificate)");
	expect_refused(SB, "ecdsa-sha2-nistp384-cert-v01@openssh.com AAAA", 10, NS_ERR_KEYTYPE,
	               ACCEPTED_MSG " (got a certificate)");
	expect_refused(SB, "ssh-foo AAAA", 10, NS_ERR_KEYTYPE, ACCEPTED_MSG);
	expect_refused(SB, "ssh-ed25519", 10, NS_ERR_FORMAT, NULL);
	expect_refused(SB, "ssh-ed25519 AAAA!!!!", 10, NS_ERR_FORMAT, NULL);
	expect_refused(SB, "", 10, NS_ERR_FORMAT, NULL);
	expect_refused(SB, "   ", 10, NS_ERR_FORMAT, NULL);
	{
		char two[2 * NS_KEY_LINE_MAX];

		snprintf(two, sizeof(two), "%s\n%s", line, line); /* one line only */
		expect_refused(SB, two, 10, NS_ERR_FORMAT, NULL);
	}
	expect_refused(SB, line, 0, NS_ERR_INVALID,
	               "expires_in_minutes must be an integer from 1 to 60");
	expect_refused(SB, line, 61, NS_ERR_INVALID,
	               "expires_in_minutes must be an integer from 1 to 60");
	expect_refused(SB, line, -5, NS_ERR_INVALID, NULL);
	expect_refused("", line, 10, NS_ERR_INVALID, NULL);
	expect_refused("../etc", line, 10, NS_ERR_INVALID, NULL);
	expect_refused("sb x", line, 10, NS_ERR_INVALID, NULL);

	/* the CA needs its secret half */
	pub_only = ca;
	pub_only.has_sk = 0;
	memset(pub_only.sk, 0, sizeof(pub_only.sk));
	assert_int_equal(
	    ns_mint_access(&pub_only, SB, line, strlen(line), 10, NS_EXT_PERMIT_PTY, NOW, &m, &why),
	    NS_ERR_INVALID);
	assert_non_null(why);
	assert_int_equal(
	    ns_mint_access(NULL, SB, line, strlen(line), 10, NS_EXT_PERMIT_PTY, NOW, &m, NULL),
	    NS_ERR_INVALID);
	/* len is honoured: the line cut in the middle of its base64 */
	assert_int_equal(ns_mint_access(&ca, SB, line, 30, 10, NS_EXT_PERMIT_PTY, NOW, &m, NULL),
	                 NS_ERR_FORMAT);
}

/* A key of another type: the certificate's type name and key follow it. */
static void mint_other(const char *line, int type, const char *cert_name)
{
	uint8_t blob[NS_CERT_BLOB_MAX];
	size_t n = 0;
	ns_pubkey want, got;
	ns_minted m;
	ns_cert c;
	ns_str p;

	assert_int_equal(ns_pubkey_from_line(line, strlen(line), &want, NULL), 0);
	assert_int_equal(
	    ns_mint_access(&ca, SB, line, strlen(line), 10, NS_EXT_PERMIT_PTY, NOW, &m, NULL), 0);
	assert_int_equal(strncmp(m.cert_line, cert_name, strlen(cert_name)), 0);
	assert_int_equal(
	    ns_cert_from_line(m.cert_line, strlen(m.cert_line), blob, sizeof(blob), &n), 0);
	assert_int_equal(ns_cert_parse(blob, n, &c, NULL), 0);
	assert_int_equal(c.key_type, type);
	assert_int_equal(ns_cert_pubkey(&c, &got), 0);
	assert_true(ns_pubkey_equal(&got, &want));
	assert_int_equal(c.type, NS_CERT_USER);
	assert_int_equal(ns_cert_principal(&c, 0, &p), 0);
	assert_true(str_is(p, SB));
	assert_memory_equal(c.ca_pk, ca.pk, NS_ED25519_PK_LEN);
}

static void test_other_key_types(void **state)
{
	lib_sk sk;
	char line[NS_PUBKEY_LINE_MAX];

	(void)state;
	mint_other(RSA2048_PUB, NS_PK_RSA, "ssh-rsa-cert-v01@openssh.com ");
	mint_other(RSA8192_PUB, NS_PK_RSA, "ssh-rsa-cert-v01@openssh.com ");
	mint_other(ECDSA_PUB, NS_PK_ECDSA_P256, "ecdsa-sha2-nistp256-cert-v01@openssh.com ");
	lib_sk_new(&sk, NS_PK_SK_ED25519, 1, "ssh:");
	assert_int_equal(ns_pubkey_to_line(&sk.key, "fido", line, sizeof(line)), 0);
	mint_other(line, NS_PK_SK_ED25519, "sk-ssh-ed25519-cert-v01@openssh.com ");
	lib_sk_new(&sk, NS_PK_SK_ECDSA_P256, 1, "ssh:");
	assert_int_equal(ns_pubkey_to_line(&sk.key, NULL, line, sizeof(line)), 0);
	mint_other(line, NS_PK_SK_ECDSA_P256, "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com ");
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		return -1;
	}
	fprintf(f, "%s\n", text);
	return fclose(f);
}

static void test_ssh_keygen(void **state)
{
	char dir[] = "/tmp/ns_mint_XXXXXX", cert[256], capub[256], cmd[1024];
	char line[NS_KEY_LINE_MAX], out[8192], want[256], fp[NS_FINGERPRINT_LEN];
	ns_minted m;
	FILE *p;
	size_t n;

	(void)state;
	if (system("command -v ssh-keygen >/dev/null 2>&1") != 0) {
		skip();
	}
	user_line(line, sizeof(line));
	assert_int_equal(
	    ns_mint_access(&ca, SB, line, strlen(line), 10, NS_EXT_PERMIT_PTY, NOW, &m, NULL), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/id_ed25519-cert.pub", dir);
	snprintf(capub, sizeof(capub), "%s/ca.pub", dir);
	assert_int_equal(write_file(cert, m.cert_line), 0);
	assert_int_equal(ns_key_to_line(ca.pk, "ca", line, sizeof(line)), 0);
	assert_int_equal(write_file(capub, line), 0);

	snprintf(cmd, sizeof(cmd), "ssh-keygen -L -f %s 2>&1", cert);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);

	assert_non_null(strstr(out, "ssh-ed25519-cert-v01@openssh.com user certificate"));
	snprintf(want, sizeof(want), "Key ID: \"nullspace:%s:%s\"", m.access_id, SB);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "Principals: \n                " SB "\n"));
	assert_non_null(strstr(out, "permit-pty"));
	assert_null(strstr(out, "permit-agent-forwarding"));
	assert_null(strstr(out, "permit-port-forwarding"));
	assert_null(strstr(out, "permit-X11-forwarding"));
	assert_non_null(strstr(out, "Critical Options: (none)"));
	snprintf(want, sizeof(want), "Serial: %llu", (unsigned long long)m.serial);
	assert_non_null(strstr(out, want));
	ns_key_fingerprint(ca.pk, fp);
	snprintf(want, sizeof(want), "Signing CA: ED25519 %s", fp);
	assert_non_null(strstr(out, want));

	/* ssh-keygen agrees on the CA key's fingerprint */
	snprintf(cmd, sizeof(cmd), "ssh-keygen -l -f %s 2>&1", capub);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	assert_non_null(strstr(out, fp));

	unlink(cert);
	unlink(capub);
	rmdir(dir);
}

/* The extensions asked for are those the certificate carries, as
 * ssh-keygen -L prints them; others are refused. */
static void keygen_extensions(uint32_t ext, char *out, size_t cap)
{
	char dir[] = "/tmp/ns_mint_XXXXXX", cert[256], cmd[512], line[NS_KEY_LINE_MAX];
	ns_minted m;
	FILE *p;
	size_t n;

	user_line(line, sizeof(line));
	assert_int_equal(ns_mint_access(&ca, SB, line, strlen(line), 10, ext, NOW, &m, NULL), 0);
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/id_ed25519-cert.pub", dir);
	assert_int_equal(write_file(cert, m.cert_line), 0);
	snprintf(cmd, sizeof(cmd), "ssh-keygen -L -f %s 2>&1 | sed -n '/Extensions:/,$p'", cert);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, cap - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	unlink(cert);
	rmdir(dir);
}

static void test_extensions(void **state)
{
	char out[2048], line[NS_KEY_LINE_MAX];
	const char *why = NULL;
	ns_minted m;

	(void)state;
	if (system("command -v ssh-keygen >/dev/null 2>&1") != 0) {
		skip();
	}
	keygen_extensions(NS_MINT_EXT_DEFAULT, out, sizeof(out));
	assert_non_null(strstr(out, "permit-pty"));
	assert_non_null(strstr(out, "permit-port-forwarding"));
	assert_null(strstr(out, "permit-agent-forwarding"));
	keygen_extensions(NS_MINT_EXT_DEFAULT | NS_EXT_PERMIT_AGENT_FORWARDING, out, sizeof(out));
	assert_non_null(strstr(out, "permit-pty"));
	assert_non_null(strstr(out, "permit-port-forwarding"));
	assert_non_null(strstr(out, "permit-agent-forwarding"));
	keygen_extensions(NS_EXT_PERMIT_PTY | NS_EXT_PERMIT_AGENT_FORWARDING, out, sizeof(out));
	assert_null(strstr(out, "permit-port-forwarding"));
	assert_non_null(strstr(out, "permit-agent-forwarding"));
	assert_null(strstr(out, "permit-X11-forwarding"));
	/* X11 and user-rc are never minted */
	user_line(line, sizeof(line));
	assert_int_equal(ns_mint_access(&ca, SB, line, strlen(line), 10,
	                                NS_MINT_EXT_DEFAULT | NS_EXT_PERMIT_X11_FORWARDING, NOW, &m,
	                                &why),
	                 NS_ERR_INVALID);
	assert_non_null(why);
	assert_non_null(strstr(why, "permit-agent-forwarding"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_id),       cmocka_unit_test(test_mint_fields),
	    cmocka_unit_test(test_other_key_types), cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_ssh_keygen),      cmocka_unit_test(test_extensions),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
