/* Signed Files API URLs (files_url.h): the HMAC over sandbox, method,
 * expiry and path, the query fields read back (raw or already decoded by
 * the HTTP server) and the verdict for a request. No I/O, no clock; fuzzed
 * by fuzz/fuzz_files_url.c. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "files_url.h"
#include "nullspace/error.h"
#include "signed_fields.h"

_Static_assert(NS_FILES_SIG_LEN == NS_SIGNED_SIG_LEN, "one HMAC-SHA256 length");

enum { F_SANDBOX = 1, F_METHOD = 2, F_EXP = 4, F_PATH = 8, F_SIG = 16, F_ALL = 31 };

int ns_files_refusal_status(ns_files_refusal r)
{
	return r == NS_FILES_URL_OK ? 200 : r == NS_FILES_URL_MALFORMED ? 400 : 403;
}

const char *ns_files_refusal_name(ns_files_refusal r)
{
	switch (r) {
	case NS_FILES_URL_OK: return "ok";
	case NS_FILES_URL_MALFORMED: return "malformed";
	case NS_FILES_URL_BAD_SIG: return "bad-signature";
	case NS_FILES_URL_EXPIRED: return "expired";
	case NS_FILES_URL_TOO_LONG: return "lifetime-too-long";
	case NS_FILES_URL_METHOD: return "wrong-method";
	}
	return "refused";
}

const char *ns_files_refusal_message(ns_files_refusal r)
{
	switch (r) {
	case NS_FILES_URL_MALFORMED:
		return "malformed signed URL (sandbox, method, exp, path and sig are needed)";
	case NS_FILES_URL_BAD_SIG: return "signed URL refused: the signature does not match";
	case NS_FILES_URL_EXPIRED: return "signed URL refused: it has expired";
	case NS_FILES_URL_TOO_LONG: return "signed URL refused: its lifetime is over 24 hours";
	case NS_FILES_URL_METHOD: return "signed URL refused: it was signed for another method";
	default: return "signed URL refused";
	}
}

static int set_once(ns_files_url *u, unsigned bit)
{
	if (u->have & bit) {
		return NS_ERR_FORMAT;
	}
	u->have |= bit;
	return 0;
}

int ns_files_url_field(ns_files_url *u, const char *key, const char *v, size_t n)
{
	if (strcmp(key, "sandbox") == 0) {
		if (set_once(u, F_SANDBOX) != 0 || n > NS_SANDBOX_ID_MAX || memchr(v, 0, n)) {
			return NS_ERR_FORMAT;
		}
		memcpy(u->sandbox, v, n);
		u->sandbox[n] = '\0';
		return ns_registry_id_valid(u->sandbox) ? 0 : NS_ERR_FORMAT;
	}
	if (strcmp(key, "method") == 0) {
		if (set_once(u, F_METHOD) != 0 || n != 3 ||
		    (memcmp(v, "GET", 3) != 0 && memcmp(v, "PUT", 3) != 0)) {
			return NS_ERR_FORMAT;
		}
		memcpy(u->method, v, 3);
		u->method[3] = '\0';
		return 0;
	}
	if (strcmp(key, "exp") == 0) {
		return set_once(u, F_EXP) != 0 ? NS_ERR_FORMAT : ns_signed_exp_parse(v, n, &u->exp);
	}
	if (strcmp(key, "path") == 0) {
		if (set_once(u, F_PATH) != 0 || n == 0 || n > NS_FILES_PATH_MAX ||
		    memchr(v, 0, n) != NULL) {
			return NS_ERR_FORMAT;
		}
		memcpy(u->path, v, n);
		u->path[n] = '\0';
		return 0;
	}
	if (strcmp(key, "sig") == 0) {
		return set_once(u, F_SIG) != 0 ? NS_ERR_FORMAT : ns_signed_sig_parse(v, n, u->sig);
	}
	return 0;
}

/* %HH decoding of n bytes into out (cap bytes): decoded length or -1. */
static long decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, k = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (k >= cap) {
			return -1;
		}
		if (s[i] != '%') {
			out[k++] = s[i];
			continue;
		}
		if (i + 2 >= n) {
			return -1;
		}
		hi = ns_signed_hexval((char)(s[i + 1] | 0x20));
		lo = ns_signed_hexval((char)(s[i + 2] | 0x20));
		if (hi < 0 || lo < 0) {
			return -1;
		}
		out[k++] = (char)(hi << 4 | lo);
		i += 2;
	}
	return (long)k;
}

int ns_files_url_parse_query(const char *q, size_t len, ns_files_url *u)
{
	char key[16], val[NS_FILES_PATH_MAX + 1];
	size_t i = 0, n, eq;
	long kl, vl;

	memset(u, 0, sizeof(*u));
	if (len > NS_FILES_QUERY_MAX) {
		return NS_ERR_FORMAT;
	}
	while (i < len) {
		for (n = 0; i + n < len && q[i + n] != '&'; n++) {
		}
		for (eq = 0; eq < n && q[i + eq] != '='; eq++) {
		}
		if (eq == n) {
			return NS_ERR_FORMAT;
		}
		kl = decode(q + i, eq, key, sizeof(key) - 1);
		vl = decode(q + i + eq + 1, n - eq - 1, val, sizeof(val) - 1);
		if (kl < 0 || vl < 0) {
			return NS_ERR_FORMAT;
		}
		key[kl] = '\0';
		if (memchr(key, 0, (size_t)kl) != NULL ||
		    ns_files_url_field(u, key, val, (size_t)vl) != 0) {
			return NS_ERR_FORMAT;
		}
		i += n + 1;
	}
	return 0;
}

int ns_files_url_sign(const uint8_t secret[NS_FILES_SECRET_LEN], const char *sandbox,
                      const char *method, uint64_t exp, const char *path,
                      uint8_t sig[NS_FILES_SIG_LEN])
{
	char num[NS_SIGNED_EXP_DIGITS + 2];
	const char *f[4] = {sandbox, method, num, path};

	if (!ns_registry_id_valid(sandbox) || path == NULL || method == NULL) {
		return NS_ERR_INVALID;
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)exp);
	ns_signed_fields_hmac(secret, NS_FILES_SECRET_LEN, NS_FILES_URL_CONTEXT, f, 4, sig);
	return 0;
}

ns_files_refusal ns_files_url_verify(const ns_files_url *u,
                                     const uint8_t secret[NS_FILES_SECRET_LEN], const char *method,
                                     uint64_t now)
{
	uint8_t want[NS_FILES_SIG_LEN];
	int same;

	if ((u->have & F_ALL) != F_ALL) {
		return NS_FILES_URL_MALFORMED;
	}
	if (ns_files_url_sign(secret, u->sandbox, u->method, u->exp, u->path, want) != 0) {
		return NS_FILES_URL_MALFORMED;
	}
	same = crypto_verify_32(want, u->sig) == 0;
	sodium_memzero(want, sizeof(want));
	if (!same) {
		return NS_FILES_URL_BAD_SIG;
	}
	if (strcmp(u->method, method) != 0) {
		return NS_FILES_URL_METHOD;
	}
	if (u->exp <= now) {
		return NS_FILES_URL_EXPIRED;
	}
	if (u->exp - now > NS_FILES_URL_LIFETIME_MAX) {
		return NS_FILES_URL_TOO_LONG;
	}
	return NS_FILES_URL_OK;
}

/* Percent-encode everything but unreserved characters and '/'. */
static int encode(const char *s, char *out, size_t cap, size_t *k)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (*k + 4 > cap) {
			return NS_ERR_TOOBIG;
		}
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
			out[(*k)++] = (char)c;
		} else {
			out[(*k)++] = '%';
			out[(*k)++] = hex[c >> 4];
			out[(*k)++] = hex[c & 15];
		}
	}
	out[*k] = '\0';
	return 0;
}

int ns_files_url_format(const char *base, const uint8_t secret[NS_FILES_SECRET_LEN],
                        const char *sandbox, const char *method, uint64_t exp, const char *path,
                        char *out, size_t cap)
{
	uint8_t sig[NS_FILES_SIG_LEN];
	char hex[2 * NS_FILES_SIG_LEN + 1];
	size_t k;
	int n, rc;

	if ((rc = ns_files_url_sign(secret, sandbox, method, exp, path, sig)) != 0) {
		return rc;
	}
	sodium_bin2hex(hex, sizeof(hex), sig, sizeof(sig));
	n = snprintf(out, cap, "%s/v1/files/signed?sandbox=%s&method=%s&exp=%llu&path=", base,
	             sandbox, method, (unsigned long long)exp);
	rc = NS_ERR_TOOBIG;
	if (n > 0 && (size_t)n < cap) {
		k = (size_t)n;
		if (encode(path, out, cap, &k) == 0 && k + 6 + sizeof(hex) <= cap) {
			memcpy(out + k, "&sig=", 5);
			memcpy(out + k + 5, hex, sizeof(hex));
			rc = 0;
		}
	}
	sodium_memzero(sig, sizeof(sig));
	sodium_memzero(hex, sizeof(hex));
	return rc;
}
