/* ML-KEM internals shared by mlkem768.c and mlkem768_poly.c: polynomials
 * mod q = 3329 with coefficients in 0..q-1. */
#ifndef NS_CORE_MLKEM768_INT_H
#define NS_CORE_MLKEM768_INT_H

#include "mlkem768.h"

#define MLKEM_N 256
#define MLKEM_Q 3329
#define MLKEM_K 3

typedef struct ns_mlkem_poly {
	uint16_t c[MLKEM_N];
} ns_mlkem_poly;

void ns_mlkem_ntt(ns_mlkem_poly *f);
void ns_mlkem_invntt(ns_mlkem_poly *f);
/* h += f * g in the NTT domain (MultiplyNTTs, accumulated). */
void ns_mlkem_basemul_acc(ns_mlkem_poly *h, const ns_mlkem_poly *f, const ns_mlkem_poly *g);
void ns_mlkem_add(ns_mlkem_poly *h, const ns_mlkem_poly *f);
void ns_mlkem_sub(ns_mlkem_poly *h, const ns_mlkem_poly *f); /* h = h - f */
/* SampleNTT from SHAKE128(rho || j || i) (public). */
void ns_mlkem_sample_ntt(ns_mlkem_poly *f, const uint8_t rho[32], uint8_t j, uint8_t i);
/* SamplePolyCBD_2 from PRF_2(sigma, n) = SHAKE256(sigma || n, 128). */
void ns_mlkem_sample_cbd2(ns_mlkem_poly *f, const uint8_t sigma[32], uint8_t n);
/* ByteEncode_d(Compress_d(f)) and Decompress_d(ByteDecode_d(b)), d < 12;
 * d = 12: no compression (decode reduces mod q). */
void ns_mlkem_encode(uint8_t *out, const ns_mlkem_poly *f, int d);
void ns_mlkem_decode(ns_mlkem_poly *f, const uint8_t *in, int d);

#endif
