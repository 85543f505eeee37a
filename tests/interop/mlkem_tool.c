/* Our ML-KEM-768 on the command line, hex in and out, for
 * tests/interop/mlkem_noble.sh: "keygen SEED64" prints pk and sk (d || z
 * from the seed), "enc PK M32" prints ct and ss, "dec SK CT" prints ss.
 * Built by that script from core/'s sources. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "mlkem768.h"

void ns_random_default(void *ctx, uint8_t *buf, size_t len);
void ns_random_default(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}

static const uint8_t *given;

static void given_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	memcpy(buf, given, len);
}

static int unhex(const char *h, uint8_t *out, size_t want)
{
	size_t n = 0;

	return sodium_hex2bin(out, want, h, strlen(h), NULL, &n, NULL) == 0 && n == want ? 0 : -1;
}

static void put(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		printf("%02x", p[i]);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	static uint8_t pk[NS_MLKEM768_PK_LEN], sk[NS_MLKEM768_SK_LEN], ct[NS_MLKEM768_CT_LEN];
	uint8_t seed[64], ss[32];

	if (sodium_init() < 0 || argc < 3) {
		return 2;
	}
	if (strcmp(argv[1], "keygen") == 0 && unhex(argv[2], seed, 64) == 0) {
		given = seed;
		ns_mlkem768_keypair(given_random, NULL, pk, sk);
		put(pk, sizeof(pk));
		put(sk, sizeof(sk));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "enc") == 0 && unhex(argv[2], pk, sizeof(pk)) == 0 &&
	    unhex(argv[3], seed, 32) == 0) {
		given = seed;
		if (ns_mlkem768_enc(given_random, NULL, ct, ss, pk) != 0) {
			printf("refused\n");
			return 1;
		}
		put(ct, sizeof(ct));
		put(ss, sizeof(ss));
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "dec") == 0 && unhex(argv[2], sk, sizeof(sk)) == 0 &&
	    unhex(argv[3], ct, sizeof(ct)) == 0) {
		ns_mlkem768_dec(ss, ct, sk);
		put(ss, sizeof(ss));
		return 0;
	}
	return 2;
}
