/* core/keccak.c: SHA3-256, SHA3-512, SHAKE128 and SHAKE256 against Python's
 * hashlib (tests/kat/keccak.h) at lengths around each rate; SHAKE128
 * squeezed in uneven pieces gives the same stream. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kat/keccak.h"
#include "keccak.h"

static void hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(out + 2 * i, 3, "%02x", p[i]);
	}
}

static void test_vectors(void **state)
{
	uint8_t in[400], out[200];
	char h[401];
	size_t v, i;
	ns_keccak k;

	(void)state;
	for (v = 0; v < sizeof(kat_keccak_vectors) / sizeof(kat_keccak_vectors[0]); v++) {
		const kat_keccak *t = &kat_keccak_vectors[v];

		for (i = 0; i < t->len; i++) {
			in[i] = (uint8_t)(i * 7 + 1);
		}
		ns_sha3_256(out, in, t->len);
		hex(out, 32, h);
		assert_string_equal(h, t->sha3_256);
		ns_sha3_512(out, in, t->len);
		hex(out, 64, h);
		assert_string_equal(h, t->sha3_512);
		ns_shake256(out, 200, in, t->len);
		hex(out, 200, h);
		assert_string_equal(h, t->shake256_200);
		ns_shake128_init(&k); /* absorbed in two parts, squeezed in three */
		ns_keccak_absorb(&k, in, t->len / 3);
		ns_keccak_absorb(&k, in + t->len / 3, t->len - t->len / 3);
		ns_keccak_squeeze(&k, out, 1);
		ns_keccak_squeeze(&k, out + 1, 167);
		ns_keccak_squeeze(&k, out + 168, 32);
		hex(out, 200, h);
		assert_string_equal(h, t->shake128_200);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
