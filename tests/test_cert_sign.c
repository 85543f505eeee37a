/* Tests for cert/cert_sign.c: re-signing each ssh-keygen certificate gives
 * the same bytes, every malformed spec and short buffer is refused, and
 * ssh-keygen -L reads what we sign. */
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

#include "cert_int.h"
#include "lib_cert.h"
#include "nullspace/error.h"
#include "wire.h"

static void copy_opt(const ns_cert *c, const char *name, char *buf, size_t cap, const char **out)
{
	ns_str v;

	*out = NULL;
	if (ns_cert_option(c, 1, name, &v) == 0) {
		assert_int_equal(ns_str_copy(v, buf, cap), 0);
		*out = buf;
	}
}

/* Re-sign each ssh-keygen certificate from its parsed fields with the same
 * CA key and nonce: Ed25519 is deterministic, so the bytes must be equal. */
static void test_sign_identical(void **state)
{
	static const char *const lines[] = {CERT_U1, CERT_U2, CERT_U3, CERT_U4, CERT_U5, CERT_H1};
	uint8_t blob[1024], out[1024];
	char kid[64], pn[4][64], fc[64], sa[64];
	const char *pp[4];
	size_t len, outlen, i;
	uint32_t k;
	ns_cert_spec s;
	ns_str v;
	ns_cert c;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		tc_load(lines[i], blob, sizeof(blob), &len, &c);
		memset(&s, 0, sizeof(s));
		s.type = c.type;
		assert_int_equal(ns_str_copy(c.key_id, kid, sizeof(kid)), 0);
		s.key_id = kid;
		s.serial = c.serial;
		for (k = 0; k < c.nprincipals; k++) {
			assert_int_equal(ns_cert_principal(&c, k, &v), 0);
			assert_int_equal(ns_str_copy(v, pn[k], sizeof(pn[k])), 0);
			pp[k] = pn[k];
		}
		s.principals = pp;
		s.nprincipals = c.nprincipals;
		s.valid_after = c.valid_after;
		s.valid_before = c.valid_before;
		copy_opt(&c, "force-command", fc, sizeof(fc), &s.force_command);
		copy_opt(&c, "source-address", sa, sizeof(sa), &s.source_address);
		s.verify_required = ns_cert_option(&c, 1, "verify-required", &v) == 0;
		s.extensions = ns_cert_extension_bits(&c);
		s.nonce = c.nonce.p;
		s.nonce_len = c.nonce.len;
		assert_int_equal(ns_cert_sign(&tc_ca, c.pk, &s, out, sizeof(out), &outlen), 0);
		assert_int_equal(outlen, len);
		assert_memory_equal(out, blob, len);
	}
}

static void base_spec(ns_cert_spec *s, const char *const *principals, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->type = NS_CERT_USER;
	s->key_id = "ours";
	s->serial = 7;
	s->principals = principals;
	s->nprincipals = n;
	s->valid_after = VA;
	s->valid_before = VB;
}

static void test_sign_errors(void **state)
{
	static const char *const ab[] = {"alice", "bob"}, *const empty[] = {""};
	uint8_t out[1024], nonce[8] = {0};
	size_t outlen = 99, i;
	ns_cert_spec s;
	ns_key pub;
	ns_cert c;
	int why;

	(void)state;
	for (i = 1; i < NS_CERT_NEXT; i++) { /* the table is in wire order */
		assert_true(strcmp(ns_cert_ext_names[i - 1].name, ns_cert_ext_names[i].name) < 0);
	}
	base_spec(&s, ab, 2);
	s.extensions = NS_EXT_PERMIT_PTY;
	assert_int_equal(ns_cert_sign(&tc_ca, tc_user_pk, &s, out, sizeof(out), &outlen), 0);
	assert_int_equal(ns_cert_parse(out, outlen, &c, &why), 0);
	assert_int_equal(c.nonce.len, 32);
	/* too small: every cap short of the size fails cleanly */
	for (i = 0; i < outlen; i++) {
		size_t n = 99;
		assert_int_equal(ns_cert_sign(&tc_ca, tc_user_pk, &s, out, i, &n), NS_ERR_NOMEM);
		assert_int_equal(n, 0);
	}
	pub = tc_ca;
	pub.has_sk = 0;
	assert_int_equal(ns_cert_sign(&pub, tc_user_pk, &s, out, sizeof(out), &outlen),
	                 NS_ERR_INVALID);
	sodium_memzero(&pub, sizeof(pub));
#define REFUSE(stmt)                                                                               \
	do {                                                                                       \
		base_spec(&s, ab, 2);                                                              \
		stmt;                                                                              \
		assert_int_equal(ns_cert_sign(&tc_ca, tc_user_pk, &s, out, sizeof(out), &outlen),  \
		                 NS_ERR_INVALID);                                                  \
		assert_int_equal(outlen, 0);                                                       \
	} while (0)
	REFUSE(s.nprincipals = 0);
	REFUSE(s.nprincipals = NS_CERT_PRINCIPALS_MAX + 1);
	REFUSE(s.principals = empty; s.nprincipals = 1);
	REFUSE(s.type = 3);
	REFUSE(s.key_id = NULL);
	REFUSE(s.valid_before = s.valid_after);
	REFUSE(s.nonce = nonce; s.nonce_len = sizeof(nonce));
	REFUSE(s.extensions = 1u << 6);
	REFUSE(s.source_address = "10.0.0.1/8");
	REFUSE(s.source_address = "");
	REFUSE(s.force_command = "");
	REFUSE(s.type = NS_CERT_HOST; s.extensions = NS_EXT_PERMIT_PTY);
	REFUSE(s.type = NS_CERT_HOST; s.force_command = "x");
	REFUSE(s.type = NS_CERT_HOST; s.verify_required = 1);
#undef REFUSE
}

/* Our own certificate as ssh-keygen -L shows it. */
static void test_sign_keygen_reads(void **state)
{
	static const char *const ab[] = {"alice", "sb_123"};
	char path[] = "/tmp/ns_test_cert_XXXXXX", cmd[128], text[4096], line[2048];
	uint8_t out[1024];
	size_t outlen, n;
	ns_cert_spec s;
	FILE *f;
	int fd;

	(void)state;
	if (system("command -v ssh-keygen >/dev/null 2>&1") != 0) {
		skip();
	}
	base_spec(&s, ab, 2);
	s.force_command = "/bin/true";
	s.source_address = "10.0.0.0/8,::1";
	s.verify_required = 1;
	s.extensions = NS_EXT_PERMIT_PTY | NS_EXT_PERMIT_X11_FORWARDING | NS_EXT_NO_TOUCH_REQUIRED;
	assert_int_equal(ns_cert_sign(&tc_ca, tc_user_pk, &s, out, sizeof(out), &outlen), 0);
	assert_int_equal(ns_cert_to_line(out, outlen, "ours", line, sizeof(line)), 0);
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	assert_int_equal(write(fd, "\n", 1), 1);
	close(fd);
	snprintf(cmd, sizeof(cmd), "ssh-keygen -L -f %s 2>&1", path);
	assert_non_null(f = popen(cmd, "r"));
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	assert_int_equal(pclose(f), 0);
	unlink(path);
	assert_non_null(strstr(text, "ssh-ed25519-cert-v01@openssh.com user certificate"));
	assert_non_null(strstr(text, "Public key: ED25519-CERT " FP_USER));
	assert_non_null(strstr(text, "Signing CA: ED25519 " FP_CA));
	assert_non_null(strstr(text, "Key ID: \"ours\""));
	assert_non_null(strstr(text, "Serial: 7"));
	assert_non_null(strstr(text, "Valid: from 2024-01-01T00:00:00 to 2034-01-01T00:00:00"));
	assert_non_null(
	    strstr(text, "Principals: \n                alice\n                sb_123\n"));
	assert_non_null(strstr(text, "Critical Options: \n                force-command /bin/true\n"
	                             "                source-address 10.0.0.0/8,::1\n"
	                             "                verify-required\n"));
	assert_non_null(strstr(text, "Extensions: \n                no-touch-required\n"
	                             "                permit-X11-forwarding\n"
	                             "                permit-pty\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sign_identical),
	    cmocka_unit_test(test_sign_errors),
	    cmocka_unit_test(test_sign_keygen_reads),
	};

	return cmocka_run_group_tests(tests, tc_setup, tc_teardown);
}
