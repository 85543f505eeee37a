/* Constant-time check of the KEMs under valgrind memcheck (ctgrind style):
 * every random byte and the secret key are marked undefined, so a branch or
 * a memory index that depends on them is reported as a use of uninitialised
 * memory. Outputs are declassified before they are compared. Key
 * generation is left out: sntrup761's retry loop on a non-invertible g is
 * public by design (a rejected g is thrown away), and ML-KEM's rejection
 * sampling runs over rho, which ek publishes (it derives from the secret
 * seed, so memcheck cannot tell). Run by tests/checks/ct_valgrind.sh. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "mlkem768.h"
#include "sntrup761.h"

void ns_random_default(void *ctx, uint8_t *buf, size_t len);
void ns_random_default(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
}

static void secret_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
	VALGRIND_MAKE_MEM_UNDEFINED(buf, len);
}

static int check_sntrup761(void)
{
	static uint8_t pk[NS_SNTRUP761_PK_LEN], sk[NS_SNTRUP761_SK_LEN], ct[NS_SNTRUP761_CT_LEN];
	uint8_t ss[32], ss2[32];

	ns_sntrup761_keypair(NULL, NULL, pk, sk);
	VALGRIND_MAKE_MEM_UNDEFINED(sk, sizeof(sk)); /* f, 1/g, rho (and pk, cache) */
	ns_sntrup761_enc(secret_random, NULL, ct, ss, pk);
	ns_sntrup761_dec(ss2, ct, sk);
	VALGRIND_MAKE_MEM_DEFINED(ss, sizeof(ss));
	VALGRIND_MAKE_MEM_DEFINED(ss2, sizeof(ss2));
	if (memcmp(ss, ss2, sizeof(ss)) != 0) {
		return 1;
	}
	ct[7] ^= 4; /* the implicit-rejection path too */
	VALGRIND_MAKE_MEM_DEFINED(ct, sizeof(ct));
	ns_sntrup761_dec(ss2, ct, sk);
	VALGRIND_MAKE_MEM_DEFINED(ss2, sizeof(ss2));
	return memcmp(ss, ss2, sizeof(ss)) == 0;
}

static int check_mlkem768(void)
{
	static uint8_t pk[NS_MLKEM768_PK_LEN], sk[NS_MLKEM768_SK_LEN], ct[NS_MLKEM768_CT_LEN];
	uint8_t ss[32], ss2[32];

	ns_mlkem768_keypair(NULL, NULL, pk, sk);
	/* dk = s_hat (1152) || ek || H(ek) || z: s_hat and z are the secrets */
	VALGRIND_MAKE_MEM_UNDEFINED(sk, 1152);
	VALGRIND_MAKE_MEM_UNDEFINED(sk + NS_MLKEM768_SK_LEN - 32, 32);
	if (ns_mlkem768_enc(secret_random, NULL, ct, ss, pk) != 0) {
		return 1;
	}
	VALGRIND_MAKE_MEM_DEFINED(ct, sizeof(ct));
	ns_mlkem768_dec(ss2, ct, sk);
	VALGRIND_MAKE_MEM_DEFINED(ss, sizeof(ss));
	VALGRIND_MAKE_MEM_DEFINED(ss2, sizeof(ss2));
	if (memcmp(ss, ss2, sizeof(ss)) != 0) {
		return 1;
	}
	ct[7] ^= 4;
	ns_mlkem768_dec(ss2, ct, sk);
	VALGRIND_MAKE_MEM_DEFINED(ss2, sizeof(ss2));
	return memcmp(ss, ss2, sizeof(ss)) == 0;
}

int main(void)
{
	int bad = 0;

	if (sodium_init() < 0) {
		return 2;
	}
	bad |= check_sntrup761();
	printf("sntrup761 enc/dec: %s\n", bad ? "WRONG RESULT" : "ok");
	if (check_mlkem768() != 0) {
		printf("mlkem768 enc/dec: WRONG RESULT\n");
		return 1;
	}
	printf("mlkem768 enc/dec: ok\n");
	return bad;
}
