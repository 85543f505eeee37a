/* Hybrid post-quantum key exchange: a KEM with X25519 (OpenSSH's
 * sntrup761x25519-sha512, draft-ietf-sshm-mlkem-hybrid-kex). The client
 * sends its KEM key || X25519 key, the server the ciphertext || its X25519
 * key; K = string(HASH(kem_ss || x25519_ss)) with the method's hash. */
#include <sodium.h>
#include <string.h>

#include "kex_ecdh.h"
#include "kexinit.h"
#include "mlkem768.h"
#include "nullspace/error.h"
#include "sntrup761.h"
#include "wire.h"

typedef struct kem {
	size_t pk_len, sk_len, ct_len;
	int sha512; /* the method's hash: SHA-512, else SHA-256 */
	void (*keypair)(ns_random_fn rnd, void *ctx, uint8_t *pk, uint8_t *sk);
	int (*enc)(ns_random_fn rnd, void *ctx, uint8_t *ct, uint8_t *ss, const uint8_t *pk);
	void (*dec)(uint8_t *ss, const uint8_t *ct, const uint8_t *sk);
} kem;

#define KEM_SS_LEN 32 /* both KEMs' shared secret */

/* Any 1158 bytes decode to an sntrup761 key: encapsulation cannot fail. */
static int sntrup761_enc(ns_random_fn rnd, void *ctx, uint8_t *ct, uint8_t *ss, const uint8_t *pk)
{
	ns_sntrup761_enc(rnd, ctx, ct, ss, pk);
	return 0;
}

static const kem kem_sntrup761 = {NS_SNTRUP761_PK_LEN,  NS_SNTRUP761_SK_LEN, NS_SNTRUP761_CT_LEN, 1,
                                  ns_sntrup761_keypair, sntrup761_enc,       ns_sntrup761_dec};
static const kem kem_mlkem768 = {NS_MLKEM768_PK_LEN,  NS_MLKEM768_SK_LEN, NS_MLKEM768_CT_LEN, 0,
                                 ns_mlkem768_keypair, ns_mlkem768_enc,    ns_mlkem768_dec};

static const kem *kem_of(int method)
{
	if (method == NS_KEX_SNTRUP) {
		return &kem_sntrup761;
	}
	if (method == NS_KEX_MLKEM) {
		return &kem_mlkem768;
	}
	return NULL;
}

int ns_kex_hybrid_keygen(int method, ns_random_fn rnd, void *ctx, uint8_t *secret, uint8_t *pub,
                         size_t *pub_len)
{
	const kem *k = kem_of(method);

	*pub_len = 0;
	if (k == NULL) {
		return NS_ERR_INVALID;
	}
	if (rnd == NULL) {
		rnd = ns_random_default;
	}
	k->keypair(rnd, ctx, pub, secret);
	rnd(ctx, secret + k->sk_len, 32);
	crypto_scalarmult_base(pub + k->pk_len, secret + k->sk_len);
	*pub_len = k->pk_len + 32;
	return 0;
}

/* K = string(HASH(ss || X25519(x_secret, x_peer))); NS_ERR_CRYPTO for a
 * low-order X25519 point (all-zero result). */
static int combine(const kem *k, const uint8_t ss[KEM_SS_LEN], const uint8_t x_secret[32],
                   const uint8_t x_peer[32], uint8_t *kmp, size_t *kmp_len)
{
	uint8_t buf[KEM_SS_LEN + 32], h[64];
	size_t hlen = k->sha512 ? 64 : 32;
	ns_buf b;
	int rc = NS_ERR_CRYPTO;

	memcpy(buf, ss, KEM_SS_LEN);
	if (crypto_scalarmult(buf + KEM_SS_LEN, x_secret, x_peer) == 0) {
		if (k->sha512) {
			crypto_hash_sha512(h, buf, sizeof(buf));
		} else {
			crypto_hash_sha256(h, buf, sizeof(buf));
		}
		ns_buf_init_fixed(&b, kmp, NS_KEX_K_MAX);
		ns_wr_string(&b, h, hlen); /* fits: 4 + 64 */
		*kmp_len = b.len;
		rc = 0;
	}
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(h, sizeof(h));
	return rc;
}

int ns_kex_hybrid_shared(int method, const uint8_t *secret, const uint8_t *peer, size_t peer_len,
                         uint8_t *kmp, size_t *kmp_len)
{
	const kem *k = kem_of(method);
	uint8_t ss[KEM_SS_LEN];
	int rc;

	*kmp_len = 0;
	if (k == NULL) {
		return NS_ERR_INVALID;
	}
	if (peer_len != k->ct_len + 32) {
		return NS_ERR_CRYPTO;
	}
	k->dec(ss, peer, secret);
	rc = combine(k, ss, secret + k->sk_len, peer + k->ct_len, kmp, kmp_len);
	sodium_memzero(ss, sizeof(ss));
	return rc;
}

int ns_kex_hybrid_reply(int method, ns_random_fn rnd, void *ctx, const uint8_t *peer,
                        size_t peer_len, uint8_t *pub, size_t *pub_len, uint8_t *kmp,
                        size_t *kmp_len)
{
	const kem *k = kem_of(method);
	uint8_t ss[KEM_SS_LEN], x[32];
	int rc;

	*kmp_len = *pub_len = 0;
	if (k == NULL) {
		return NS_ERR_INVALID;
	}
	if (peer_len != k->pk_len + 32) {
		return NS_ERR_CRYPTO;
	}
	if (rnd == NULL) {
		rnd = ns_random_default;
	}
	if ((rc = k->enc(rnd, ctx, pub, ss, peer)) != 0) {
		return rc; /* ML-KEM: a coefficient >= q in the client's key */
	}
	rnd(ctx, x, sizeof(x));
	crypto_scalarmult_base(pub + k->ct_len, x);
	rc = combine(k, ss, x, peer + k->pk_len, kmp, kmp_len);
	if (rc == 0) {
		*pub_len = k->ct_len + 32;
	}
	sodium_memzero(ss, sizeof(ss));
	sodium_memzero(x, sizeof(x));
	return rc;
}
