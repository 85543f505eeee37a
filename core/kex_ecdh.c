/* Ephemeral keys and shared secrets for curve25519-sha256 (libsodium) and
 * ecdh-sha2-nistp256 (BearSSL's constant-time P-256): key generation, peer
 * point validation and the mpint of the shared secret. */
#include "kex_ecdh.h"

#include <bearssl.h>
#include <sodium.h>
#include <string.h>

#include "kexinit.h"
#include "nullspace/error.h"
#include "wire.h"

/* The order n of the P-256 group (FIPS 186-4 D.1.2.3): scalars are 1..n-1. */
static const uint8_t p256_order[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

int ns_kex_method_by_name(ns_str name)
{
	if (ns_str_eq(name, NS_KEX_CURVE25519) || ns_str_eq(name, NS_KEX_CURVE25519_LIBSSH)) {
		return NS_KEX_X25519;
	}
	if (ns_str_eq(name, NS_KEX_ECDH_P256)) {
		return NS_KEX_P256;
	}
	if (ns_str_eq(name, NS_KEX_SNTRUP761) || ns_str_eq(name, NS_KEX_SNTRUP761_OPENSSH)) {
		return NS_KEX_SNTRUP;
	}
	if (ns_str_eq(name, NS_KEX_MLKEM768)) {
		return NS_KEX_MLKEM;
	}
	return NS_KEX_NONE;
}

size_t ns_kex_hash_len(int method)
{
	return method == NS_KEX_SNTRUP ? 64 : 32;
}

/* 1 when 0 < k < n, big endian, without branching on k's bytes. */
static int p256_scalar_ok(const uint8_t k[32])
{
	unsigned lt = 0, eq = 1, nz = 0;
	int i;

	for (i = 0; i < 32; i++) {
		unsigned a = k[i], b = p256_order[i];

		lt |= eq & ((a - b) >> 8 & 1);
		eq &= ((a ^ b) - 1) >> 8 & 1;
		nz |= a;
	}
	return (int)(lt & (nz != 0));
}

static void p256_keygen(ns_random_fn rnd, void *ctx, uint8_t secret[32],
                        uint8_t pub[NS_KEX_PUB_MAX], size_t *pub_len)
{
	const br_ec_impl *ec = br_ec_get_default();

	do {
		rnd(ctx, secret, 32);
	} while (!p256_scalar_ok(secret));
	*pub_len = ec->mulgen(pub, secret, 32, BR_EC_secp256r1);
}

int ns_kex_keygen(int method, ns_random_fn rnd, void *ctx, uint8_t *secret, uint8_t *pub,
                  size_t *pub_len)
{
	if (rnd == NULL) {
		rnd = ns_random_default;
	}
	*pub_len = 0;
	if (method == NS_KEX_SNTRUP || method == NS_KEX_MLKEM) {
		return ns_kex_hybrid_keygen(method, rnd, ctx, secret, pub, pub_len);
	}
	if (method == NS_KEX_X25519) {
		rnd(ctx, secret, NS_KEX_SECRET_LEN);
		crypto_scalarmult_base(pub, secret);
		*pub_len = NS_KEX_X25519_PUB_LEN;
		return 0;
	}
	if (method == NS_KEX_P256) {
		p256_keygen(rnd, ctx, secret, pub, pub_len);
		return *pub_len == NS_KEX_P256_PUB_LEN ? 0 : NS_ERR_CRYPTO;
	}
	return NS_ERR_INVALID;
}

/* x: the 32-byte shared value (big endian). */
static void to_mpint(const uint8_t x[32], uint8_t *kmp, size_t *kmp_len)
{
	ns_buf b;

	ns_buf_init_fixed(&b, kmp, NS_KEX_MPINT_MAX);
	ns_wr_mpint(&b, x, 32);
	*kmp_len = b.len;
}

static int p256_shared(const uint8_t secret[32], const uint8_t *peer, size_t peer_len,
                       uint8_t x[32])
{
	const br_ec_impl *ec = br_ec_get_default();
	uint8_t pt[NS_KEX_P256_PUB_LEN];
	int rc = 0;

	if (peer_len != NS_KEX_P256_PUB_LEN || peer[0] != 0x04) {
		return NS_ERR_CRYPTO; /* only uncompressed points (RFC 5656 3.1) */
	}
	memcpy(pt, peer, sizeof(pt));
	if (ec->mul(pt, sizeof(pt), secret, 32, BR_EC_secp256r1) != 1) {
		rc = NS_ERR_CRYPTO; /* off the curve, or the product is infinity */
	} else {
		memcpy(x, pt + 1, 32);
	}
	sodium_memzero(pt, sizeof(pt));
	return rc;
}

int ns_kex_shared(int method, const uint8_t *secret, const uint8_t *peer, size_t peer_len,
                  uint8_t *kmp, size_t *kmp_len)
{
	uint8_t x[32];
	int rc = NS_ERR_CRYPTO;

	*kmp_len = 0;
	if (method == NS_KEX_SNTRUP || method == NS_KEX_MLKEM) {
		return ns_kex_hybrid_shared(method, secret, peer, peer_len, kmp, kmp_len);
	}
	if (method == NS_KEX_X25519) {
		if (peer_len == NS_KEX_X25519_PUB_LEN && crypto_scalarmult(x, secret, peer) == 0) {
			rc = 0; /* libsodium refuses the all-zero secret: low-order point */
		}
	} else if (method == NS_KEX_P256) {
		rc = p256_shared(secret, peer, peer_len, x);
	} else {
		rc = NS_ERR_INVALID;
	}
	if (rc == 0) {
		to_mpint(x, kmp, kmp_len);
	}
	sodium_memzero(x, sizeof(x));
	return rc;
}

int ns_kex_reply(int method, ns_random_fn rnd, void *ctx, const uint8_t *peer, size_t peer_len,
                 uint8_t *pub, size_t *pub_len, uint8_t *kmp, size_t *kmp_len)
{
	uint8_t secret[NS_KEX_SECRET_LEN];
	int rc;

	*kmp_len = 0;
	if (method == NS_KEX_SNTRUP || method == NS_KEX_MLKEM) {
		return ns_kex_hybrid_reply(method, rnd, ctx, peer, peer_len, pub, pub_len, kmp,
		                           kmp_len);
	}
	if ((rc = ns_kex_keygen(method, rnd, ctx, secret, pub, pub_len)) == 0) {
		rc = ns_kex_shared(method, secret, peer, peer_len, kmp, kmp_len);
	}
	sodium_memzero(secret, sizeof(secret));
	return rc;
}
