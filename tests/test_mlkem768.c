/* core/mlkem768*.c: the NIST-DRBG known answer (count 0; the SHA-256 of
 * liboqs' single-vector .kat file, tests/KATs/kem/kats.json "ML-KEM-768"
 * "single", FIPS 203 final), round trips, implicit rejection giving
 * J(z || c) exactly, the encapsulation key's modulus check, and NTT
 * followed by its inverse giving back the polynomial. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "keccak.h"
#include "lib_kem.h"
#include "mlkem768_int.h"
#include "nullspace/error.h"

/* liboqs tests/KATs/kem/kats.json, "ML-KEM-768": "single". */
static const char kat_single_sha256[] =
    "5352539586b6c3df58be6158a6250aeff402bd73060b0a3de68850ac074c17c3";
static const char kat_ss[] = "AC865F839FEF1BF3D528DD7504BED2F64B5502B0FA81D1C32763658E4AAC5037";

static uint8_t pk[NS_MLKEM768_PK_LEN], sk[NS_MLKEM768_SK_LEN], ct[NS_MLKEM768_CT_LEN];

static void test_kat(void **state)
{
	char hex[65], ss_hex[65];

	(void)state;
	ns_test_kem_kat(&ns_test_mlkem768, pk, sk, ct, hex, ss_hex);
	assert_string_equal(ss_hex, kat_ss);
	assert_string_equal(hex, kat_single_sha256);
}

static void test_round_trip_and_rejection(void **state)
{
	uint8_t ss[32], ss2[32], jz[32];
	ns_keccak j;
	int k, bit;

	(void)state;
	for (k = 0; k < 3; k++) {
		ns_mlkem768_keypair(NULL, NULL, pk, sk);
		assert_int_equal(ns_mlkem768_enc(NULL, NULL, ct, ss, pk), 0);
		ns_mlkem768_dec(ss2, ct, sk);
		assert_memory_equal(ss, ss2, 32);
		for (bit = 0; bit < 8 * NS_MLKEM768_CT_LEN; bit += 1231) {
			ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			ns_mlkem768_dec(ss2, ct, sk);
			ns_shake256_init(&j); /* J(z || c), z the last 32 bytes of sk */
			ns_keccak_absorb(&j, sk + NS_MLKEM768_SK_LEN - 32, 32);
			ns_keccak_absorb(&j, ct, sizeof(ct));
			ns_keccak_squeeze(&j, jz, sizeof(jz));
			assert_memory_equal(ss2, jz, 32);
			ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		}
	}
}

/* FIPS 203 7.2: a coefficient >= q in ek is refused, nothing written. */
static void test_modulus_check(void **state)
{
	uint8_t ss[32];

	(void)state;
	ns_mlkem768_keypair(NULL, NULL, pk, sk);
	pk[300] = 0xff; /* the low 12 bits of a coefficient: 0xfff or 0x?ff */
	pk[301] |= 0x0f;
	memset(ct, 0x33, sizeof(ct));
	assert_int_equal(ns_mlkem768_enc(NULL, NULL, ct, ss, pk), NS_ERR_CRYPTO);
	assert_int_equal(ct[0], 0x33);
	pk[300] = 0; /* q - 1 = 0xd00 is fine */
	pk[301] = (uint8_t)((pk[301] & 0xf0) | 0x0d);
	assert_int_equal(ns_mlkem768_enc(NULL, NULL, ct, ss, pk), 0);
}

static void test_ntt_inverse(void **state)
{
	ns_mlkem_poly f, g;
	int i;

	(void)state;
	for (i = 0; i < MLKEM_N; i++) {
		f.c[i] = (uint16_t)(randombytes_uniform(MLKEM_Q));
	}
	g = f;
	ns_mlkem_ntt(&g);
	ns_mlkem_invntt(&g);
	assert_memory_equal(f.c, g.c, sizeof(f.c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kat),
	    cmocka_unit_test(test_round_trip_and_rejection),
	    cmocka_unit_test(test_modulus_check),
	    cmocka_unit_test(test_ntt_inverse),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
