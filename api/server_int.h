/* Inside the API server: a reply being built (status, JSON text, the extra
 * headers), the route handlers (server_routes.c) and the JSON builders
 * (server_json.c) that server.c drives. Not installed. */
#ifndef NS_API_SERVER_INT_H
#define NS_API_SERVER_INT_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "mint.h"
#include "server.h"

typedef struct ns_api_reply {
	unsigned status;
	char *body; /* JSON text (malloc'd), NULL: out of memory */
	size_t len;
	int secret;                           /* credentials inside: wiped once queued */
	const char *allow;                    /* 405: the Allow header */
	int www_auth;                         /* 401: WWW-Authenticate: Bearer */
	char access_id[NS_ACCESS_ID_LEN + 1]; /* for the log line, "" if none */
} ns_api_reply;

/* {"error": msg} (msg made printable ASCII). */
void ns_api_reply_error(ns_api_reply *r, unsigned status, const char *msg);
/* The JSON text of j (taken over: decref'd), or a 500 when j is NULL or
 * cannot be written. */
void ns_api_reply_json(ns_api_reply *r, unsigned status, json_t *j);
/* Wipe (if secret) and free the text. */
void ns_api_reply_clear(ns_api_reply *r);

/* RFC 3339 UTC, "2026-11-28T10:00:00Z". */
int ns_api_time_format(int64_t t, char *out, size_t cap);
/* The sandbox object of docs/api.md (NULL when out of memory). */
json_t *ns_api_sandbox_json(const ns_sandbox_info *sb);
/* The access object of docs/api.md for a minted certificate. */
json_t *ns_api_access_json(const ns_api_server_config *cfg, const char *sandbox_id,
                           const ns_minted *m);

/* The log line of a request: "api: METHOD PATH STATUS [access=ID]", made
 * printable (server_log.c). */
void ns_api_log_request(const ns_api_server_config *cfg, const char *method, const char *url,
                        const ns_api_reply *r);
/* libmicrohttpd's own messages (cls: the config), to the same log. */
void ns_api_log_mhd(void *cls, const char *fmt, va_list ap);

/* Answer a request whose route, method and key were checked: method is
 * allowed on route; body (POST only) is complete; now in unix seconds. */
void ns_api_dispatch(const ns_api_server_config *cfg, const char *method, int route, const char *id,
                     const char *body, size_t len, int64_t now, ns_api_reply *r);

#endif
