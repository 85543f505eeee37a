/* Tests for passphrase-protected key files: Blowfish (Schneier's vectors),
 * bcrypt_pbkdf (vectors from python3-bcrypt's kdf, i.e. OpenBSD's code),
 * aes256-ctr with a counter carry (vectors from `openssl enc`), and files
 * written by OpenSSH 9.2 `ssh-keygen -N ... [-a N]`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "bcrypt_pbkdf.h"
#include "blowfish.h"
#include "buf.h"
#include "keyfile_int.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"

/* ssh-keygen -q -t ed25519 -N secret -a 2 -C enc2 */
static const char KEY_A2[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABA4hEzH1A\n"
    "CKB6hwsOEtHOJRAAAAAgAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIMVt1jsXPacO3MNF\n"
    "q6YnGSQ8WkRwuHa2DXfttjOcQaMEAAAAkN41qHG1rhYvx3yY/h75+C/m46RnWXO7aTfIjn\n"
    "RN1yO7Bp9ZCOCYmNX8gjv3IOdb/1hRQKcZFFABFLbC9JejzsIuGLYwhX5S3cEmSPDmireu\n"
    "8Z+41uH3Vb8E0g4DWipUX6EqhswvPfvsPGO6h1GAOya39LJCUhIqHPyo/dJcBArMjy8kCW\n"
    "zahNzwqID3i5cj6A==\n"
    "-----END OPENSSH PRIVATE KEY-----\n";
/* its public line, from ssh-keygen -y -P secret */
static const char PUB_A2[] = "ssh-ed25519 "
                             "AAAAC3NzaC1lZDI1NTE5AAAAIMVt1jsXPacO3MNFq6YnGSQ8WkRwuHa2DXfttjOcQaME";

/* ssh-keygen -t ed25519 -N pass -C enc (default 16 rounds) */
static const char KEY_E[] =
    "-----BEGIN OPENSSH PRIVATE KEY-----\n"
    "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABARWuSP7Y\n"
    "OAOE+U6m/VwS3uAAAAEAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIO+EdH6+xtCUGRPp\n"
    "FPsrGLWhZo4BF3Jfkl+XeMlKLT30AAAAkOWS63FKpQjlFfKlmB18v4eb7RwqIt5BBbVL20\n"
    "U3ZQet+yFifVjL5Tvai63iTvtNfRvEWsobLntf/d3VrxszW5dY0CNUfWed6FGlD0fhtwaw\n"
    "gUduqUH4kQr96tDFFK30rZ+hhNI0hrg2VL1MBvhmhvfzli59cfJbqTS/OmqkTxm3oaNusC\n"
    "XNeG4ibFUCyBM6Lg==\n"
    "-----END OPENSSH PRIVATE KEY-----\n";

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static void unhex(const char *h, uint8_t *out, size_t n)
{
	size_t i;
	unsigned v;

	assert_int_equal(strlen(h), 2 * n);
	for (i = 0; i < n; i++) {
		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void test_blowfish(void **state)
{
	ns_blf c;
	uint32_t l = 0, r = 0;
	uint8_t key[8];

	(void)state;
	/* key 0000000000000000, plaintext 0 -> 4EF997456198DD78 */
	ns_blf_init(&c);
	memset(key, 0, sizeof(key));
	ns_blf_expand0(&c, key, sizeof(key)); /* plain Blowfish key schedule */
	ns_blf_encrypt(&c, &l, &r);
	assert_int_equal(l, 0x4ef99745);
	assert_int_equal(r, 0x6198dd78);
	/* key FFFFFFFFFFFFFFFF, plaintext FFFFFFFFFFFFFFFF -> 51866FD5B85ECB8A */
	ns_blf_init(&c);
	memset(key, 0xff, sizeof(key));
	ns_blf_expand0(&c, key, sizeof(key));
	l = r = 0xffffffff;
	ns_blf_encrypt(&c, &l, &r);
	assert_int_equal(l, 0x51866fd5);
	assert_int_equal(r, 0xb85ecb8a);
	/* key 0123456789ABCDEF, plaintext 1111111111111111 -> 61F9C3802281B096 */
	ns_blf_init(&c);
	unhex("0123456789abcdef", key, 8);
	ns_blf_expand0(&c, key, sizeof(key));
	l = r = 0x11111111;
	ns_blf_encrypt(&c, &l, &r);
	assert_int_equal(l, 0x61f9c380);
	assert_int_equal(r, 0x2281b096);
}

struct kdf_vec {
	const char *pass, *salt;
	size_t keylen;
	uint32_t rounds;
	const char *hex;
};

static void test_bcrypt_pbkdf(void **state)
{
	static const struct kdf_vec v[] = {
	    {"password", "salt", 32, 4,
	     "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9"},
	    /* 48 bytes as for a key file: stride 2 */
	    {"secret", "0123456789abcdef", 48, 16,
	     "7d41423be848f1e335cb4092c62e505a016a759cf6c3bc3e49fde008426f5491"
	     "4b2ae9c8a3c063baa81531be7fa69a78"},
	    {"pass", "\x01", 1, 1, "b7"},
	};
	uint8_t got[128], want[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unhex(v[i].hex, want, v[i].keylen);
		assert_int_equal(ns_bcrypt_pbkdf((const uint8_t *)v[i].pass, strlen(v[i].pass),
		                                 (const uint8_t *)v[i].salt, strlen(v[i].salt),
		                                 v[i].rounds, got, v[i].keylen),
		                 0);
		assert_memory_equal(got, want, v[i].keylen);
	}
	/* 100 bytes (stride 4), long pass and salt */
	{
		uint8_t pass[100], salt[40];
		memset(pass, 'x', sizeof(pass));
		memset(salt, 'y', sizeof(salt));
		unhex("94c601590220652076dc01540ff2e7c851503f05f0c6949b9cc13e3ed9ac7339"
		      "476971d14a1e648f16bb45c003079129b2af1d443431b7804f56649a82951297"
		      "491caf46d5c97fcd360ec80599904aedc3a7bf70498c39a9d332290b1d37ebef"
		      "d64ef0c3",
		      want, 100);
		assert_int_equal(ns_bcrypt_pbkdf(pass, 100, salt, 40, 2, got, 100), 0);
		assert_memory_equal(got, want, 100);
	}
	assert_int_equal(
	    ns_bcrypt_pbkdf((const uint8_t *)"p", 1, (const uint8_t *)"s", 1, 0, got, 8),
	    NS_ERR_INVALID);
	assert_int_equal(
	    ns_bcrypt_pbkdf((const uint8_t *)"p", 1, (const uint8_t *)"s", 0, 1, got, 8),
	    NS_ERR_INVALID);
	assert_int_equal(ns_bcrypt_pbkdf((const uint8_t *)"p", 1, (const uint8_t *)"s", 1, 1, got,
	                                 NS_BCRYPT_KEY_MAX + 1),
	                 NS_ERR_INVALID);
}

/* openssl enc -aes-256-ctr -K 000102..1f -iv 0001020304050607ffffffffffffffff
 * over 64 zero bytes: the second block's counter carries into byte 7. */
static void test_aes_ctr_carry(void **state)
{
	uint8_t key[32], iv[16], buf[64], want[64];
	size_t i;

	(void)state;
	for (i = 0; i < 32; i++) {
		key[i] = (uint8_t)i;
	}
	unhex("0001020304050607ffffffffffffffff", iv, 16);
	unhex("2270807a14280a165c7f692ef2ab5292"
	      "7b712838e3686d36d131b19aaf6af8bff47fab67a67e1397fe2c820a088d273d"
	      "357e8248b6c0581f8a06a4a71578fc76",
	      want, 64);
	memset(buf, 0, sizeof(buf));
	ns_keyfile_aes256_ctr(key, iv, buf, sizeof(buf));
	assert_memory_equal(buf, want, sizeof(buf));
}

static void check_pub(const ns_key *k, const char *line)
{
	uint8_t pk[NS_ED25519_PK_LEN];

	assert_int_equal(ns_key_from_line(line, strlen(line), pk, NULL), 0);
	assert_memory_equal(k->pk, pk, sizeof(pk));
}

static void test_ssh_keygen_files(void **state)
{
	ns_key k;
	uint8_t sig[NS_SIG_BLOB_LEN];

	(void)state;
	assert_int_equal(ns_keyfile_parse(KEY_A2, strlen(KEY_A2), &k), NS_ERR_ENCRYPTED);
	assert_int_equal(ns_keyfile_parse_pass(KEY_A2, strlen(KEY_A2), "secret", 6, &k), 0);
	assert_true(k.has_sk);
	assert_string_equal(k.comment, "enc2");
	check_pub(&k, PUB_A2);
	/* the secret half works: a signature verifies with the public key */
	assert_int_equal(ns_key_sign(&k, (const uint8_t *)"data", 4, sig), 0);
	assert_int_equal(ns_key_verify(k.pk, sig, sizeof(sig), (const uint8_t *)"data", 4), 0);
	ns_key_wipe(&k);
	assert_int_equal(ns_keyfile_parse_pass(KEY_E, strlen(KEY_E), "pass", 4, &k), 0);
	assert_string_equal(k.comment, "enc");
	ns_key_wipe(&k);
}

static void assert_wiped(const ns_key *k)
{
	ns_key zero;

	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(k, &zero, sizeof(zero));
}

static void test_wrong_passphrase(void **state)
{
	ns_key k;

	(void)state;
	assert_int_equal(ns_keyfile_parse_pass(KEY_A2, strlen(KEY_A2), "Secret", 6, &k),
	                 NS_ERR_AUTH);
	assert_wiped(&k);
	assert_int_equal(ns_keyfile_parse_pass(KEY_A2, strlen(KEY_A2), "", 0, &k), NS_ERR_AUTH);
	assert_wiped(&k);
	assert_int_equal(ns_keyfile_parse_pass(KEY_A2, strlen(KEY_A2), NULL, 0, &k),
	                 NS_ERR_INVALID);
}

static void test_inspect(void **state)
{
	ns_keyfile_info info;
	ns_key k;

	(void)state;
	assert_int_equal(ns_keyfile_inspect(KEY_A2, strlen(KEY_A2), &info), 0);
	assert_true(info.encrypted);
	assert_true(info.supported);
	assert_int_equal(info.rounds, 2);
	assert_int_equal(ns_keyfile_inspect(KEY_E, strlen(KEY_E), &info), 0);
	assert_int_equal(info.rounds, 16);
	assert_int_equal(ns_keyfile_parse_pass(KEY_A2, strlen(KEY_A2), "secret", 6, &k), 0);
	assert_int_equal(ns_keyfile_inspect(KEY_A2, strlen(KEY_A2), &info), 0);
	assert_memory_equal(info.pk, k.pk, sizeof(k.pk));
	ns_key_wipe(&k);
	assert_int_equal(ns_keyfile_inspect("junk", 4, &info), NS_ERR_FORMAT);
}

/* Re-armour KEY_A2 with its kdfoptions (salt, rounds) and cipher changed. */
static void rebuild(uint32_t rounds, const char *cipher, char *out, size_t cap)
{
	static const char b64[] =
	    "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABA4hEzH1A"
	    "CKB6hwsOEtHOJRAAAAAgAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAIMVt1jsXPacO3MNF"
	    "q6YnGSQ8WkRwuHa2DXfttjOcQaMEAAAAkN41qHG1rhYvx3yY/h75+C/m46RnWXO7aTfIjn"
	    "RN1yO7Bp9ZCOCYmNX8gjv3IOdb/1hRQKcZFFABFLbC9JejzsIuGLYwhX5S3cEmSPDmireu"
	    "8Z+41uH3Vb8E0g4DWipUX6EqhswvPfvsPGO6h1GAOya39LJCUhIqHPyo/dJcBArMjy8kCW"
	    "zahNzwqID3i5cj6A==";
	uint8_t bin[1024], body[1100];
	char enc[1600];
	size_t n = 0, clen = strlen(cipher);
	ns_buf b;

	assert_int_equal(sodium_base642bin(bin, sizeof(bin), b64, strlen(b64), NULL, &n, NULL,
	                                   sodium_base64_VARIANT_ORIGINAL),
	                 0);
	/* magic(15) | string "aes256-ctr"(14) | string "bcrypt"(10) | string
	 * kdfopts(4 + 4 + 16 salt + 4 rounds) | rest */
	ns_buf_init_fixed(&b, body, sizeof(body));
	ns_wr_bytes(&b, bin, 15);
	ns_wr_string(&b, cipher, clen);
	ns_wr_bytes(&b, bin + 29, 10 + 4 + 4 + 16);
	ns_wr_u32(&b, rounds);
	ns_wr_bytes(&b, bin + 29 + 38, n - 29 - 38);
	assert_int_equal(b.err, 0);
	sodium_bin2base64(enc, sizeof(enc), b.p, b.len, sodium_base64_VARIANT_ORIGINAL);
	snprintf(out, cap,
	         "-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n",
	         enc);
}

static void test_limits(void **state)
{
	char text[2048];
	ns_key k;

	(void)state;
	rebuild(2, "aes256-ctr", text, sizeof(text)); /* unchanged: still opens */
	assert_int_equal(ns_keyfile_parse_pass(text, strlen(text), "secret", 6, &k), 0);
	ns_key_wipe(&k);
	/* a hostile file asking for millions of rounds is refused at once */
	rebuild(4000000, "aes256-ctr", text, sizeof(text));
	assert_int_equal(ns_keyfile_parse_pass(text, strlen(text), "secret", 6, &k), NS_ERR_LIMIT);
	assert_wiped(&k);
	rebuild(NS_KEYFILE_KDF_ROUNDS_MAX + 1, "aes256-ctr", text, sizeof(text));
	assert_int_equal(ns_keyfile_parse_pass(text, strlen(text), "secret", 6, &k), NS_ERR_LIMIT);
	rebuild(0, "aes256-ctr", text, sizeof(text));
	assert_int_equal(ns_keyfile_parse_pass(text, strlen(text), "secret", 6, &k), NS_ERR_FORMAT);
	/* same rounds under a lower limit (the fuzzer's) */
	rebuild(2, "aes256-ctr", text, sizeof(text));
	assert_int_equal(ns_keyfile_parse_max(text, strlen(text), "secret", 6, 1, &k),
	                 NS_ERR_LIMIT);
	/* another cipher: still "encrypted" without a passphrase, unsupported with one */
	rebuild(2, "aes128-cbc", text, sizeof(text));
	assert_int_equal(ns_keyfile_parse(text, strlen(text), &k), NS_ERR_ENCRYPTED);
	assert_int_equal(ns_keyfile_parse_pass(text, strlen(text), "secret", 6, &k),
	                 NS_ERR_UNSUPPORTED);
}

/* The kdfoptions on their own: salt up to NS_KEYFILE_SALT_MAX, rounds. */
static void test_kdfopts(void **state)
{
	uint8_t st[256], salt[NS_KEYFILE_SALT_MAX + 1];
	ns_str opts, got;
	uint32_t rounds;
	ns_buf b;

	(void)state;
	memset(salt, 's', sizeof(salt));
	ns_buf_init_fixed(&b, st, sizeof(st));
	ns_wr_string(&b, salt, NS_KEYFILE_SALT_MAX);
	ns_wr_u32(&b, 16);
	opts = (ns_str){b.p, b.len};
	assert_int_equal(ns_keyfile_kdfopts(opts, NS_KEYFILE_KDF_ROUNDS_MAX, &got, &rounds), 0);
	assert_int_equal(got.len, NS_KEYFILE_SALT_MAX);
	assert_int_equal(rounds, 16);
	ns_buf_init_fixed(&b, st, sizeof(st));
	ns_wr_string(&b, salt, NS_KEYFILE_SALT_MAX + 1);
	ns_wr_u32(&b, 16);
	opts = (ns_str){b.p, b.len};
	assert_int_equal(ns_keyfile_kdfopts(opts, NS_KEYFILE_KDF_ROUNDS_MAX, &got, &rounds),
	                 NS_ERR_FORMAT);
	ns_buf_init_fixed(&b, st, sizeof(st));
	ns_wr_string(&b, salt, 0); /* empty salt */
	ns_wr_u32(&b, 16);
	opts = (ns_str){b.p, b.len};
	assert_int_equal(ns_keyfile_kdfopts(opts, NS_KEYFILE_KDF_ROUNDS_MAX, &got, &rounds),
	                 NS_ERR_FORMAT);
	opts.len -= 1; /* rounds cut short */
	assert_int_equal(ns_keyfile_kdfopts(opts, NS_KEYFILE_KDF_ROUNDS_MAX, &got, &rounds),
	                 NS_ERR_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_blowfish),         cmocka_unit_test(test_bcrypt_pbkdf),
	    cmocka_unit_test(test_aes_ctr_carry),    cmocka_unit_test(test_ssh_keygen_files),
	    cmocka_unit_test(test_wrong_passphrase), cmocka_unit_test(test_inspect),
	    cmocka_unit_test(test_limits),           cmocka_unit_test(test_kdfopts),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
