/* A seeded ChaCha20 stream as the random source of tests and fuzzers:
 * key = BLAKE2b(seed, stream), block counter advancing per 64 bytes. */
#include "lib_rng.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void ns_test_rng_init(ns_test_rng *r, uint64_t seed, uint32_t stream)
{
	uint8_t in[12];

	memcpy(in, &seed, 8);
	memcpy(in + 8, &stream, 4);
	crypto_generichash(r->key, sizeof(r->key), in, sizeof(in), NULL, 0);
	r->block = 0;
}

void ns_test_rng_fill(void *ctx, uint8_t *buf, size_t len)
{
	ns_test_rng *r = ctx;
	static const uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	size_t blocks = (len + 63) / 64;

	memset(buf, 0, len);
	crypto_stream_chacha20_xor_ic(buf, buf, len, nonce, r->block, r->key);
	r->block += blocks; /* a partial block's rest is skipped */
}

void ns_test_rng_key(ns_test_rng *r, ns_key *k, const char *comment)
{
	uint8_t seed[crypto_sign_SEEDBYTES];

	memset(k, 0, sizeof(*k));
	ns_test_rng_fill(r, seed, sizeof(seed));
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	k->has_sk = 1;
	snprintf(k->comment, sizeof(k->comment), "%s", comment);
	sodium_memzero(seed, sizeof(seed));
}
