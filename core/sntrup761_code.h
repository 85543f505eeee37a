/* sntrup761 mixed-radix encoding (sntrup761_code.c). */
#ifndef NS_CORE_SNTRUP761_CODE_H
#define NS_CORE_SNTRUP761_CODE_H

#include <stddef.h>
#include <stdint.h>

/* Pack R (R[i] < M[i] < 16384) into out; returns the bytes written. R and
 * M are used as scratch. */
size_t ns_sntrup_encode(uint8_t *out, uint16_t *R, uint16_t *M, size_t len);
/* Unpack len values of moduli M from S (len <= 761). */
void ns_sntrup_decode(uint16_t *out, const uint8_t *S, const uint16_t *M, size_t len);

#endif
