/* core/sntrup761*.c: the NIST KAT (count 0, seeded by the NIST DRBG; the
 * SHA-256 of liboqs' single-vector .kat file, tests/KATs/kem/kats.json
 * "sntrup761" "single"), round trips, implicit rejection of altered
 * ciphertexts, the constant-time reductions against % and the sorting
 * network against qsort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "lib_kem.h"
#include "sntrup761.h"

/* liboqs tests/KATs/kem/kats.json, "sntrup761": "single". */
static const char kat_single_sha256[] =
    "afc42c3a5b10f4ef69654250097ebda9b9564570f4086744b24a6daf2bd1f89a";
static const char kat_ss[] = "337B787540BF55F8F9933A0880F1FB1CE00855C7FEACD55FAACA1926FC174202";

static uint8_t pk[NS_SNTRUP761_PK_LEN], sk[NS_SNTRUP761_SK_LEN], ct[NS_SNTRUP761_CT_LEN];

static void test_kat(void **state)
{
	char hex[65], ss_hex[65];

	(void)state;
	ns_test_kem_kat(&ns_test_sntrup761, pk, sk, ct, hex, ss_hex);
	assert_string_equal(ss_hex, kat_ss);
	assert_string_equal(hex, kat_single_sha256);
}

/* Fresh pairs agree; any flipped ciphertext bit gives another key (and no
 * error: implicit rejection), the same one each time. */
static void test_round_trip_and_rejection(void **state)
{
	uint8_t ss[32], ss2[32], ss3[32];
	int k, bit;

	(void)state;
	for (k = 0; k < 3; k++) {
		ns_sntrup761_keypair(NULL, NULL, pk, sk);
		ns_sntrup761_enc(NULL, NULL, ct, ss, pk);
		ns_sntrup761_dec(ss2, ct, sk);
		assert_memory_equal(ss, ss2, 32);
		for (bit = 0; bit < 8 * NS_SNTRUP761_CT_LEN; bit += 997) {
			ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			ns_sntrup761_dec(ss2, ct, sk);
			ns_sntrup761_dec(ss3, ct, sk);
			assert_memory_not_equal(ss, ss2, 32);
			assert_memory_equal(ss2, ss3, 32);
			ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
	}
}

static void test_freeze(void **state)
{
	int32_t x;

	(void)state;
	for (x = -(1 << 26) + 1; x < (1 << 26); x += 7919) {
		int32_t mq = ((x % 4591) + 4591 + 2295) % 4591 - 2295;
		int32_t m3 = ((x % 3) + 3 + 1) % 3 - 1;

		assert_int_equal(ns_sntrup761_freeze_q(x), mq);
		assert_int_equal(ns_sntrup761_freeze_3(x), m3);
	}
	for (x = -3 * 4591; x <= 3 * 4591; x++) { /* every residue, both signs */
		assert_int_equal(ns_sntrup761_freeze_q(x),
		                 ((x % 4591) + 4591 + 2295) % 4591 - 2295);
		assert_int_equal(ns_sntrup761_freeze_3(x), ((x % 3) + 3 + 1) % 3 - 1);
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void test_sort(void **state)
{
	static uint32_t a[1024], b[1024];
	size_t n, i;

	(void)state;
	for (n = 0; n <= 1024; n += n < 40 ? 1 : 61) {
		for (i = 0; i < n; i++) {
			a[i] = b[i] = n % 2 ? randombytes_random() : randombytes_random() % 5;
		}
		ns_sntrup761_sort(a, n);
		qsort(b, n, sizeof(b[0]), cmp_u32);
		assert_memory_equal(a, b, n * sizeof(a[0]) + (n == 0));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kat),
	    cmocka_unit_test(test_round_trip_and_rejection),
	    cmocka_unit_test(test_freeze),
	    cmocka_unit_test(test_sort),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
