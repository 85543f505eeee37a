/* HMAC-SHA-256/512 over uint32 sequence number || packet (RFC 4253 6.4),
 * with libsodium; the keyed state is computed once per key change and copied
 * for each packet, and tags are compared in constant time. */
#include "mac.h"

#include <string.h>

#include "wire.h"

static const char *const names[NS_MAC_COUNT] = {
    [NS_MAC_SHA256_ETM] = NS_MAC_NAME_SHA256_ETM,
    [NS_MAC_SHA512_ETM] = NS_MAC_NAME_SHA512_ETM,
    [NS_MAC_SHA256] = NS_MAC_NAME_SHA256,
    [NS_MAC_SHA512] = NS_MAC_NAME_SHA512,
};

int ns_mac_by_name(ns_str name)
{
	int i;

	for (i = NS_MAC_NONE + 1; i < NS_MAC_COUNT; i++) {
		if (ns_str_eq(name, names[i])) {
			return i;
		}
	}
	return NS_MAC_NONE;
}

const char *ns_mac_name(int alg)
{
	return alg > NS_MAC_NONE && alg < NS_MAC_COUNT ? names[alg] : "none";
}

size_t ns_mac_len(int alg)
{
	return alg == NS_MAC_SHA256 || alg == NS_MAC_SHA256_ETM   ? 32
	       : alg == NS_MAC_SHA512 || alg == NS_MAC_SHA512_ETM ? 64
	                                                          : 0;
}

int ns_mac_etm(int alg)
{
	return alg == NS_MAC_SHA256_ETM || alg == NS_MAC_SHA512_ETM;
}

void ns_mac_init(ns_mac *m, int alg, const uint8_t *key)
{
	sodium_memzero(m, sizeof(*m));
	m->alg = alg;
	if (ns_mac_len(alg) == 32) {
		crypto_auth_hmacsha256_init(&m->st.s256, key, 32);
	} else if (ns_mac_len(alg) == 64) {
		crypto_auth_hmacsha512_init(&m->st.s512, key, 64);
	}
}

void ns_mac_compute(const ns_mac *m, uint32_t seq, const uint8_t *data, size_t len, uint8_t *tag)
{
	uint8_t s[4];

	ns_store32(s, seq);
	if (ns_mac_len(m->alg) == 32) {
		crypto_auth_hmacsha256_state st = m->st.s256;

		crypto_auth_hmacsha256_update(&st, s, 4);
		crypto_auth_hmacsha256_update(&st, data, len);
		crypto_auth_hmacsha256_final(&st, tag);
		sodium_memzero(&st, sizeof(st));
	} else {
		crypto_auth_hmacsha512_state st = m->st.s512;

		crypto_auth_hmacsha512_update(&st, s, 4);
		crypto_auth_hmacsha512_update(&st, data, len);
		crypto_auth_hmacsha512_final(&st, tag);
		sodium_memzero(&st, sizeof(st));
	}
}

int ns_mac_verify(const ns_mac *m, uint32_t seq, const uint8_t *data, size_t len,
                  const uint8_t *tag)
{
	uint8_t want[NS_MAC_LEN_MAX];
	size_t n = ns_mac_len(m->alg);
	int rc;

	if (n == 0) {
		return -1;
	}
	ns_mac_compute(m, seq, data, len, want);
	rc = sodium_memcmp(want, tag, n) == 0 ? 0 : -1;
	sodium_memzero(want, sizeof(want));
	return rc;
}
