/* The legacy signed WebSocket URL (issue 13): a bearer credential bound to
 * one sandbox and one expiry,
 *   ws[s]://HOST:PORT/v1/sandboxes/SB/ssh?exp=UNIX_SECONDS&sig=HEX
 * sig = HMAC-SHA256(secret, "nullspace-ws-v1\n" SB "\n" EXP). Pure
 * functions: the clock and the secret come from the caller. */
#ifndef NS_TRANSPORT_WS_URL_H
#define NS_TRANSPORT_WS_URL_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

#define NS_WS_URL_CONTEXT "nullspace-ws-v1\n"
#define NS_WS_SIG_LEN 32      /* HMAC-SHA256 */
#define NS_WS_SECRET_MIN 32   /* bytes of secret at least */
#define NS_WS_SECRET_MAX 1024 /* ... and at most */
#define NS_WS_TARGET_MAX 512  /* a request target (path and query) */
#define NS_WS_URL_MAX 1024    /* a whole URL */
#define NS_WS_HOST_MAX 256    /* HOST of a URL (a name or [v6]) */
#define NS_WS_EXP_DIGITS 20   /* exp=: decimal, no leading zero */
/* The furthest ahead a URL's exp may lie: the API mints minutes; a URL
 * signed for longer (a leaked secret, a signer's bug) is refused. */
#define NS_WS_URL_LIFETIME_MAX (24 * 3600)

/* Why a request target is refused, and its HTTP status. */
typedef enum ns_ws_refusal {
	NS_WS_OK = 0,
	NS_WS_BAD_TARGET,    /* 400: malformed path or query */
	NS_WS_NOT_FOUND,     /* 404: not a /v1/sandboxes/SB/ssh path */
	NS_WS_NO_SIGNATURE,  /* 401: exp= or sig= missing */
	NS_WS_BAD_SIGNATURE, /* 403: the HMAC does not match */
	NS_WS_EXPIRED,       /* 410: exp is in the past */
	NS_WS_TOO_LONG,      /* 403: exp is over NS_WS_URL_LIFETIME_MAX ahead */
} ns_ws_refusal;

typedef struct ns_ws_target {
	char sandbox[NS_SANDBOX_ID_MAX + 1];
	uint64_t exp;
	uint8_t sig[NS_WS_SIG_LEN];
	int has_exp, has_sig;
} ns_ws_target;

/* The HTTP status of a refusal (200 for NS_WS_OK) and its log name. */
int ns_ws_refusal_status(ns_ws_refusal r);
const char *ns_ws_refusal_name(ns_ws_refusal r);

/* sig of (sandbox, exp): 0, or NS_ERR_INVALID (bad id, secret size). */
int ns_ws_url_sign(const uint8_t *secret, size_t slen, const char *sandbox, uint64_t exp,
                   uint8_t sig[NS_WS_SIG_LEN]);

/* Parse a request target ("/v1/sandboxes/SB/ssh?exp=..&sig=.."), len
 * bytes: NS_WS_OK with *t filled, else the refusal (t zeroed or partly
 * filled: t->sandbox is set when the path named one). */
ns_ws_refusal ns_ws_target_parse(const char *s, size_t len, ns_ws_target *t);

/* Check a parsed target's signature (constant time) and expiry against
 * now (Unix seconds). */
ns_ws_refusal ns_ws_target_verify(const ns_ws_target *t, const uint8_t *secret, size_t slen,
                                  uint64_t now);

/* A signed URL: "ws://" or "wss://" (tls) HOSTPORT and the signed target
 * into out (cap bytes, NUL-terminated): 0, NS_ERR_INVALID, NS_ERR_TOOBIG. */
int ns_ws_url_make(int tls, const char *hostport, const char *sandbox, uint64_t exp,
                   const uint8_t *secret, size_t slen, char *out, size_t cap);

/* A URL as the proxy reads it: scheme (tls 0 ws, 1 wss), host (brackets
 * of a v6 literal removed), port (default 80 / 443) and the target (path
 * and query, "/" when empty). 0 or NS_ERR_FORMAT / NS_ERR_TOOBIG. */
typedef struct ns_ws_url {
	int tls;
	char host[NS_WS_HOST_MAX];
	uint16_t port;
	char target[NS_WS_TARGET_MAX];
} ns_ws_url;
int ns_ws_url_parse(const char *url, ns_ws_url *u);

#endif
