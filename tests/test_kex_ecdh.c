/* core/kex_ecdh.c: the P-256 shared secret against Python's cryptography
 * (tests/kat/p256.h), as the mpint that H and the KDF take; fresh key pairs
 * agreeing both ways for each method; and the peer values refused: wrong
 * length, compressed or unprefixed points, points off the curve, the point
 * at infinity, X25519's low-order points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "kat/p256.h"
#include "kex_ecdh.h"
#include "kexinit.h"
#include "nullspace/error.h"

/* mpint of a 32-byte big-endian value, written out by hand (RFC 4251 5). */
static size_t mpint_of(const uint8_t x[32], uint8_t out[NS_KEX_MPINT_MAX])
{
	size_t skip = 0, n;

	while (skip < 32 && x[skip] == 0) {
		skip++;
	}
	n = 32 - skip + (skip < 32 && (x[skip] & 0x80) ? 1 : 0);
	out[0] = out[1] = out[2] = 0;
	out[3] = (uint8_t)n;
	out[4] = 0;
	memcpy(out + 4 + n - (32 - skip), x + skip, 32 - skip);
	return 4 + n;
}

static void test_p256_kat(void **state)
{
	uint8_t kmp[NS_KEX_MPINT_MAX], want[NS_KEX_MPINT_MAX];
	size_t len, wlen = mpint_of(kat_p256_x, want);

	(void)state;
	assert_int_equal(ns_kex_shared(NS_KEX_P256, kat_p256_scalar, kat_p256_peer,
	                               sizeof(kat_p256_peer), kmp, &len),
	                 0);
	assert_int_equal(len, wlen);
	assert_memory_equal(kmp, want, wlen);
}

static void agree(int method, size_t pub_len)
{
	uint8_t sa[32], sb[32], pa[NS_KEX_PUB_MAX], pb[NS_KEX_PUB_MAX];
	uint8_t ka[NS_KEX_MPINT_MAX], kb[NS_KEX_MPINT_MAX];
	size_t la, lb, i;

	for (i = 0; i < 50; i++) {
		assert_int_equal(ns_kex_keygen(method, NULL, NULL, sa, pa, &la), 0);
		assert_int_equal(ns_kex_keygen(method, NULL, NULL, sb, pb, &lb), 0);
		assert_int_equal(la, pub_len);
		assert_int_equal(lb, pub_len);
		assert_int_equal(ns_kex_shared(method, sa, pb, lb, ka, &la), 0);
		assert_int_equal(ns_kex_shared(method, sb, pa, pub_len, kb, &lb), 0);
		assert_int_equal(la, lb);
		assert_memory_equal(ka, kb, la);
		assert_true(la >= 4 + 31 && la <= NS_KEX_MPINT_MAX);
	}
}

static void test_agree(void **state)
{
	uint8_t s[32], p[NS_KEX_PUB_MAX];
	size_t n;

	(void)state;
	agree(NS_KEX_P256, NS_KEX_P256_PUB_LEN);
	agree(NS_KEX_X25519, NS_KEX_X25519_PUB_LEN);
	assert_int_equal(ns_kex_keygen(NS_KEX_P256, NULL, NULL, s, p, &n), 0);
	assert_int_equal(p[0], 0x04);
	assert_int_equal(ns_kex_keygen(NS_KEX_NONE, NULL, NULL, s, p, &n), NS_ERR_INVALID);
}

static void test_p256_bad_points(void **state)
{
	uint8_t pt[NS_KEX_P256_PUB_LEN + 1], kmp[NS_KEX_MPINT_MAX];
	size_t len;

	(void)state;
	memcpy(pt, kat_p256_peer, NS_KEX_P256_PUB_LEN);
	pt[NS_KEX_P256_PUB_LEN] = 0;
	/* wrong lengths */
	assert_int_equal(ns_kex_shared(NS_KEX_P256, kat_p256_scalar, pt, 64, kmp, &len),
	                 NS_ERR_CRYPTO);
	assert_int_equal(ns_kex_shared(NS_KEX_P256, kat_p256_scalar, pt, 66, kmp, &len),
	                 NS_ERR_CRYPTO);
	assert_int_equal(ns_kex_shared(NS_KEX_P256, kat_p256_scalar, pt, 33, kmp, &len),
	                 NS_ERR_CRYPTO);
	/* compressed form and no prefix */
	pt[0] = 0x02;
	assert_int_equal(ns_kex_shared(NS_KEX_P256, kat_p256_scalar, pt, 65, kmp, &len),
	                 NS_ERR_CRYPTO);
	pt[0] = 0x00;
	assert_int_equal(ns_kex_shared(NS_KEX_P256, kat_p256_scalar, pt, 65, kmp, &len),
	                 NS_ERR_CRYPTO);
	/* off the curve: Y changed */
	pt[0] = 0x04;
	pt[64] ^= 1;
	assert_int_equal(ns_kex_shared(NS_KEX_P256, kat_p256_scalar, pt, 65, kmp, &len),
	                 NS_ERR_CRYPTO);
	assert_int_equal(len, 0);
	/* the point at infinity as zeros, and coordinates of all ones (>= p) */
	memset(pt + 1, 0, 64);
	assert_int_equal(ns_kex_shared(NS_KEX_P256, kat_p256_scalar, pt, 65, kmp, &len),
	                 NS_ERR_CRYPTO);
	memset(pt + 1, 0xff, 64);
	assert_int_equal(ns_kex_shared(NS_KEX_P256, kat_p256_scalar, pt, 65, kmp, &len),
	                 NS_ERR_CRYPTO);
	/* the right point still works */
	assert_int_equal(ns_kex_shared(NS_KEX_P256, kat_p256_scalar, kat_p256_peer, 65, kmp, &len),
	                 0);
}

static void test_x25519_bad(void **state)
{
	static const uint8_t zero[33];
	uint8_t s[32], p[NS_KEX_PUB_MAX], kmp[NS_KEX_MPINT_MAX];
	size_t len;

	(void)state;
	assert_int_equal(ns_kex_keygen(NS_KEX_X25519, NULL, NULL, s, p, &len), 0);
	assert_int_equal(ns_kex_shared(NS_KEX_X25519, s, zero, 32, kmp, &len), NS_ERR_CRYPTO);
	assert_int_equal(ns_kex_shared(NS_KEX_X25519, s, p, 31, kmp, &len), NS_ERR_CRYPTO);
	assert_int_equal(ns_kex_shared(NS_KEX_X25519, s, zero, 33, kmp, &len), NS_ERR_CRYPTO);
	assert_int_equal(ns_kex_shared(NS_KEX_X25519, s, kat_p256_peer, 65, kmp, &len),
	                 NS_ERR_CRYPTO);
	assert_int_equal(ns_kex_shared(NS_KEX_NONE, s, p, 32, kmp, &len), NS_ERR_INVALID);
}

static void test_method_names(void **state)
{
	(void)state;
	assert_int_equal(ns_kex_method_by_name((ns_str){(const uint8_t *)"ecdh-sha2-nistp256", 18}),
	                 NS_KEX_P256);
	assert_int_equal(ns_kex_method_by_name((ns_str){(const uint8_t *)"curve25519-sha256", 17}),
	                 NS_KEX_X25519);
	assert_int_equal(ns_kex_method_by_name((ns_str){(const uint8_t *)"ecdh-sha2-nistp384", 18}),
	                 NS_KEX_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_p256_kat),        cmocka_unit_test(test_agree),
	    cmocka_unit_test(test_p256_bad_points), cmocka_unit_test(test_x25519_bad),
	    cmocka_unit_test(test_method_names),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
