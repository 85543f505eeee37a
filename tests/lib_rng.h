/* A seeded source of random bytes for tests and fuzzers: the same seed and
 * stream give the same bytes, so an engine pair can replay a connection
 * byte for byte (ns_engine_config.random). Never for real keys. */
#ifndef NS_TESTS_LIB_RNG_H
#define NS_TESTS_LIB_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "nullspace/keys.h"

typedef struct ns_test_rng {
	uint8_t key[32];
	uint64_t block; /* next ChaCha20 block */
} ns_test_rng;

/* Stream number `stream` of seed `seed` (streams are independent). */
void ns_test_rng_init(ns_test_rng *r, uint64_t seed, uint32_t stream);
/* ns_engine_config.random: ctx is an ns_test_rng. */
void ns_test_rng_fill(void *ctx, uint8_t *buf, size_t len);
/* An ed25519 key pair drawn from r. */
void ns_test_rng_key(ns_test_rng *r, ns_key *k, const char *comment);

#endif
