/* ecdsa-sha2-nistp256 (RFC 5656): point validation and verification with
 * BearSSL. The SSH signature body is mpint r || mpint s; BearSSL wants the
 * raw form r || s, each 32 bytes big-endian, so r and s are checked to be
 * positive, minimally encoded and at most 32 bytes before they are copied. */
#include <bearssl.h>
#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "sig.h"

int ns_sig_p256_point_ok(ns_str q)
{
	uint8_t copy[NS_P256_POINT_LEN];
	static const uint8_t one[1] = {1};

	if (q.len != NS_P256_POINT_LEN || q.p[0] != 0x04) {
		return 0;
	}
	/* mul decodes the point and fails when it is not on the curve */
	memcpy(copy, q.p, sizeof(copy));
	return br_ec_p256_m31.mul(copy, sizeof(copy), one, sizeof(one), BR_EC_secp256r1) == 1;
}

/* One mpint scalar into 32 big-endian bytes: positive, no needless zero. */
static int read_scalar(ns_rd *r, uint8_t out[NS_P256_SCALAR_LEN])
{
	ns_str v;

	if (ns_rd_string_max(r, NS_P256_SCALAR_LEN + 1, &v) != 0 || v.len == 0) {
		return NS_ERR_FORMAT;
	}
	if ((v.p[0] & 0x80) || (v.p[0] == 0 && (v.len == 1 || !(v.p[1] & 0x80)))) {
		return NS_ERR_FORMAT; /* negative, zero, or a leading zero not needed */
	}
	if (v.p[0] == 0) {
		v.p++;
		v.len--;
	}
	if (v.len > NS_P256_SCALAR_LEN) {
		return NS_ERR_FORMAT;
	}
	memset(out, 0, NS_P256_SCALAR_LEN);
	memcpy(out + NS_P256_SCALAR_LEN - v.len, v.p, v.len);
	return 0;
}

int ns_sig_ecdsa_verify(ns_str q, ns_str sig, const uint8_t *msg, size_t len)
{
	uint8_t raw[2 * NS_P256_SCALAR_LEN], h[crypto_hash_sha256_BYTES];
	br_ec_public_key pk;
	ns_rd r;

	ns_rd_init(&r, sig.p, sig.len);
	if (read_scalar(&r, raw) != 0 ||                      /* mpint r */
	    read_scalar(&r, raw + NS_P256_SCALAR_LEN) != 0 || /* mpint s */
	    ns_rd_end(&r) != 0) {
		return NS_ERR_FORMAT;
	}
	crypto_hash_sha256(h, msg, len);
	pk.curve = BR_EC_secp256r1;
	pk.q = (unsigned char *)(uintptr_t)q.p;
	pk.qlen = q.len;
	/* BearSSL refuses r or s of 0 or >= the group order */
	return br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, h, sizeof(h), &pk, raw, sizeof(raw)) == 1
	           ? 0
	           : NS_ERR_SIGNATURE;
}
