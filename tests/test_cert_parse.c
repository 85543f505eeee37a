/* Tests for cert/cert_parse.c and cert/cert_line.c: every field of the
 * certificates OpenSSH 9.2 ssh-keygen made, the one-line text form both ways,
 * truncated and bit-flipped blobs, and hand-built certificates whose
 * structure breaks one rule each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib_cert.h"
#include "nullspace/error.h"

static void assert_principals(const ns_cert *c, const char *const *want, uint32_t n)
{
	ns_str s;
	uint32_t i;

	assert_int_equal(c->nprincipals, n);
	for (i = 0; i < n; i++) {
		assert_int_equal(ns_cert_principal(c, i, &s), 0);
		tc_assert_str(s, want[i]);
	}
	assert_int_equal(ns_cert_principal(c, n, &s), NS_ERR_NOTFOUND);
}

static void assert_fp(const uint8_t pk[NS_ED25519_PK_LEN], const char *want)
{
	char fp[NS_FINGERPRINT_LEN];

	ns_key_fingerprint(pk, fp);
	assert_string_equal(fp, want);
}

/* Every tc_field of the ssh-keygen certificates, as ssh-keygen -L shows them. */
static void test_parse_vectors(void **state)
{
	static const char *const ab[] = {"alice", "bob"}, *const a[] = {"alice"};
	static const char *const hosts[] = {"host.example.org", "sb_123"};
	uint8_t blob[1024];
	size_t len;
	ns_cert c;
	ns_str v;

	(void)state;
	tc_load(CERT_U1, blob, sizeof(blob), &len, &c);
	assert_ptr_equal(c.blob.p, blob);
	assert_int_equal(c.blob.len, len);
	assert_int_equal(c.nonce.len, 32);
	assert_memory_equal(c.pk, tc_user_pk, 32);
	assert_fp(c.pk, FP_USER);
	assert_int_equal(c.serial, 42);
	assert_int_equal(c.type, NS_CERT_USER);
	tc_assert_str(c.key_id, "keyid");
	assert_principals(&c, ab, 2);
	assert_int_equal(c.valid_after, VA);
	assert_int_equal(c.valid_before, VB);
	assert_int_equal(c.critical_options.len, 0);
	assert_int_equal(c.reserved.len, 0);
	assert_memory_equal(c.ca_pk, tc_ca_pk, 32);
	assert_fp(c.ca_pk, FP_CA);
	assert_int_equal(c.signature.len, NS_SIG_BLOB_LEN);
	assert_int_equal(ns_cert_extension_bits(&c), ALL_DEFAULT_EXT);
	assert_int_equal(ns_cert_option(&c, 1, "force-command", &v), NS_ERR_NOTFOUND);
	assert_int_equal(ns_cert_option(&c, 0, "permit-pty", &v), 0);
	assert_int_equal(v.len, 0);
	assert_int_equal(ns_cert_option(&c, 0, "no-touch-required", &v), NS_ERR_NOTFOUND);

	tc_load(CERT_U2, blob, sizeof(blob), &len, &c);
	assert_int_equal(c.serial, 43);
	tc_assert_str(c.key_id, "fc-id");
	assert_principals(&c, a, 1);
	assert_int_equal(ns_cert_option(&c, 1, "force-command", &v), 0);
	tc_assert_str(v, "echo hi");
	assert_int_equal(ns_cert_option(&c, 1, "source-address", &v), 0);
	tc_assert_str(v, "10.0.0.0/8,::1");
	assert_int_equal(ns_cert_option(&c, 0, "force-command", &v), NS_ERR_NOTFOUND);
	assert_int_equal(ns_cert_extension_bits(&c), ALL_DEFAULT_EXT);

	tc_load(CERT_U3, blob, sizeof(blob), &len, &c);
	assert_int_equal(c.serial, 44);
	assert_int_equal(ns_cert_option(&c, 1, "verify-required", &v), 0);
	assert_int_equal(v.len, 0);

	tc_load(CERT_U4, blob, sizeof(blob), &len, &c);
	tc_assert_str(c.key_id, "clear-id");
	assert_int_equal(c.extensions.len, 0);
	assert_int_equal(ns_cert_extension_bits(&c), 0);

	tc_load(CERT_U5, blob, sizeof(blob), &len, &c);
	assert_int_equal(ns_cert_extension_bits(&c),
	                 ALL_DEFAULT_EXT & ~(uint32_t)NS_EXT_PERMIT_PTY);

	tc_load(CERT_H1, blob, sizeof(blob), &len, &c);
	assert_int_equal(c.type, NS_CERT_HOST);
	assert_int_equal(c.serial, 47);
	tc_assert_str(c.key_id, "host-id");
	assert_fp(c.pk, FP_HOST);
	assert_principals(&c, hosts, 2);
	assert_int_equal(c.extensions.len, 0);

	tc_load(CERT_U6, blob, sizeof(blob), &len, &c);
	assert_int_equal(c.serial, 0);
	assert_int_equal(c.key_id.len, 0);
	assert_principals(&c, NULL, 0);

	tc_load(CERT_U7, blob, sizeof(blob), &len, &c);
	assert_int_equal(c.serial, UINT64_MAX);
	tc_assert_str(c.key_id, "weird id with spaces");
	assert_int_equal(c.nprincipals, 6);
	assert_int_equal(c.valid_after, 0);
	assert_int_equal(c.valid_before, UINT64_MAX);
	assert_int_equal(ns_cert_option(&c, 1, "unknown@example.com", &v), 0);
	tc_assert_str(v, "x");
	assert_int_equal(ns_cert_option(&c, 0, "custom@example.com", &v), 0);
	tc_assert_str(v, "value");
	assert_int_equal(ns_cert_extension_bits(&c), ALL_DEFAULT_EXT);
}

static void test_line(void **state)
{
	static const char *const lines[] = {CERT_U1, CERT_U2, CERT_U3, CERT_U4,
	                                    CERT_U5, CERT_H1, CERT_U6, CERT_U7};
	uint8_t blob[1024];
	char out[2048], line[2048];
	size_t len, i, n;
	ns_cert c;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		tc_load(lines[i], blob, sizeof(blob), &len, &c);
		/* ssh-keygen's line ends in the comment of the signed key */
		n = (size_t)(strrchr(lines[i], ' ') - lines[i]);
		assert_int_equal(ns_cert_to_line(blob, len, NULL, out, sizeof(out)), 0);
		assert_int_equal(strlen(out), n);
		assert_memory_equal(out, lines[i], n);
		assert_int_equal(ns_cert_to_line(blob, len, "a comment", out, sizeof(out)), 0);
		assert_string_equal(out + n, " a comment");
		assert_int_equal(ns_cert_to_line(blob, len, NULL, out, n), NS_ERR_NOMEM);
		assert_int_equal(ns_cert_to_line(blob, len, "bad\ncomment", out, sizeof(out)),
		                 NS_ERR_INVALID);
	}
	/* whitespace around, CRLF, no comment */
	snprintf(line, sizeof(line), " \t%s\r\n", CERT_U1);
	assert_int_equal(ns_cert_from_line(line, strlen(line), blob, sizeof(blob), &len), 0);
	assert_int_equal(
	    ns_cert_from_line(CERT_U1, n = strlen(CERT_U1) - 5, blob, sizeof(blob), &len), 0);
	/* errors */
	assert_int_equal(ns_cert_from_line(USER_PUB, strlen(USER_PUB), blob, sizeof(blob), &len),
	                 NS_ERR_KEYTYPE);
	assert_int_equal(len, 0);
	assert_int_equal(ns_cert_from_line("", 0, blob, sizeof(blob), &len), NS_ERR_FORMAT);
	assert_int_equal(
	    ns_cert_from_line(NS_CERT_ALG, strlen(NS_CERT_ALG), blob, sizeof(blob), &len),
	    NS_ERR_FORMAT);
	assert_int_equal(ns_cert_from_line(CERT_U1, strlen(CERT_U1), blob, 100, &len),
	                 NS_ERR_TOOBIG); /* over the caller's room: too big, not malformed */
	snprintf(line, sizeof(line), "%s\n%s", CERT_U1, CERT_U1);
	assert_int_equal(ns_cert_from_line(line, strlen(line), blob, sizeof(blob), &len),
	                 NS_ERR_FORMAT);
	snprintf(line, sizeof(line), "%s", CERT_U1);
	line[100] = '*';
	assert_int_equal(ns_cert_from_line(line, strlen(line), blob, sizeof(blob), &len),
	                 NS_ERR_FORMAT);
	line[100] = '\0';
	assert_int_equal(ns_cert_from_line(line, strlen(CERT_U1), blob, sizeof(blob), &len),
	                 NS_ERR_FORMAT);
	assert_int_equal(ns_cert_from_line(CERT_U1, NS_CERT_LINE_MAX + 1, blob, sizeof(blob), &len),
	                 NS_ERR_TOOBIG);
	/* an exact fit decodes, one byte less is too big */
	assert_int_equal(ns_cert_from_line(CERT_U1, strlen(CERT_U1), blob, sizeof(blob), &len), 0);
	assert_int_equal(ns_cert_from_line(CERT_U1, strlen(CERT_U1), blob, len, &len), 0);
	assert_int_equal(ns_cert_from_line(CERT_U1, strlen(CERT_U1), blob, len - 1, &len),
	                 NS_ERR_TOOBIG);
}

/* Every prefix, a trailing byte, and every flipped byte must fail. */
static void test_truncate_flip(void **state)
{
	static const char *const lines[] = {CERT_U1, CERT_U2, CERT_H1, CERT_U6};
	uint8_t blob[1024], m[1025];
	size_t len, i, k;
	ns_cert c;
	int why;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		tc_load(lines[i], blob, sizeof(blob), &len, &c);
		for (k = 0; k < len; k++) {
			why = -1;
			assert_int_not_equal(ns_cert_parse(blob, k, &c, &why), 0);
			assert_int_equal(why, NS_CERT_MALFORMED);
			assert_null(c.blob.p);
		}
		memcpy(m, blob, len);
		m[len] = 0;
		assert_int_equal(ns_cert_parse(m, len + 1, &c, &why), NS_ERR_FORMAT);
		assert_int_equal(why, NS_CERT_MALFORMED);
		for (k = 0; k < len; k++) {
			memcpy(m, blob, len);
			m[k] ^= 0x01;
			assert_int_not_equal(ns_cert_parse(m, len, &c, &why), 0);
			assert_int_not_equal(why, NS_CERT_OK);
			/* the raw signature: structure intact, signature wrong */
			if (k >= len - NS_ED25519_SIG_LEN) {
				assert_int_equal(why, NS_CERT_BAD_SIGNATURE);
			}
		}
	}
	assert_int_equal(ns_cert_parse(tc_big, NS_CERT_BLOB_MAX + 1, &c, &why), NS_ERR_TOOBIG);
	assert_int_equal(why, NS_CERT_MALFORMED);
}

static void test_parse_structure(void **state)
{
	static const char *const algs[] = {"ssh-ed25519", "ssh-rsa-cert-v01@openssh.com",
	                                   "ssh-ed25519-cert-v01@openssh.co"};
	/* extensions: sorted, once, well-formed; unknown ones are kept */
	static const struct {
		const char *kv[4];
		size_t n;
		int want;
	} exts[] = {
	    {{"permit-pty", NULL, "permit-X11-forwarding", NULL}, 4, NS_CERT_MALFORMED},
	    {{"permit-pty", NULL, "permit-pty", NULL}, 4, NS_CERT_MALFORMED},
	    {{"permit-pty", NULL, "permit-pty2", NULL}, 4, NS_CERT_OK},
	    {{"permit-pty", "yes"}, 2, NS_CERT_MALFORMED},
	    {{"", NULL}, 2, NS_CERT_MALFORMED},
	    {{"permit pty", NULL}, 2, NS_CERT_MALFORMED},
	    {{"a@example.com", "anything", "permit-pty", NULL}, 4, NS_CERT_OK},
	};
	static const char *const crit_unsorted[] = {"source-address", "10.0.0.0/8", "force-command",
	                                            "x"};
	const char *names[NS_CERT_PRINCIPALS_MAX + 1];
	char pnames[NS_CERT_PRINCIPALS_MAX + 1][8], longname[NS_CERT_NAME_MAX + 2];
	uint8_t rsa_blob[32] = {0, 0, 0, 7, 's', 's', 'h', '-', 'r', 's', 'a'};
	uint8_t cert_blob[1024], nonce[NS_CERT_NONCE_MAX + 1] = {0}, raw[16];
	size_t len, i;
	ns_key other;
	ns_cert c;
	tcert t;

	(void)state;
	tc_default(&t);
	tc_expect(&t, NS_CERT_OK, &c);
	assert_int_equal(ns_cert_extension_bits(&c), NS_EXT_PERMIT_PTY);
	assert_int_equal(c.serial, 7);

	tc_default(&t); /* type names */
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		t.alg = algs[i];
		tc_expect(&t, NS_CERT_MALFORMED, &c);
	}

	tc_default(&t); /* nonce: 1..NS_CERT_NONCE_MAX */
	t.nonce = tc_bytes(nonce, 0);
	tc_expect(&t, NS_CERT_MALFORMED, &c);
	t.nonce = tc_bytes(nonce, 1);
	tc_expect(&t, NS_CERT_OK, &c);
	t.nonce = tc_bytes(nonce, NS_CERT_NONCE_MAX);
	tc_expect(&t, NS_CERT_OK, &c);
	t.nonce = tc_bytes(nonce, NS_CERT_NONCE_MAX + 1);
	tc_expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* pk exactly 32 bytes */
	t.pk = tc_bytes(tc_user_pk, 31);
	tc_expect(&t, NS_CERT_MALFORMED, &c);
	t.pk = tc_bytes(nonce, 33);
	tc_expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* type 1 or 2 */
	t.type = 0;
	tc_expect(&t, NS_CERT_MALFORMED, &c);
	t.type = 3;
	tc_expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* key id: no NUL, at most NS_CERT_KEY_ID_MAX */
	t.key_id = tc_bytes("a\0b", 3);
	tc_expect(&t, NS_CERT_MALFORMED, &c);
	t.key_id = tc_bytes(tc_big + NS_CERT_BLOB_MAX, NS_CERT_KEY_ID_MAX + 1);
	tc_expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* principals: at most 256, each <= NS_CERT_NAME_MAX, no NUL */
	for (i = 0; i <= NS_CERT_PRINCIPALS_MAX; i++) {
		snprintf(pnames[i], sizeof(pnames[i]), "p%zu", i);
		names[i] = pnames[i];
	}
	t.principals = tc_pack(0, names, NS_CERT_PRINCIPALS_MAX);
	tc_expect(&t, NS_CERT_OK, &c);
	assert_int_equal(c.nprincipals, NS_CERT_PRINCIPALS_MAX);
	t.principals = tc_pack(0, names, NS_CERT_PRINCIPALS_MAX + 1);
	tc_expect(&t, NS_CERT_MALFORMED, &c);
	memset(longname, 'x', sizeof(longname));
	longname[NS_CERT_NAME_MAX] = '\0';
	names[0] = longname;
	t.principals = tc_pack(0, names, 1);
	tc_expect(&t, NS_CERT_OK, &c);
	longname[NS_CERT_NAME_MAX] = 'x';
	longname[NS_CERT_NAME_MAX + 1] = '\0';
	t.principals = tc_pack(0, names, 1);
	tc_expect(&t, NS_CERT_MALFORMED, &c);
	t.principals = tc_bytes("\0\0\0\3a\0b", 7);
	tc_expect(&t, NS_CERT_MALFORMED, &c);
	t.principals = tc_bytes("\0\0\0\5ab", 6); /* inner string overruns */
	tc_expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* options and extensions: sorted, once, well-formed */
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		t.ext = tc_pairs(1, exts[i].kv, exts[i].n);
		tc_expect(&t, exts[i].want, &c);
	}
	/* the last one: an unknown extension beside permit-pty */
	assert_int_equal(ns_cert_extension_bits(&c), NS_EXT_PERMIT_PTY);
	memcpy(raw, "\0\0\0\1x\0\0\0\3abc", 12); /* data not a string */
	t.ext = tc_bytes(raw, 12);
	tc_expect(&t, NS_CERT_MALFORMED, &c);
	memcpy(raw, "\0\0\0\1x\0\0\0\6\0\0\0\1ab", 15); /* data with trailing byte */
	t.ext = tc_bytes(raw, 15);
	tc_expect(&t, NS_CERT_MALFORMED, &c);
	t.ext = tc_bytes(raw, 5); /* name without data */
	tc_expect(&t, NS_CERT_MALFORMED, &c);
	tc_default(&t);
	t.crit = tc_pairs(2, crit_unsorted, 4);
	tc_expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* reserved is ignored (PROTOCOL.certkeys) */
	t.reserved = tc_cstr("future");
	tc_expect(&t, NS_CERT_OK, &c);

	tc_default(&t); /* signature key: a plain ssh-ed25519 key */
	tc_load(CERT_U1, cert_blob, sizeof(cert_blob), &len, &c);
	t.ca = tc_bytes(cert_blob, len);
	tc_expect(&t, NS_CERT_CA_IS_CERT, &c);
	t.ca = tc_bytes(rsa_blob, sizeof(rsa_blob));
	tc_expect(&t, NS_CERT_MALFORMED, &c);
	t.ca = tc_bytes(tc_ca_blob, sizeof(tc_ca_blob) - 1);
	tc_expect(&t, NS_CERT_MALFORMED, &c);

	tc_default(&t); /* signed by another key than the one named */
	assert_int_equal(ns_key_generate(&other, NULL), 0);
	t.signer = &other;
	tc_expect(&t, NS_CERT_BAD_SIGNATURE, &c);
	ns_key_wipe(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_vectors),
	    cmocka_unit_test(test_line),
	    cmocka_unit_test(test_truncate_flip),
	    cmocka_unit_test(test_parse_structure),
	};

	return cmocka_run_group_tests(tests, tc_setup, tc_teardown);
}
