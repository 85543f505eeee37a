/* The NIST PQC known-answer DRBG (AES-256 CTR_DRBG of rng.c in the NIST
 * submission packages, as liboqs' OQS_randombytes_nist_kat): the known
 * answers of KEMs are defined over its output. */
#ifndef NS_TESTS_LIB_DRBG_H
#define NS_TESTS_LIB_DRBG_H

#include <stddef.h>
#include <stdint.h>

typedef struct ns_drbg {
	uint8_t key[32], v[16];
} ns_drbg;

void ns_drbg_init(ns_drbg *d, const uint8_t entropy[48]);
/* An ns_random_fn: ctx is an ns_drbg. */
void ns_drbg_random(void *ctx, uint8_t *buf, size_t len);

#endif
