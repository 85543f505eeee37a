/* The KEMs of the hybrid key exchanges seen alike by their tests: sizes
 * and functions, and the liboqs single-vector known answer (count 0,
 * seeded by the NIST DRBG) computed for any of them. */
#ifndef NS_TESTS_LIB_KEM_H
#define NS_TESTS_LIB_KEM_H

#include <stddef.h>
#include <stdint.h>

#include "random.h"

typedef struct ns_test_kem {
	size_t pk_len, sk_len, ct_len;
	void (*keypair)(ns_random_fn rnd, void *ctx, uint8_t *pk, uint8_t *sk);
	int (*enc)(ns_random_fn rnd, void *ctx, uint8_t *ct, uint8_t *ss, const uint8_t *pk);
	void (*dec)(uint8_t *ss, const uint8_t *ct, const uint8_t *sk);
} ns_test_kem;

extern const ns_test_kem ns_test_mlkem768, ns_test_sntrup761;

/* The SHA-256 of the .kat file liboqs writes for count 0 (lowercase hex)
 * and that vector's shared secret (uppercase hex, as in the file); also
 * checks that decapsulation gives the same secret. pk, sk, ct: buffers of
 * the KEM's sizes, left holding the vector's values. */
void ns_test_kem_kat(const ns_test_kem *k, uint8_t *pk, uint8_t *sk, uint8_t *ct,
                     char sha256_hex[65], char ss_hex[65]);

#endif
