/* core/kex_hybrid.c through ns_kex_keygen/_reply/_shared: client and server
 * agree on K, a string of SHA-512 (sntrup761x25519-sha512) equal to
 * SHA-512(kem_ss || x25519_ss) recomputed here from the parts; values of
 * the wrong length and low-order X25519 points are refused; a tampered
 * ciphertext gives another K (implicit rejection), never an error. The same
 * for mlkem768x25519-sha256 (K a string of SHA-256), whose server also
 * refuses a client key that fails ML-KEM's modulus check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "kex_ecdh.h"
#include "kexinit.h"
#include "nullspace/error.h"
#include "mlkem768.h"
#include "sntrup761.h"

static uint8_t secret[NS_KEX_SECRET_MAX], pub[NS_KEX_PUB_MAX], reply[NS_KEX_PUB_MAX];

static void test_sntrup_agree(void **state)
{
	uint8_t kc[NS_KEX_K_MAX], ks[NS_KEX_K_MAX], ss[32], buf[64], h[64];
	size_t pub_len, reply_len, kc_len, ks_len;

	(void)state;
	assert_int_equal(ns_kex_hash_len(NS_KEX_SNTRUP), 64);
	assert_int_equal(ns_kex_hash_len(NS_KEX_X25519), 32);
	assert_int_equal(ns_kex_keygen(NS_KEX_SNTRUP, NULL, NULL, secret, pub, &pub_len), 0);
	assert_int_equal(pub_len, NS_SNTRUP761_PK_LEN + 32);
	assert_int_equal(
	    ns_kex_reply(NS_KEX_SNTRUP, NULL, NULL, pub, pub_len, reply, &reply_len, ks, &ks_len),
	    0);
	assert_int_equal(reply_len, NS_SNTRUP761_CT_LEN + 32);
	assert_int_equal(ns_kex_shared(NS_KEX_SNTRUP, secret, reply, reply_len, kc, &kc_len), 0);
	assert_int_equal(kc_len, 4 + 64);
	assert_int_equal(ks_len, 4 + 64);
	assert_memory_equal(kc, ks, kc_len);
	assert_memory_equal(kc, "\0\0\0\x40", 4); /* string, not mpint */
	/* K = SHA-512(sntrup ss || X25519 ss), from the parts */
	ns_sntrup761_dec(ss, reply, secret);
	memcpy(buf, ss, 32);
	assert_int_equal(
	    crypto_scalarmult(buf + 32, secret + NS_SNTRUP761_SK_LEN, reply + NS_SNTRUP761_CT_LEN),
	    0);
	crypto_hash_sha512(h, buf, sizeof(buf));
	assert_memory_equal(kc + 4, h, 64);
	/* a tampered ciphertext: another K, no error */
	reply[10] ^= 1;
	assert_int_equal(ns_kex_shared(NS_KEX_SNTRUP, secret, reply, reply_len, kc, &kc_len), 0);
	assert_memory_not_equal(kc, ks, ks_len);
}

static void test_sntrup_refused(void **state)
{
	uint8_t k[NS_KEX_K_MAX];
	size_t pub_len, reply_len, k_len;

	(void)state;
	assert_int_equal(ns_kex_keygen(NS_KEX_SNTRUP, NULL, NULL, secret, pub, &pub_len), 0);
	/* wrong lengths, both ways */
	assert_int_equal(
	    ns_kex_reply(NS_KEX_SNTRUP, NULL, NULL, pub, pub_len - 1, reply, &reply_len, k, &k_len),
	    NS_ERR_CRYPTO);
	assert_int_equal(
	    ns_kex_reply(NS_KEX_SNTRUP, NULL, NULL, pub, 32, reply, &reply_len, k, &k_len),
	    NS_ERR_CRYPTO);
	assert_int_equal(
	    ns_kex_shared(NS_KEX_SNTRUP, secret, reply, NS_SNTRUP761_CT_LEN + 31, k, &k_len),
	    NS_ERR_CRYPTO);
	assert_int_equal(
	    ns_kex_shared(NS_KEX_SNTRUP, secret, reply, NS_SNTRUP761_CT_LEN + 33, k, &k_len),
	    NS_ERR_CRYPTO);
	/* an all-zero (low-order) X25519 half, both ways */
	memset(pub + NS_SNTRUP761_PK_LEN, 0, 32);
	assert_int_equal(
	    ns_kex_reply(NS_KEX_SNTRUP, NULL, NULL, pub, pub_len, reply, &reply_len, k, &k_len),
	    NS_ERR_CRYPTO);
	memset(reply, 0, sizeof(reply));
	assert_int_equal(
	    ns_kex_shared(NS_KEX_SNTRUP, secret, reply, NS_SNTRUP761_CT_LEN + 32, k, &k_len),
	    NS_ERR_CRYPTO);
	assert_int_equal(k_len, 0);
}

static void test_mlkem_agree(void **state)
{
	uint8_t kc[NS_KEX_K_MAX], ks[NS_KEX_K_MAX], ss[32], buf[64], h[32];
	size_t pub_len, reply_len, kc_len, ks_len;

	(void)state;
	assert_int_equal(ns_kex_hash_len(NS_KEX_MLKEM), 32);
	assert_int_equal(ns_kex_keygen(NS_KEX_MLKEM, NULL, NULL, secret, pub, &pub_len), 0);
	assert_int_equal(pub_len, NS_MLKEM768_PK_LEN + 32);
	assert_int_equal(
	    ns_kex_reply(NS_KEX_MLKEM, NULL, NULL, pub, pub_len, reply, &reply_len, ks, &ks_len),
	    0);
	assert_int_equal(reply_len, NS_MLKEM768_CT_LEN + 32);
	assert_int_equal(ns_kex_shared(NS_KEX_MLKEM, secret, reply, reply_len, kc, &kc_len), 0);
	assert_int_equal(kc_len, 4 + 32);
	assert_memory_equal(kc, ks, kc_len);
	assert_memory_equal(kc, "\0\0\0\x20", 4);
	ns_mlkem768_dec(ss, reply, secret);
	memcpy(buf, ss, 32);
	assert_int_equal(
	    crypto_scalarmult(buf + 32, secret + NS_MLKEM768_SK_LEN, reply + NS_MLKEM768_CT_LEN),
	    0);
	crypto_hash_sha256(h, buf, sizeof(buf));
	assert_memory_equal(kc + 4, h, 32);
	/* wrong lengths; a client key with a coefficient >= q */
	assert_int_equal(ns_kex_shared(NS_KEX_MLKEM, secret, reply, reply_len - 1, kc, &kc_len),
	                 NS_ERR_CRYPTO);
	assert_int_equal(ns_kex_reply(NS_KEX_MLKEM, NULL, NULL, pub, pub_len + 1, reply, &reply_len,
	                              ks, &ks_len),
	                 NS_ERR_CRYPTO);
	pub[0] = 0xff;
	pub[1] |= 0x0f;
	assert_int_equal(
	    ns_kex_reply(NS_KEX_MLKEM, NULL, NULL, pub, pub_len, reply, &reply_len, ks, &ks_len),
	    NS_ERR_CRYPTO);
	assert_int_equal(reply_len, 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(ns_kex_method_by_name(
	                     (ns_str){(const uint8_t *)NS_KEX_SNTRUP761, strlen(NS_KEX_SNTRUP761)}),
	                 NS_KEX_SNTRUP);
	assert_int_equal(ns_kex_method_by_name((ns_str){(const uint8_t *)NS_KEX_SNTRUP761_OPENSSH,
	                                                strlen(NS_KEX_SNTRUP761_OPENSSH)}),
	                 NS_KEX_SNTRUP);
	assert_int_equal(ns_kex_method_by_name((ns_str){
	                     (const uint8_t *)"sntrup4591761x25519-sha512@tinyssh.org", 38}),
	                 NS_KEX_NONE);
	assert_int_equal(ns_kex_method_by_name(
	                     (ns_str){(const uint8_t *)NS_KEX_MLKEM768, strlen(NS_KEX_MLKEM768)}),
	                 NS_KEX_MLKEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sntrup_agree),
	    cmocka_unit_test(test_sntrup_refused),
	    cmocka_unit_test(test_mlkem_agree),
	    cmocka_unit_test(test_names),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
