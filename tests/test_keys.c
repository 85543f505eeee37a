/* Tests for core/keys.c: public key blobs and lines, fingerprints and
 * signatures, against vectors made with OpenSSH 9.2 ssh-keygen and RFC 8032. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "nullspace/error.h"
#include "nullspace/keys.h"

/* ssh-keygen -t ed25519 -N '' -C test; ssh-keygen -lf k.pub */
static const char PUB_K[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfKll5C3VKMwONnIhoIKOq/uogrlCFlGQkt3uiRnDpi test\n";
static const char FP_K[] = "SHA256:1H1nM2a2vntX96eNdkn39HNmv8b8K+QXcp9m4tRynVw";
static const uint8_t PK_K[32] = {
    0x77, 0xca, 0x96, 0x5e, 0x42, 0xdd, 0x52, 0x8c, 0xc0, 0xe3, 0x67, 0x22, 0x1a, 0x08, 0x28, 0xea,
    0xbf, 0xba, 0x88, 0x2b, 0x94, 0x21, 0x65, 0x19, 0x09, 0x2d, 0xde, 0xe8, 0x91, 0x9c, 0x3a, 0x62,
};
/* -C '': ssh-keygen leaves a trailing space. */
static const char PUB_NC[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqR3MvSvnQimiSwmzW0o1pwEy0pcl0lgi5xXgWRU51t \n";
static const char FP_NC[] = "SHA256:xNehVzPXS0VJ5+3jASbn+M0NNic8rCCuVEM0WVDSGX0";
static const char PUB_LC[] =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP0abu7smn9vrDfDsvw/UVK1TMMvWlQkL9MxkHXJgTR0 a much "
    "longer comment with spaces, commas and stuff: user@host.example.org 1234567890\n";
static const char FP_LC[] = "SHA256:nIs8QeBPestANHuOqDNKluSQCLSL9/k8rSTgAqhIWAs";
static const char PUB_RSA[] =
    "ssh-rsa "
    "AAAAB3NzaC1yc2EAAAADAQABAAAAgQDnE1HhgeflqILbkAweGXAzWEI7ngUB7WFGjqaZPtCn0VUhlfv9M8Oao4ov+"
    "vpACc56jawmCpJuZgT5LNLyBbk2tl+iUxTLh+lKCuHjtmNLHkHjFFaH7/"
    "aaroTm4CSLpDx+STv3CAhk0FWyj9zVXEezCU03Lj"
    "ep2kga7KH48WFekQ== rsa\n";
static const char PUB_ECDSA[] =
    "ecdsa-sha2-nistp256 "
    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBIDQcvX1Ybtjwr+N8ngueaaGngYkhQvBTfenFOI6+"
    "yVAO8g3JcK9YgNfHtsMcE3F4JubdP76L+K2eN+rwTWUmKM= ec\n";

/* RFC 8032 section 7.1, TEST 1 (empty message). */
static const uint8_t RFC_SEED[32] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
};
static const uint8_t RFC_PK[32] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
};
static const uint8_t RFC_SIG[64] = {
    0xe5, 0x56, 0x43, 0x00, 0xc3, 0x60, 0xac, 0x72, 0x90, 0x86, 0xe2, 0xcc, 0x80, 0x6e, 0x82, 0x8a,
    0x84, 0x87, 0x7f, 0x1e, 0xb8, 0xe5, 0xd9, 0x74, 0xd8, 0x73, 0xe0, 0x65, 0x22, 0x49, 0x01, 0x55,
    0x5f, 0xb8, 0x82, 0x15, 0x90, 0xa3, 0x3b, 0xac, 0xc6, 0x1e, 0x39, 0x70, 0x1c, 0xf9, 0xb4, 0x6b,
    0xd2, 0x5b, 0xf5, 0xf0, 0x59, 0x5b, 0xbe, 0x24, 0x65, 0x51, 0x41, 0x43, 0x8e, 0x7a, 0x10, 0x0b,
};

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static void rfc_key(ns_key *k)
{
	memset(k, 0, sizeof(*k));
	assert_int_equal(crypto_sign_seed_keypair(k->pk, k->sk, RFC_SEED), 0);
	k->has_sk = 1;
}

static void test_line_vector(void **state)
{
	uint8_t pk[NS_ED25519_PK_LEN];
	char fp[NS_FINGERPRINT_LEN], line[NS_KEY_LINE_MAX];
	ns_str c;

	(void)state;
	assert_int_equal(ns_key_from_line(PUB_K, strlen(PUB_K), pk, &c), 0);
	assert_memory_equal(pk, PK_K, 32);
	assert_int_equal(c.len, 4);
	assert_memory_equal(c.p, "test", 4);
	ns_key_fingerprint(pk, fp);
	assert_string_equal(fp, FP_K);
	assert_int_equal(ns_key_to_line(pk, "test", line, sizeof(line)), 0);
	assert_int_equal(strlen(line), strlen(PUB_K) - 1);
	assert_memory_equal(line, PUB_K, strlen(line));
	/* comment is optional */
	assert_int_equal(ns_key_from_line(PUB_K, strlen(PUB_K), pk, NULL), 0);
}

static void test_line_vectors_comments(void **state)
{
	uint8_t pk[NS_ED25519_PK_LEN];
	char fp[NS_FINGERPRINT_LEN], line[NS_KEY_LINE_MAX];
	ns_str c;
	const char *lc = "a much longer comment with spaces, commas and stuff: "
	                 "user@host.example.org 1234567890";

	(void)state;
	assert_int_equal(ns_key_from_line(PUB_NC, strlen(PUB_NC), pk, &c), 0);
	assert_int_equal(c.len, 0);
	ns_key_fingerprint(pk, fp);
	assert_string_equal(fp, FP_NC);
	assert_int_equal(ns_key_to_line(pk, "", line, sizeof(line)), 0);
	assert_int_equal(strlen(line), 80);
	assert_memory_equal(line, PUB_NC, 80);

	assert_int_equal(ns_key_from_line(PUB_LC, strlen(PUB_LC), pk, &c), 0);
	assert_int_equal(c.len, strlen(lc));
	assert_memory_equal(c.p, lc, c.len);
	ns_key_fingerprint(pk, fp);
	assert_string_equal(fp, FP_LC);
}

static void test_line_whitespace(void **state)
{
	uint8_t pk[NS_ED25519_PK_LEN];
	ns_str c;
	const char *l = "  \tssh-ed25519\t \tAAAAC3NzaC1lZDI1NTE5AAAAIHfKll5C3VKMwONnIhoIKOq/"
	                "uogrlCFlGQkt3uiRnDpi   two  words \t\r\n";

	(void)state;
	assert_int_equal(ns_key_from_line(l, strlen(l), pk, &c), 0);
	assert_memory_equal(pk, PK_K, 32);
	assert_int_equal(c.len, 10);
	assert_memory_equal(c.p, "two  words", 10);
}

static void test_line_errors(void **state)
{
	uint8_t pk[NS_ED25519_PK_LEN];
	char l[256];
	ns_str c;

	(void)state;
	assert_int_equal(ns_key_from_line(PUB_RSA, strlen(PUB_RSA), pk, &c), NS_ERR_KEYTYPE);
	assert_int_equal(ns_key_from_line(PUB_ECDSA, strlen(PUB_ECDSA), pk, &c), NS_ERR_KEYTYPE);
	assert_int_equal(ns_key_from_line("", 0, pk, &c), NS_ERR_FORMAT);
	assert_int_equal(ns_key_from_line("   \n", 4, pk, &c), NS_ERR_FORMAT);
	assert_int_equal(ns_key_from_line("ssh-ed25519", 11, pk, &c), NS_ERR_FORMAT);
	assert_int_equal(ns_key_from_line("ssh-ed25519 ", 12, pk, &c), NS_ERR_FORMAT);
	/* the rsa blob under an ed25519 label */
	snprintf(l, sizeof(l), "ssh-ed25519 %s", PUB_RSA + 8);
	assert_int_equal(ns_key_from_line(l, strlen(l), pk, &c), NS_ERR_FORMAT);
	/* truncated base64 */
	memcpy(l, PUB_K, 60);
	assert_int_equal(ns_key_from_line(l, 60, pk, &c), NS_ERR_FORMAT);
	/* a bad base64 character */
	strcpy(l, PUB_K);
	l[40] = '*';
	assert_int_equal(ns_key_from_line(l, strlen(l), pk, &c), NS_ERR_FORMAT);
	/* padding inside the 68 characters */
	strcpy(l, PUB_K);
	assert_int_equal(l[79], 'i');
	l[78] = '=';
	l[79] = '=';
	assert_int_equal(ns_key_from_line(l, strlen(l), pk, &c), NS_ERR_FORMAT);
	/* two lines in one */
	snprintf(l, sizeof(l), "%.80s\nssh-ed25519 x", PUB_K);
	assert_int_equal(ns_key_from_line(l, strlen(l), pk, &c), NS_ERR_FORMAT);
	/* embedded NUL */
	strcpy(l, PUB_K);
	l[82] = '\0';
	assert_int_equal(ns_key_from_line(l, strlen(PUB_K), pk, &c), NS_ERR_FORMAT);
	/* the type is case-sensitive */
	strcpy(l, PUB_K);
	l[0] = 'S';
	assert_int_equal(ns_key_from_line(l, strlen(l), pk, &c), NS_ERR_KEYTYPE);
	assert_null(c.p);
}

static void test_blob(void **state)
{
	uint8_t blob[NS_KEY_BLOB_LEN + 1], pk[NS_ED25519_PK_LEN];
	size_t n;

	(void)state;
	ns_key_blob(PK_K, blob);
	assert_memory_equal(blob, "\0\0\0\x0bssh-ed25519\0\0\0\x20", 19);
	assert_memory_equal(blob + 19, PK_K, 32);
	assert_int_equal(ns_key_from_blob(blob, NS_KEY_BLOB_LEN, pk), 0);
	assert_memory_equal(pk, PK_K, 32);
	for (n = 0; n < NS_KEY_BLOB_LEN; n++) {
		assert_int_equal(ns_key_from_blob(blob, n, pk), NS_ERR_FORMAT);
	}
	blob[NS_KEY_BLOB_LEN] = 0;
	assert_int_equal(ns_key_from_blob(blob, NS_KEY_BLOB_LEN + 1, pk), NS_ERR_FORMAT);
	/* pk string of 31 bytes, with the length fixed up */
	blob[18] = 31;
	assert_int_equal(ns_key_from_blob(blob, NS_KEY_BLOB_LEN - 1, pk), NS_ERR_FORMAT);
	blob[18] = 33;
	assert_int_equal(ns_key_from_blob(blob, NS_KEY_BLOB_LEN + 1, pk), NS_ERR_FORMAT);
	/* another type name of the same length */
	ns_key_blob(PK_K, blob);
	memcpy(blob + 4, "ssh-ed448xx", 11);
	assert_int_equal(ns_key_from_blob(blob, NS_KEY_BLOB_LEN, pk), NS_ERR_KEYTYPE);
	assert_int_equal(
	    ns_key_from_blob((const uint8_t *)"\0\0\0\x07ssh-rsa\0\0\0\x01\x01", 16, pk),
	    NS_ERR_KEYTYPE);
	/* a huge length field */
	assert_int_equal(ns_key_from_blob((const uint8_t *)"\xff\xff\xff\xff", 4, pk),
	                 NS_ERR_FORMAT);
}

static void test_sign_rfc8032(void **state)
{
	ns_key k;
	uint8_t sig[NS_SIG_BLOB_LEN];

	(void)state;
	rfc_key(&k);
	assert_memory_equal(k.pk, RFC_PK, 32);
	assert_int_equal(ns_key_sign(&k, (const uint8_t *)"", 0, sig), 0);
	assert_memory_equal(sig, "\0\0\0\x0bssh-ed25519\0\0\0\x40", 19);
	assert_memory_equal(sig + 19, RFC_SIG, 64);
	assert_int_equal(ns_key_verify(RFC_PK, sig, sizeof(sig), (const uint8_t *)"", 0), 0);
	ns_key_wipe(&k);
}

static void test_verify_rejects(void **state)
{
	ns_key k, other;
	uint8_t sig[NS_SIG_BLOB_LEN + 1], bad[NS_SIG_BLOB_LEN + 1];
	const uint8_t *msg = (const uint8_t *)"session id and request";
	size_t mlen = 22, n;

	(void)state;
	assert_int_equal(ns_key_generate(&k, "me"), 0);
	assert_int_equal(ns_key_generate(&other, NULL), 0);
	assert_int_equal(ns_key_sign(&k, msg, mlen, sig), 0);
	assert_int_equal(ns_key_verify(k.pk, sig, NS_SIG_BLOB_LEN, msg, mlen), 0);
	assert_int_equal(ns_key_verify(other.pk, sig, NS_SIG_BLOB_LEN, msg, mlen),
	                 NS_ERR_SIGNATURE);
	assert_int_equal(ns_key_verify(k.pk, sig, NS_SIG_BLOB_LEN, msg, mlen - 1),
	                 NS_ERR_SIGNATURE);
	/* every bit of the signature matters */
	for (n = 19; n < NS_SIG_BLOB_LEN; n++) {
		memcpy(bad, sig, NS_SIG_BLOB_LEN);
		bad[n] ^= 0x01;
		assert_int_equal(ns_key_verify(k.pk, bad, NS_SIG_BLOB_LEN, msg, mlen),
		                 NS_ERR_SIGNATURE);
	}
	/* trailing bytes */
	sig[NS_SIG_BLOB_LEN] = 0;
	assert_int_equal(ns_key_verify(k.pk, sig, NS_SIG_BLOB_LEN + 1, msg, mlen), NS_ERR_FORMAT);
	/* truncated */
	for (n = 0; n < NS_SIG_BLOB_LEN; n++) {
		assert_int_equal(ns_key_verify(k.pk, sig, n, msg, mlen), NS_ERR_FORMAT);
	}
	/* signature of 63 bytes */
	memcpy(bad, sig, NS_SIG_BLOB_LEN);
	bad[18] = 63;
	assert_int_equal(ns_key_verify(k.pk, bad, NS_SIG_BLOB_LEN - 1, msg, mlen), NS_ERR_FORMAT);
	/* another algorithm name */
	memcpy(bad, sig, NS_SIG_BLOB_LEN);
	memcpy(bad + 4, "ssh-ed25518", 11);
	assert_int_equal(ns_key_verify(k.pk, bad, NS_SIG_BLOB_LEN, msg, mlen), NS_ERR_KEYTYPE);
	memcpy(bad, "\0\0\0\x0crsa-sha2-256", 16);
	assert_int_equal(ns_key_verify(k.pk, bad, 16, msg, mlen), NS_ERR_KEYTYPE);
	ns_key_wipe(&k);
	ns_key_wipe(&other);
}

static void test_generate(void **state)
{
	ns_key k;
	char big[NS_KEY_COMMENT_MAX + 1];
	uint8_t zero[sizeof(ns_key)], pk[NS_ED25519_PK_LEN], sig[NS_SIG_BLOB_LEN];
	char line[NS_KEY_LINE_MAX];
	ns_str c;

	(void)state;
	assert_int_equal(ns_key_generate(&k, "user@host"), 0);
	assert_true(k.has_sk);
	assert_string_equal(k.comment, "user@host");
	assert_memory_equal(k.sk + 32, k.pk, 32);
	assert_int_equal(ns_key_to_line(k.pk, k.comment, line, sizeof(line)), 0);
	assert_int_equal(ns_key_from_line(line, strlen(line), pk, &c), 0);
	assert_memory_equal(pk, k.pk, 32);
	assert_int_equal(c.len, 9);
	ns_key_wipe(&k);
	memset(zero, 0, sizeof(zero));
	assert_memory_equal(&k, zero, sizeof(k));
	assert_int_equal(ns_key_sign(&k, (const uint8_t *)"x", 1, sig), NS_ERR_INVALID);

	memset(big, 'c', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ns_key_generate(&k, big), NS_ERR_TOOBIG);
	big[NS_KEY_COMMENT_MAX - 1] = '\0';
	assert_int_equal(ns_key_generate(&k, big), 0);
	assert_int_equal(ns_key_generate(&k, "two\nlines"), NS_ERR_INVALID);
	assert_false(k.has_sk);
}

static void test_to_line_limits(void **state)
{
	char line[NS_KEY_LINE_MAX];

	(void)state;
	/* "ssh-ed25519 " + 68 + NUL = 81 */
	assert_int_equal(ns_key_to_line(PK_K, NULL, line, 81), 0);
	assert_int_equal(strlen(line), 80);
	assert_int_equal(ns_key_to_line(PK_K, NULL, line, 80), NS_ERR_NOMEM);
	assert_string_equal(line, "");
	assert_int_equal(ns_key_to_line(PK_K, "test", line, 86), 0);
	assert_int_equal(ns_key_to_line(PK_K, "test", line, 85), NS_ERR_NOMEM);
	assert_int_equal(ns_key_to_line(PK_K, "a\r\nb", line, sizeof(line)), NS_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_line_vector),
	    cmocka_unit_test(test_line_vectors_comments),
	    cmocka_unit_test(test_line_whitespace),
	    cmocka_unit_test(test_line_errors),
	    cmocka_unit_test(test_blob),
	    cmocka_unit_test(test_sign_rfc8032),
	    cmocka_unit_test(test_verify_rejects),
	    cmocka_unit_test(test_generate),
	    cmocka_unit_test(test_to_line_limits),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
