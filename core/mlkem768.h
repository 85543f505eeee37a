/* ML-KEM-768 (FIPS 203, k=3 eta1=eta2=2 du=10 dv=4): the KEM under
 * mlkem768x25519-sha256. Constant time: no branch or table index depends on
 * a secret; secrets are wiped before return. */
#ifndef NS_CORE_MLKEM768_H
#define NS_CORE_MLKEM768_H

#include <stddef.h>
#include <stdint.h>

#include "random.h"

#define NS_MLKEM768_PK_LEN 1184
#define NS_MLKEM768_SK_LEN 2400
#define NS_MLKEM768_CT_LEN 1088
#define NS_MLKEM768_SS_LEN 32

/* A key pair from 64 random bytes (d || z) drawn from rnd in one call
 * (NULL: ns_random_default). */
void ns_mlkem768_keypair(ns_random_fn rnd, void *ctx, uint8_t pk[NS_MLKEM768_PK_LEN],
                         uint8_t sk[NS_MLKEM768_SK_LEN]);
/* Encapsulate to pk (32 random bytes m from rnd). NS_ERR_CRYPTO when pk
 * fails FIPS 203's modulus check (a coefficient >= q): the encapsulation
 * key is refused, nothing is written. */
int ns_mlkem768_enc(ns_random_fn rnd, void *ctx, uint8_t ct[NS_MLKEM768_CT_LEN],
                    uint8_t ss[NS_MLKEM768_SS_LEN], const uint8_t pk[NS_MLKEM768_PK_LEN]);
/* Decapsulate (implicit rejection: a bad ct gives J(z || ct), no error). */
void ns_mlkem768_dec(uint8_t ss[NS_MLKEM768_SS_LEN], const uint8_t ct[NS_MLKEM768_CT_LEN],
                     const uint8_t sk[NS_MLKEM768_SK_LEN]);

#endif
