/* KEX_ECDH_INIT / KEX_ECDH_REPLY bodies; bit 0 of the first byte picks
 * which. The public value found is then checked as a peer's X25519 key and
 * P-256 point (ns_kex_shared: length, prefix, on the curve) with a fixed
 * secret. A reply's K_S and signature then go through a client engine's host
 * key parse and verify (core/kex_hostkey.c) under the host key algorithm
 * the rest of the first byte picks. The value is also tried as each
 * hybrid's (sntrup761x25519, mlkem768x25519): a client's KEM key || X25519
 * key (the server encapsulates to it) and a server's ciphertext || X25519
 * key. */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "kex.h"
#include "kex_ecdh.h"

static const char *const hostkey_algs[] = {
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-ed25519-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "rsa-sha2-256-cert-v01@openssh.com",
};

static void host_key(const uint8_t *data, ns_str k_s, ns_str sig)
{
	static const uint8_t h[32] = {1, 2, 3};
	ns_engine_config cfg = NS_ENGINE_CONFIG_INIT;
	ns_engine *e;
	const char *alg = hostkey_algs[(data[0] >> 1) % 8];

	cfg.role = NS_ROLE_CLIENT;
	cfg.alloc = ns_allocator_libc();
	if (ns_engine_new(&cfg, &e) != 0) {
		return;
	}
	snprintf(e->hostkey_alg, sizeof(e->hostkey_alg), "%s", alg);
	e->hostkey_cert = strstr(alg, "-cert-") != NULL;
	if (ns_kex_hostkey_parse(e, k_s) == 0) {
		ns_kex_hostkey_verify(e, k_s, sig, h, sizeof(h));
	}
	ns_engine_free(e);
}

/* Deterministic, so a crash replays. */
static void fixed_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	memset(buf, 0x5a, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_str k_s, q = {0}, sig;
	ns_rd r;

	if (size < 1) {
		return 0;
	}
	ns_rd_init(&r, data + 1, size - 1);
	if (data[0] & 1) {
		if (ns_kex_ecdh_reply_parse(&r, &k_s, &q, &sig) == 0) {
			host_key(data, k_s, sig);
		}
	} else {
		ns_kex_ecdh_init_parse(&r, &q);
	}
	if (q.p != NULL) {
		static const uint8_t secret[NS_KEX_SECRET_LEN] = {7, 7, 7, 7, 7, 7, 7, 7};
		uint8_t kmp[NS_KEX_MPINT_MAX];
		static uint8_t hybrid_secret[NS_KEX_SECRET_MAX] = {1, 2, 3};
		static uint8_t pub[NS_KEX_PUB_MAX];
		uint8_t k[NS_KEX_K_MAX];
		size_t n, pub_len;

		ns_kex_shared(NS_KEX_X25519, secret, q.p, q.len, kmp, &n);
		ns_kex_shared(NS_KEX_P256, secret, q.p, q.len, kmp, &n);
		ns_kex_shared(NS_KEX_SNTRUP, hybrid_secret, q.p, q.len, k, &n);
		ns_kex_reply(NS_KEX_SNTRUP, fixed_random, NULL, q.p, q.len, pub, &pub_len, k, &n);
		ns_kex_shared(NS_KEX_MLKEM, hybrid_secret, q.p, q.len, k, &n);
		ns_kex_reply(NS_KEX_MLKEM, fixed_random, NULL, q.p, q.len, pub, &pub_len, k, &n);
	}
	return 0;
}
