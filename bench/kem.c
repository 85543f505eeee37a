/* Per-operation cost of the hybrid kex parts, as a yardstick for
 * bench/kex.sh: microseconds per key generation, encapsulation and
 * decapsulation of sntrup761 and ML-KEM-768, and per X25519 (keygen +
 * shared secret, what curve25519-sha256 costs each side). Built by
 * bench/kex.sh at -O2 from core/'s sources. Usage: kem [SECONDS per row]. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mlkem768.h"
#include "sntrup761.h"

void ns_random_default(void *ctx, uint8_t *buf, size_t len);
void ns_random_default(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t pk[NS_MLKEM768_SK_LEN], sk[NS_MLKEM768_SK_LEN], ct[NS_MLKEM768_SK_LEN], ss[64];

#define ROW(name, op)                                                                              \
	do {                                                                                       \
		double t0 = now(), t;                                                              \
		long n = 0;                                                                        \
		do {                                                                               \
			op;                                                                        \
			n++;                                                                       \
		} while ((t = now() - t0) < budget);                                               \
		printf("%-22s %9.1f us/op\n", name, 1e6 * t / (double)n);                          \
	} while (0)

int main(int argc, char **argv)
{
	double budget = argc > 1 ? atof(argv[1]) : 1.0;

	if (sodium_init() < 0) {
		return 1;
	}
	ROW("x25519 keygen+shared",
	    (crypto_scalarmult_base(pk, sk), (void)!crypto_scalarmult(ss, sk, pk)));
	ns_sntrup761_keypair(NULL, NULL, pk, sk);
	ROW("sntrup761 keygen", ns_sntrup761_keypair(NULL, NULL, pk, sk));
	ROW("sntrup761 enc", ns_sntrup761_enc(NULL, NULL, ct, ss, pk));
	ROW("sntrup761 dec", ns_sntrup761_dec(ss, ct, sk));
	ns_mlkem768_keypair(NULL, NULL, pk, sk);
	ROW("mlkem768 keygen", ns_mlkem768_keypair(NULL, NULL, pk, sk));
	ROW("mlkem768 enc", (void)ns_mlkem768_enc(NULL, NULL, ct, ss, pk));
	ROW("mlkem768 dec", ns_mlkem768_dec(ss, ct, sk));
	return 0;
}
