/* The exchange hash H (RFC 4253 8, RFC 5656 4) and key derivation (RFC 4253
 * 7.2) with the negotiated method's hash: SHA-256, or SHA-512 for
 * sntrup761x25519-sha512 (whose H, and so the session id, is 64 bytes). */
#include <sodium.h>
#include <string.h>

#include "kex.h"
#include "kex_ecdh.h"

typedef struct kex_hash {
	int sha512;
	crypto_hash_sha256_state s256;
	crypto_hash_sha512_state s512;
} kex_hash;

static void hash_init(kex_hash *st, int method)
{
	st->sha512 = ns_kex_hash_len(method) == 64;
	if (st->sha512) {
		crypto_hash_sha512_init(&st->s512);
	} else {
		crypto_hash_sha256_init(&st->s256);
	}
}

static void hash_update(kex_hash *st, const void *p, size_t n)
{
	if (st->sha512) {
		crypto_hash_sha512_update(&st->s512, p, n);
	} else {
		crypto_hash_sha256_update(&st->s256, p, n);
	}
}

static void hash_final(kex_hash *st, uint8_t *out)
{
	if (st->sha512) {
		crypto_hash_sha512_final(&st->s512, out);
	} else {
		crypto_hash_sha256_final(&st->s256, out);
	}
	sodium_memzero(st, sizeof(*st));
}

static void hash_string(kex_hash *st, const void *p, size_t n)
{
	uint8_t len[4];

	ns_store32(len, (uint32_t)n);
	hash_update(st, len, 4);
	hash_update(st, p, n);
}

size_t ns_kex_exchange_hash(const ns_engine *e, ns_str k_s, ns_str q_c, ns_str q_s,
                            const uint8_t *kmp, size_t kmp_len, uint8_t h[NS_KEX_HASH_MAX])
{
	kex_hash st;
	int client = e->role == NS_ROLE_CLIENT;
	const char *v_c = client ? e->my_version : e->peer_version;
	const char *v_s = client ? e->peer_version : e->my_version;
	const ns_buf *i_c = client ? &e->my_kexinit : &e->peer_kexinit;
	const ns_buf *i_s = client ? &e->peer_kexinit : &e->my_kexinit;

	hash_init(&st, e->kex_method);
	hash_string(&st, v_c, strlen(v_c)); /* V_C */
	hash_string(&st, v_s, strlen(v_s)); /* V_S */
	hash_string(&st, i_c->p, i_c->len); /* I_C */
	hash_string(&st, i_s->p, i_s->len); /* I_S */
	hash_string(&st, k_s.p, k_s.len);   /* K_S */
	hash_string(&st, q_c.p, q_c.len);   /* Q_C */
	hash_string(&st, q_s.p, q_s.len);   /* Q_S */
	hash_update(&st, kmp, kmp_len);     /* K: mpint, or string for a hybrid */
	hash_final(&st, h);
	return ns_kex_hash_len(e->kex_method);
}

/* HASH(K || H || letter || session_id), extended to 64 bytes with
 * HASH(K || H || what came before) when the hash is shorter. */
static void derive(const ns_engine *e, const uint8_t *kmp, size_t kmp_len, const uint8_t *h,
                   size_t hlen, char letter, uint8_t out[NS_CHACHA_KEY_LEN])
{
	kex_hash st;

	hash_init(&st, e->kex_method);
	hash_update(&st, kmp, kmp_len);
	hash_update(&st, h, hlen);
	hash_update(&st, &letter, 1);
	hash_update(&st, e->session_id, e->session_id_len);
	hash_final(&st, out);
	if (hlen < NS_CHACHA_KEY_LEN) {
		hash_init(&st, e->kex_method);
		hash_update(&st, kmp, kmp_len);
		hash_update(&st, h, hlen);
		hash_update(&st, out, hlen);
		hash_final(&st, out + hlen);
	}
}

void ns_kex_direction_keys(const ns_engine *e, const uint8_t *kmp, size_t kmp_len, const uint8_t *h,
                           size_t hlen, const char letters[3], ns_pkt_keys *k)
{
	uint8_t tmp[NS_CHACHA_KEY_LEN];

	derive(e, kmp, kmp_len, h, hlen, letters[1], tmp);
	memcpy(k->key, tmp, ns_pkt_key_len(k->cipher));
	if (ns_pkt_iv_len(k->cipher) > 0) {
		derive(e, kmp, kmp_len, h, hlen, letters[0], tmp);
		memcpy(k->iv, tmp, ns_pkt_iv_len(k->cipher));
	}
	if (ns_mac_len(k->mac) > 0) {
		derive(e, kmp, kmp_len, h, hlen, letters[2], tmp);
		memcpy(k->mac_key, tmp, ns_mac_len(k->mac));
	}
	sodium_memzero(tmp, sizeof(tmp));
}
