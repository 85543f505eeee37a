/* sntrup761 encodings (NTRU Prime specification, "Encode"/"Decode"): the
 * mixed-radix packing of R/q elements (public keys) and rounded elements
 * (ciphertexts), with constant-time division by the public moduli. */
#include "sntrup761_code.h"

#include <sodium.h>

/* x = q m + r for 0 < m < 16384, without a division by x: m is public,
 * x may be secret. */
static void divmod14(uint32_t *quot, uint16_t *rem, uint32_t x, uint16_t m)
{
	uint32_t v = 0x80000000u / m, qpart, mask;

	*quot = 0;
	qpart = (uint32_t)(((uint64_t)x * v) >> 31);
	x -= qpart * m;
	*quot += qpart;
	qpart = (uint32_t)(((uint64_t)x * v) >> 31);
	x -= qpart * m;
	*quot += qpart;
	x -= m;
	*quot += 1;
	mask = 0 - (x >> 31);
	x += mask & (uint32_t)m;
	*quot += mask;
	*rem = (uint16_t)x;
}

static uint16_t mod14(uint32_t x, uint16_t m)
{
	uint32_t quot;
	uint16_t rem;

	divmod14(&quot, &rem, x, m);
	return rem;
}

/* R[i] < M[i] <= 16384; out gets the packed bytes; len >= 1. R and M are
 * overwritten (the pairs merged in place). */
size_t ns_sntrup_encode(uint8_t *out, uint16_t *R, uint16_t *M, size_t len)
{
	uint8_t *start = out;

	while (len > 1) {
		size_t i, half = (len + 1) / 2;

		for (i = 0; i + 1 < len; i += 2) {
			uint32_t m0 = M[i], r = R[i] + R[i + 1] * m0, m = M[i + 1] * m0;

			while (m >= 16384) {
				*out++ = (uint8_t)r;
				r >>= 8;
				m = (m + 255) >> 8;
			}
			R[i / 2] = (uint16_t)r;
			M[i / 2] = (uint16_t)m;
		}
		if (i < len) {
			R[i / 2] = R[i];
			M[i / 2] = M[i];
		}
		len = half;
	}
	{
		uint16_t r = R[0], m = M[0];

		while (m > 1) {
			*out++ = (uint8_t)r;
			r >>= 8;
			m = (uint16_t)((m + 255) >> 8);
		}
	}
	return (size_t)(out - start);
}

#define DEC_MAX 761
/* The recursion of the specification's Decode, one level a call. */
static void decode(uint16_t *out, const uint8_t *S, const uint16_t *M, size_t len)
{
	uint16_t R2[(DEC_MAX + 1) / 2], M2[(DEC_MAX + 1) / 2] = {0}, bottomr[DEC_MAX / 2];
	uint32_t bottomt[DEC_MAX / 2];
	size_t i;

	if (len == 1) {
		if (M[0] == 1) {
			*out = 0;
		} else if (M[0] <= 256) {
			*out = mod14(S[0], M[0]);
		} else {
			*out = mod14(S[0] + ((uint32_t)S[1] << 8), M[0]);
		}
		return;
	}
	for (i = 0; i + 1 < len; i += 2) {
		uint32_t m = M[i] * (uint32_t)M[i + 1];

		if (m > 256 * 16383) {
			bottomt[i / 2] = 256 * 256;
			bottomr[i / 2] = (uint16_t)(S[0] + 256 * S[1]);
			S += 2;
			M2[i / 2] = (uint16_t)((((m + 255) >> 8) + 255) >> 8);
		} else if (m >= 16384) {
			bottomt[i / 2] = 256;
			bottomr[i / 2] = S[0];
			S += 1;
			M2[i / 2] = (uint16_t)((m + 255) >> 8);
		} else {
			bottomt[i / 2] = 1;
			bottomr[i / 2] = 0;
			M2[i / 2] = (uint16_t)m;
		}
	}
	if (i < len) {
		M2[i / 2] = M[i];
	}
	decode(R2, S, M2, (len + 1) / 2);
	for (i = 0; i + 1 < len; i += 2) {
		uint32_t r = bottomr[i / 2] + bottomt[i / 2] * R2[i / 2], r1;
		uint16_t r0;

		divmod14(&r1, &r0, r, M[i]);
		r1 = mod14(r1, M[i + 1]); /* only for invalid input */
		*out++ = r0;
		*out++ = (uint16_t)r1;
	}
	if (i < len) {
		*out++ = R2[i / 2];
	}
}

void ns_sntrup_decode(uint16_t *out, const uint8_t *S, const uint16_t *M, size_t len)
{
	decode(out, S, M, len);
}
