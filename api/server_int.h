/* Inside the API server: a reply being built (status, JSON text, the extra
 * headers), the route handlers (server_routes.c), the JSON builders
 * (server_json.c) and the connection table with its limits (server_conn.c)
 * that server.c drives. Not installed. */
#ifndef NS_API_SERVER_INT_H
#define NS_API_SERVER_INT_H

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

#include "clock.h"
#include "mint.h"
#include "revoked.h"
#include "server.h"

typedef struct ns_api_reply {
	unsigned status;
	char *body; /* JSON text (malloc'd), NULL: out of memory */
	size_t len;
	int secret;                           /* credentials inside: wiped once queued */
	const char *allow;                    /* 405: the Allow header */
	int www_auth;                         /* 401: WWW-Authenticate: Bearer */
	char access_id[NS_ACCESS_ID_LEN + 1]; /* for the log line, "" if none */
	const char *reason;                   /* a refusal's reason=, for the log line */
	char etag[32];                        /* an ETag header, "" for none */
} ns_api_reply;

/* {"error": msg} (msg made printable ASCII). */
void ns_api_reply_error(ns_api_reply *r, unsigned status, const char *msg);
/* The JSON text of j (taken over: decref'd), or a 500 when j is NULL or
 * cannot be written. */
void ns_api_reply_json(ns_api_reply *r, unsigned status, json_t *j);
/* Wipe (if secret) and free the text. */
void ns_api_reply_clear(ns_api_reply *r);

/* server_revoke.c: GET /v1/revocations (If-None-Match: 304 when the
 * list's ETag is unchanged) and DELETE /v1/sandboxes/ID/ssh-access/ACC. */
/* The revoked accesses at start: an empty list whose generation is the
 * time, then cfg->revoked_path's entries (logged). 0, or an error with err
 * saying why (the list is then freed). */
int ns_api_revoke_start(const ns_api_server_config *cfg, ns_api_revoked *rv, char *err, size_t cap);
void ns_api_revoke_answer(const ns_api_server_config *cfg, ns_api_revoked *rv, int route,
                          const char *id, const char *url, const char *if_none_match, int64_t now,
                          ns_api_reply *r);

/* RFC 3339 UTC, "2026-11-28T10:00:00Z". */
int ns_api_time_format(int64_t t, char *out, size_t cap);
/* The sandbox object of docs/api.md (NULL when out of memory). */
json_t *ns_api_sandbox_json(const ns_sandbox_info *sb);
/* The access object of docs/api.md for a minted certificate. */
json_t *ns_api_access_json(const ns_api_server_config *cfg, const char *sandbox_id,
                           const ns_minted *m);

/* The log line of a request: "api: METHOD PATH STATUS [access=ID]
 * [reason=R]", made printable (server_log.c). */
void ns_api_log_request(const ns_api_server_config *cfg, const char *method, const char *url,
                        const ns_api_reply *r);
/* "api: event=EVENT reason=R peer=ADDR limit=N": a connection refused or
 * closed by a limit (server_conn.c); event "refused" or "closed". */
void ns_api_log_limit(const ns_api_server_config *cfg, const char *event, const char *reason,
                      const char *peer, unsigned limit);
/* A line of the API's own ("api: ..."), to the same log. */
void ns_api_log_line(const ns_api_server_config *cfg, const char *line);
/* libmicrohttpd's own messages (cls: the config), to the same log. */
void ns_api_log_mhd(void *cls, const char *fmt, va_list ap);

/* Queue r as the answer (JSON), log the request, clear r. */
enum MHD_Result ns_api_queue(const ns_api_server_config *cfg, struct MHD_Connection *c,
                             const char *method, const char *url, ns_api_reply *r);
/* Queue a streamed answer (resp may be NULL: 500), log it. */
enum MHD_Result ns_api_queue_stream(const ns_api_server_config *cfg, struct MHD_Connection *c,
                                    const char *method, const char *url, unsigned status,
                                    struct MHD_Response *resp, const char *content_type);

/* Answer a request whose route, method and key were checked: method is
 * allowed on route; body (POST only) is complete; now in unix seconds. */
void ns_api_dispatch(const ns_api_server_config *cfg, const char *method, int route, const char *id,
                     const char *body, size_t len, int64_t now, ns_api_reply *r);

/* The connection table (server_conn.c): every open connection with its
 * peer and deadline, so that the per-address cap and the deadlines, which
 * libmicrohttpd does not have, are kept here. */
enum ns_api_phase {
	NS_API_PHASE_HEADERS, /* accepted, headers not all in */
	NS_API_PHASE_BODY,    /* headers in, the answer not queued yet */
	NS_API_PHASE_SENDING, /* answer queued: the inactivity timeout only */
};

typedef struct ns_api_conn ns_api_conn;

typedef struct ns_api_conns {
	const ns_api_server_config *cfg; /* log sink */
	unsigned max, per_address;       /* limits in force */
	unsigned header_ms, body_ms, evict_ms;
	ns_api_conn *head; /* open connections, newest first */
	unsigned n;        /* in the table */
	unsigned closing;  /* of those, shut down by us, libmicrohttpd not done yet */
} ns_api_conns;

/* Limits from cfg (0: the NS_API_* defaults). */
void ns_api_conns_init(ns_api_conns *t, const ns_api_server_config *cfg);
/* libmicrohttpd's accept policy (cls: the table): refuses, and logs, a
 * connection over the per-address cap, or over the total one unless a
 * connection stalled in its headers can be evicted for it. */
enum MHD_Result ns_api_conns_accept(void *cls, const struct sockaddr *addr, socklen_t len);
/* MHD_OPTION_NOTIFY_CONNECTION (cls: the table): a connection in or out. */
void ns_api_conns_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                         enum MHD_ConnectionNotificationCode toe);
/* MHD_OPTION_UNESCAPE_CALLBACK: decodes %HH in place, unless the part
 * holds a control byte (raw or encoded): then it is left as it is and the
 * connection is marked (ns_api_conn_bad_url). */
size_t ns_api_conns_unescape(void *cls, struct MHD_Connection *c, char *s);
/* The connection's entry (NULL if it has none). */
ns_api_conn *ns_api_conn_of(struct MHD_Connection *c);
/* Move to a later phase: its deadline applies from now on. */
void ns_api_conn_phase(ns_api_conn *k, enum ns_api_phase phase);
int ns_api_conn_bad_url(const ns_api_conn *k);
/* Close (shutdown: libmicrohttpd then sees the end) every connection past
 * its header or body deadline, logging each; returns how many. now_ms: CLOCK_MONOTONIC. */
unsigned ns_api_conns_sweep(ns_api_conns *t, int64_t now_ms);
/* Milliseconds until the next deadline (-1: none). */
int64_t ns_api_conns_next(const ns_api_conns *t, int64_t now_ms);

#endif
