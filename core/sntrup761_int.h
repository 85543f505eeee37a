/* sntrup761 internals shared by the KEM (sntrup761.c) and its polynomial
 * arithmetic (sntrup761_poly.c): parameters and the ring operations. */
#ifndef NS_CORE_SNTRUP761_INT_H
#define NS_CORE_SNTRUP761_INT_H

#include "sntrup761.h"

#define SNTRUP_P 761
#define SNTRUP_Q 4591
#define SNTRUP_W 286
#define SNTRUP_Q12 ((SNTRUP_Q - 1) / 2)

/* R/q: coefficients in -Q12..Q12; R/3 ("small"): -1..1. */
int16_t ns_sntrup_fq(int32_t x);
int8_t ns_sntrup_f3(int32_t x);
/* h = f * g in R/q. */
void ns_sntrup_rq_mult_small(int16_t *h, const int16_t *f, const int8_t *g);
/* h = f * g in R/3. */
void ns_sntrup_r3_mult(int8_t *h, const int8_t *f, const int8_t *g);
/* out = 1/in in R/3; 0, or -1 when in is not invertible. */
int ns_sntrup_r3_recip(int8_t *out, const int8_t *in);
/* out = 1/(3 in) in R/q; 0, or -1 when not invertible. */
int ns_sntrup_rq_recip3(int16_t *out, const int8_t *in);
/* 0 when x != 0 is false ... masks: -1 when x != 0, else 0. */
int ns_sntrup_nonzero_mask(int32_t x);

#endif
