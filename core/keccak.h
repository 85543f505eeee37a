/* Keccak-f[1600] sponge (FIPS 202): SHA3-256, SHA3-512, SHAKE128 and
 * SHAKE256, for ML-KEM (libsodium 1.0.18 has no SHA-3). */
#ifndef NS_CORE_KECCAK_H
#define NS_CORE_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#define NS_SHAKE128_RATE 168
#define NS_SHAKE256_RATE 136
#define NS_SHA3_256_RATE 136
#define NS_SHA3_512_RATE 72

typedef struct ns_keccak {
	uint64_t s[25];
	size_t rate, pos;
	uint8_t pad; /* 0x06 SHA-3, 0x1f SHAKE */
	int squeezing;
} ns_keccak;

void ns_keccak_init(ns_keccak *k, size_t rate, uint8_t pad);
void ns_keccak_absorb(ns_keccak *k, const uint8_t *in, size_t n);
/* The first call pads and ends absorbing. */
void ns_keccak_squeeze(ns_keccak *k, uint8_t *out, size_t n);
void ns_shake128_init(ns_keccak *k);
void ns_shake256_init(ns_keccak *k);

void ns_sha3_256(uint8_t out[32], const uint8_t *in, size_t n);
void ns_sha3_512(uint8_t out[64], const uint8_t *in, size_t n);
void ns_shake256(uint8_t *out, size_t outlen, const uint8_t *in, size_t n);

#endif
