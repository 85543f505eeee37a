/* Streamlined NTRU Prime sntrup761 (NTRU Prime round 3, p=761 q=4591
 * w=286): the KEM under sntrup761x25519-sha512. Constant time: no branch or
 * table index depends on a secret; secrets are wiped before return. */
#ifndef NS_CORE_SNTRUP761_H
#define NS_CORE_SNTRUP761_H

#include <stddef.h>
#include <stdint.h>

#include "random.h"

#define NS_SNTRUP761_PK_LEN 1158
#define NS_SNTRUP761_SK_LEN 1763
#define NS_SNTRUP761_CT_LEN 1039
#define NS_SNTRUP761_SS_LEN 32

/* A key pair; randomness from rnd (NULL: ns_random_default). */
void ns_sntrup761_keypair(ns_random_fn rnd, void *ctx, uint8_t pk[NS_SNTRUP761_PK_LEN],
                          uint8_t sk[NS_SNTRUP761_SK_LEN]);
/* A ciphertext and its session key for pk. Any 1158 bytes decode to some
 * public key, so this cannot fail. */
void ns_sntrup761_enc(ns_random_fn rnd, void *ctx, uint8_t ct[NS_SNTRUP761_CT_LEN],
                      uint8_t ss[NS_SNTRUP761_SS_LEN], const uint8_t pk[NS_SNTRUP761_PK_LEN]);
/* The session key in ct (implicit rejection: a bad ciphertext yields a key
 * derived from the secret rho, never an error, so nothing leaks whether it
 * was valid). */
void ns_sntrup761_dec(uint8_t ss[NS_SNTRUP761_SS_LEN], const uint8_t ct[NS_SNTRUP761_CT_LEN],
                      const uint8_t sk[NS_SNTRUP761_SK_LEN]);

/* Internals exposed for tests: constant-time reduction and sorting. */
int16_t ns_sntrup761_freeze_q(int32_t x); /* x mod q in -2295..2295, |x| < 2^26 */
int8_t ns_sntrup761_freeze_3(int32_t x);  /* x mod 3 in -1..1, |x| < 2^26 */
void ns_sntrup761_sort(uint32_t *x, size_t n);

#endif
