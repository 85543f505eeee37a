/* The HMAC and the exp and sig spellings shared by the signed WebSocket URL
 * and the signed Files API URL (signed_fields.h). Fuzzed through their
 * parsers (fuzz_ws_url.c, fuzz_files_url.c). */
#include <string.h>

#include <sodium.h>

#include "nullspace/error.h"
#include "signed_fields.h"

void ns_signed_fields_hmac(const uint8_t *key, size_t klen, const char *context,
                           const char *const *f, size_t n, uint8_t sig[NS_SIGNED_SIG_LEN])
{
	crypto_auth_hmacsha256_state st;
	size_t i;

	crypto_auth_hmacsha256_init(&st, key, klen);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)context, strlen(context));
	for (i = 0; i < n; i++) {
		if (i > 0) {
			crypto_auth_hmacsha256_update(&st, (const uint8_t *)"\n", 1);
		}
		crypto_auth_hmacsha256_update(&st, (const uint8_t *)f[i], strlen(f[i]));
	}
	crypto_auth_hmacsha256_final(&st, sig);
	sodium_memzero(&st, sizeof(st));
}

int ns_signed_hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	return -1;
}

int ns_signed_exp_parse(const char *v, size_t len, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (len == 0 || len > NS_SIGNED_EXP_DIGITS || (v[0] == '0' && len > 1)) {
		return NS_ERR_FORMAT;
	}
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9' || x > (UINT64_MAX - (uint64_t)(v[i] - '0')) / 10) {
			return NS_ERR_FORMAT;
		}
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return 0;
}

int ns_signed_sig_parse(const char *v, size_t len, uint8_t sig[NS_SIGNED_SIG_LEN])
{
	size_t i;
	int hi, lo;

	if (len != 2 * NS_SIGNED_SIG_LEN) {
		return NS_ERR_FORMAT;
	}
	for (i = 0; i < NS_SIGNED_SIG_LEN; i++) {
		if ((hi = ns_signed_hexval(v[2 * i])) < 0 ||
		    (lo = ns_signed_hexval(v[2 * i + 1])) < 0) {
			return NS_ERR_FORMAT;
		}
		sig[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}
