/* Test signers for FIDO (sk-*) and ECDSA keys, see lib_sk.h. ECDSA signs
 * with BearSSL (deterministic, RFC 6979) so runs repeat exactly. */
#include "lib_sk.h"

#include <bearssl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static void fail(void)
{
	abort();
}

static void set_key(lib_sk *k, ns_buf *b)
{
	if (b->err || ns_pubkey_from_blob(b->p, b->len, &k->key, NULL) != 0) {
		fail();
	}
}

static void ec_keypair(lib_sk *k, uint8_t seed)
{
	br_ec_private_key sk;
	br_ec_public_key pk;
	uint8_t buf[BR_EC_KBUF_PUB_MAX_SIZE];

	memset(k->ec_x, seed | 1, sizeof(k->ec_x));
	k->ec_x[0] = 0x11; /* well below the group order */
	sk.curve = BR_EC_secp256r1;
	sk.x = k->ec_x;
	sk.xlen = sizeof(k->ec_x);
	if (br_ec_compute_pub(&br_ec_p256_m31, &pk, buf, &sk) != 65) {
		fail();
	}
	memcpy(k->pub, pk.q, 65);
}

void lib_sk_new(lib_sk *k, int type, uint8_t seed, const char *app)
{
	uint8_t s[32], blob[512];
	ns_buf b;

	memset(k, 0, sizeof(*k));
	k->type = type;
	snprintf(k->app, sizeof(k->app), "%s", app);
	ns_buf_init_fixed(&b, blob, sizeof(blob));
	ns_wr_cstr(&b, ns_pubkey_type_name(type));
	if (type == NS_PK_SK_ED25519) {
		memset(s, seed, sizeof(s));
		crypto_sign_seed_keypair(k->pub, k->ed_sk, s);
		ns_wr_string(&b, k->pub, 32); /* string pk */
	} else {
		ec_keypair(k, seed);
		ns_wr_cstr(&b, "nistp256");   /* string curve */
		ns_wr_string(&b, k->pub, 65); /* string Q */
	}
	ns_wr_cstr(&b, app); /* string application */
	set_key(k, &b);
}

void lib_ecdsa_new(lib_sk *k, uint8_t seed)
{
	uint8_t blob[256];
	ns_buf b;

	memset(k, 0, sizeof(*k));
	k->type = NS_PK_ECDSA_P256;
	ec_keypair(k, seed);
	ns_buf_init_fixed(&b, blob, sizeof(blob));
	ns_wr_cstr(&b, "ecdsa-sha2-nistp256");
	ns_wr_cstr(&b, "nistp256");
	ns_wr_string(&b, k->pub, 65);
	set_key(k, &b);
}

/* string (mpint r, mpint s) of an ECDSA P-256 signature over msg */
static void ec_sign(const lib_sk *k, const uint8_t *msg, size_t len, ns_buf *b)
{
	uint8_t h[32], raw[64], body[80];
	br_ec_private_key sk;
	ns_buf inner;

	crypto_hash_sha256(h, msg, len);
	sk.curve = BR_EC_secp256r1;
	sk.x = (unsigned char *)(uintptr_t)k->ec_x;
	sk.xlen = sizeof(k->ec_x);
	if (br_ecdsa_i31_sign_raw(&br_ec_p256_m31, &br_sha256_vtable, h, &sk, raw) != 64) {
		fail();
	}
	ns_buf_init_fixed(&inner, body, sizeof(body));
	ns_wr_mpint(&inner, raw, 32);
	ns_wr_mpint(&inner, raw + 32, 32);
	ns_wr_string(b, inner.p, inner.len);
}

size_t lib_ecdsa_sign(const lib_sk *k, const uint8_t *data, size_t len, uint8_t *out, size_t cap)
{
	ns_buf b;

	ns_buf_init_fixed(&b, out, cap);
	ns_wr_cstr(&b, "ecdsa-sha2-nistp256");
	ec_sign(k, data, len, &b);
	return b.err ? 0 : b.len;
}

size_t lib_sk_sign(const lib_sk *k, uint8_t flags, uint32_t counter, const uint8_t *data,
                   size_t len, uint8_t *out, size_t cap)
{
	uint8_t m[32 + 1 + 4 + 32], sig[64];
	ns_buf b;

	crypto_hash_sha256(m, (const uint8_t *)k->app, strlen(k->app));
	m[32] = flags;
	m[33] = (uint8_t)(counter >> 24);
	m[34] = (uint8_t)(counter >> 16);
	m[35] = (uint8_t)(counter >> 8);
	m[36] = (uint8_t)counter;
	crypto_hash_sha256(m + 37, data, len);
	ns_buf_init_fixed(&b, out, cap);
	ns_wr_cstr(&b, ns_pubkey_type_name(k->type)); /* string algorithm */
	if (k->type == NS_PK_SK_ED25519) {
		crypto_sign_detached(sig, NULL, m, sizeof(m), k->ed_sk);
		ns_wr_string(&b, sig, sizeof(sig)); /* string signature */
	} else {
		ec_sign(k, m, sizeof(m), &b); /* string ecdsa_signature */
	}
	ns_wr_u8(&b, flags);    /* byte flags */
	ns_wr_u32(&b, counter); /* uint32 counter */
	return b.err ? 0 : b.len;
}
