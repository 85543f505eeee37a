/* The signed WebSocket URL: signing, parsing the request target strictly
 * (one form only, so that one URL has one reading), verifying the HMAC in
 * constant time and the expiry against a clock the caller passes, and the
 * URL reader of `nullspace proxy`. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "nullspace/error.h"
#include "signed_fields.h"
#include "ws_url.h"

_Static_assert(NS_WS_SIG_LEN == NS_SIGNED_SIG_LEN, "one HMAC-SHA256 length");
_Static_assert(NS_WS_EXP_DIGITS == NS_SIGNED_EXP_DIGITS, "one exp spelling");

#define PREFIX "/v1/sandboxes/"
#define SUFFIX "/ssh"

int ns_ws_refusal_status(ns_ws_refusal r)
{
	switch (r) {
	case NS_WS_OK: return 200;
	case NS_WS_NOT_FOUND: return 404;
	case NS_WS_NO_SIGNATURE: return 401;
	case NS_WS_BAD_SIGNATURE: return 403;
	case NS_WS_EXPIRED: return 410;
	case NS_WS_TOO_LONG: return 403;
	default: return 400;
	}
}

const char *ns_ws_refusal_name(ns_ws_refusal r)
{
	switch (r) {
	case NS_WS_OK: return "ok";
	case NS_WS_NOT_FOUND: return "not-found";
	case NS_WS_NO_SIGNATURE: return "no-signature";
	case NS_WS_BAD_SIGNATURE: return "bad-signature";
	case NS_WS_EXPIRED: return "expired";
	case NS_WS_TOO_LONG: return "lifetime-too-long";
	default: return "bad-target";
	}
}

int ns_ws_url_sign(const uint8_t *secret, size_t slen, const char *sandbox, uint64_t exp,
                   uint8_t sig[NS_WS_SIG_LEN])
{
	char num[NS_WS_EXP_DIGITS + 2];
	const char *f[2] = {sandbox, num};

	memset(sig, 0, NS_WS_SIG_LEN);
	if (secret == NULL || slen < NS_WS_SECRET_MIN || slen > NS_WS_SECRET_MAX ||
	    !ns_registry_id_valid(sandbox)) {
		return NS_ERR_INVALID;
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)exp);
	ns_signed_fields_hmac(secret, slen, NS_WS_URL_CONTEXT, f, 2, sig);
	return 0;
}

/* The query: exp= and sig=, each at most once, nothing else. */
static ns_ws_refusal parse_query(const char *q, size_t len, ns_ws_target *t)
{
	size_t i = 0, j, eq;

	while (i < len) {
		for (j = i; j < len && q[j] != '&'; j++) {
		}
		for (eq = i; eq < j && q[eq] != '='; eq++) {
		}
		if (eq == j) {
			return NS_WS_BAD_TARGET;
		}
		if (eq - i == 3 && memcmp(q + i, "exp", 3) == 0 && !t->has_exp) {
			if (ns_signed_exp_parse(q + eq + 1, j - eq - 1, &t->exp) != 0) {
				return NS_WS_BAD_TARGET;
			}
			t->has_exp = 1;
		} else if (eq - i == 3 && memcmp(q + i, "sig", 3) == 0 && !t->has_sig) {
			if (ns_signed_sig_parse(q + eq + 1, j - eq - 1, t->sig) != 0) {
				return NS_WS_BAD_TARGET;
			}
			t->has_sig = 1;
		} else {
			return NS_WS_BAD_TARGET; /* unknown or repeated */
		}
		i = j + 1;
		if (j + 1 == len) {
			return NS_WS_BAD_TARGET; /* a trailing '&' */
		}
	}
	return t->has_exp && t->has_sig ? NS_WS_OK : NS_WS_NO_SIGNATURE;
}

ns_ws_refusal ns_ws_target_parse(const char *s, size_t len, ns_ws_target *t)
{
	size_t plen = strlen(PREFIX), slen = strlen(SUFFIX), i, qpos;

	memset(t, 0, sizeof(*t));
	if (s == NULL || len == 0 || len > NS_WS_TARGET_MAX || s[0] != '/') {
		return NS_WS_BAD_TARGET;
	}
	for (qpos = 0; qpos < len && s[qpos] != '?'; qpos++) {
		if ((unsigned char)s[qpos] <= 0x20 || (unsigned char)s[qpos] >= 0x7f) {
			return NS_WS_BAD_TARGET;
		}
	}
	if (qpos < plen + 1 + slen || memcmp(s, PREFIX, plen) != 0 ||
	    memcmp(s + qpos - slen, SUFFIX, slen) != 0) {
		return NS_WS_NOT_FOUND;
	}
	i = qpos - slen - plen; /* the id's length */
	if (i > NS_SANDBOX_ID_MAX) {
		return NS_WS_NOT_FOUND;
	}
	memcpy(t->sandbox, s + plen, i);
	t->sandbox[i] = '\0';
	if (!ns_registry_id_valid(t->sandbox)) {
		t->sandbox[0] = '\0';
		return NS_WS_NOT_FOUND;
	}
	if (qpos == len) {
		return NS_WS_NO_SIGNATURE;
	}
	for (i = qpos + 1; i < len; i++) {
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '?') {
			return NS_WS_BAD_TARGET;
		}
	}
	return parse_query(s + qpos + 1, len - qpos - 1, t);
}

ns_ws_refusal ns_ws_target_verify(const ns_ws_target *t, const uint8_t *secret, size_t slen,
                                  uint64_t now)
{
	uint8_t want[NS_WS_SIG_LEN];
	ns_ws_refusal r = NS_WS_OK;

	if (!t->has_exp || !t->has_sig) {
		return NS_WS_NO_SIGNATURE;
	}
	if (ns_ws_url_sign(secret, slen, t->sandbox, t->exp, want) != 0 ||
	    sodium_memcmp(want, t->sig, NS_WS_SIG_LEN) != 0) {
		r = NS_WS_BAD_SIGNATURE;
	} else if (t->exp <= now) {
		r = NS_WS_EXPIRED; /* only a genuine URL learns that it expired */
	} else if (t->exp - now > NS_WS_URL_LIFETIME_MAX) {
		r = NS_WS_TOO_LONG;
	}
	sodium_memzero(want, sizeof(want));
	return r;
}

int ns_ws_url_make(int tls, const char *hostport, const char *sandbox, uint64_t exp,
                   const uint8_t *secret, size_t slen, char *out, size_t cap)
{
	uint8_t sig[NS_WS_SIG_LEN];
	char hex[2 * NS_WS_SIG_LEN + 1];
	int n, rc;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (hostport == NULL || hostport[0] == '\0' ||
	    (rc = ns_ws_url_sign(secret, slen, sandbox, exp, sig)) != 0) {
		return NS_ERR_INVALID;
	}
	sodium_bin2hex(hex, sizeof(hex), sig, sizeof(sig));
	n = snprintf(out, cap, "%s://%s" PREFIX "%s" SUFFIX "?exp=%llu&sig=%s", tls ? "wss" : "ws",
	             hostport, sandbox, (unsigned long long)exp, hex);
	if (n < 0 || (size_t)n >= cap) {
		if (cap > 0) {
			out[0] = '\0';
		}
		return NS_ERR_TOOBIG;
	}
	return 0;
}

/* HOST[:PORT] or [V6][:PORT], hl bytes. */
static int parse_authority(const char *a, size_t hl, ns_ws_url *u)
{
	const char *colon = NULL, *hs = a, *he;
	unsigned long port = 0;
	size_t i;

	if (hl > 0 && a[0] == '[') {
		he = memchr(a, ']', hl);
		if (he == NULL) {
			return NS_ERR_FORMAT;
		}
		hs = a + 1;
		colon = he + 1 < a + hl ? he + 1 : NULL;
		if (colon != NULL && *colon != ':') {
			return NS_ERR_FORMAT;
		}
	} else {
		colon = memchr(a, ':', hl);
		he = colon != NULL ? colon : a + hl;
	}
	if (he == hs || (size_t)(he - hs) >= sizeof(u->host)) {
		return he == hs ? NS_ERR_FORMAT : NS_ERR_TOOBIG;
	}
	for (i = 0; hs + i < he; i++) {
		char c = hs[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_' || (c == ':' && hs != a))) {
			return NS_ERR_FORMAT;
		}
	}
	memcpy(u->host, hs, (size_t)(he - hs));
	u->host[he - hs] = '\0';
	if (colon != NULL) {
		const char *p = colon + 1, *end = a + hl;
		if (p == end || end - p > 5) {
			return NS_ERR_FORMAT;
		}
		for (; p < end; p++) {
			if (*p < '0' || *p > '9') {
				return NS_ERR_FORMAT;
			}
			port = port * 10 + (unsigned long)(*p - '0');
		}
		if (port == 0 || port > 65535) {
			return NS_ERR_FORMAT;
		}
		u->port = (uint16_t)port;
	}
	return 0;
}

int ns_ws_url_parse(const char *url, ns_ws_url *u)
{
	const char *a, *slash;
	size_t len, hl;
	int rc;

	memset(u, 0, sizeof(*u));
	if (url == NULL || (len = strlen(url)) > NS_WS_URL_MAX) {
		return NS_ERR_TOOBIG;
	}
	if (strncmp(url, "ws://", 5) == 0) {
		a = url + 5;
	} else if (strncmp(url, "wss://", 6) == 0) {
		a = url + 6;
		u->tls = 1;
	} else {
		return NS_ERR_FORMAT;
	}
	slash = strpbrk(a, "/?#");
	hl = slash != NULL ? (size_t)(slash - a) : strlen(a);
	if ((rc = parse_authority(a, hl, u)) != 0) {
		memset(u, 0, sizeof(*u));
		return rc;
	}
	if (u->port == 0) {
		u->port = u->tls ? 443 : 80;
	}
	if (slash == NULL) {
		snprintf(u->target, sizeof(u->target), "/");
	} else if (*slash == '#' || strchr(slash, '#') != NULL) {
		memset(u, 0, sizeof(*u));
		return NS_ERR_FORMAT; /* a fragment has no place in a request */
	} else if (strlen(slash) + 2 > sizeof(u->target)) {
		memset(u, 0, sizeof(*u));
		return NS_ERR_TOOBIG;
	} else {
		snprintf(u->target, sizeof(u->target), "%s%s", *slash == '?' ? "/" : "", slash);
	}
	for (len = 0; u->target[len] != '\0'; len++) {
		if ((unsigned char)u->target[len] <= 0x20 ||
		    (unsigned char)u->target[len] >= 0x7f) {
			memset(u, 0, sizeof(*u));
			return NS_ERR_FORMAT;
		}
	}
	return 0;
}
