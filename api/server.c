/* The control plane's HTTP server on libmicrohttpd, polled from the
 * caller's loop (no threads): URLs and headers with control bytes are
 * refused, routes and API keys checked as soon as the headers are in, POST
 * bodies gathered up to NS_API_BODY_MAX, then server_routes.c answers; the
 * connection limits and deadlines are server_conn.c's. One log line per
 * request, never a header, a body or a credential. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include <microhttpd.h>
#include <sodium.h>

#include "nullspace/error.h"
#include "job.h"
#include "request.h"
#include "server_files.h"
#include "server_int.h"
#include "ws_url.h"

#define CONNECTION_MEMORY (64 * 1024)
#define DISCARD_MAX (1024 * 1024) /* past the limit, before hanging up */

struct ns_api_server {
	ns_api_server_config cfg;
	struct MHD_Daemon *d;
	ns_api_conns conns;
	ns_api_revoked revoked; /* server_revoke.c */
};

/* One request: where it goes and its body so far. */
struct request {
	int route;
	char id[NS_API_ID_MAX + 1];
	char *body;
	size_t len, cap;
	size_t skipped; /* bytes past the limit, dropped */
	int too_big, answered;
	ns_api_xfer *x; /* commands and files routes */
};

static const char FALLBACK[] = "{\"error\":\"the server is out of memory\"}\n";

enum MHD_Result ns_api_queue(const ns_api_server_config *cfg, struct MHD_Connection *c,
                             const char *method, const char *url, ns_api_reply *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret = MHD_NO;

	if (r->body != NULL) {
		resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_COPY);
	} else {
		r->status = 500;
		resp = MHD_create_response_from_buffer(sizeof(FALLBACK) - 1, (void *)FALLBACK,
		                                       MHD_RESPMEM_PERSISTENT);
	}
	if (resp != NULL) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
		if (r->allow != NULL) {
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
		}
		if (r->www_auth) {
			MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
		}
		if (r->etag[0] != '\0') {
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
		}
		/* one request a connection: no idle connection holds a slot */
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
		ret = MHD_queue_response(c, r->status, resp);
		MHD_destroy_response(resp);
	}
	ns_api_log_request(cfg, method, url, r);
	ns_api_reply_clear(r); /* wipes an access answer: MHD holds its own copy */
	ns_api_conn_phase(ns_api_conn_of(c), NS_API_PHASE_SENDING);
	return ret;
}

enum MHD_Result ns_api_queue_stream(const ns_api_server_config *cfg, struct MHD_Connection *c,
                                    const char *method, const char *url, unsigned status,
                                    struct MHD_Response *resp, const char *content_type)
{
	ns_api_reply r;
	enum MHD_Result ret;

	if (resp == NULL) {
		memset(&r, 0, sizeof(r));
		ns_api_reply_error(&r, 500, "the server is out of memory");
		return ns_api_queue(cfg, c, method, url, &r);
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	memset(&r, 0, sizeof(r));
	r.status = status;
	ns_api_log_request(cfg, method, url, &r);
	ns_api_conn_phase(ns_api_conn_of(c), NS_API_PHASE_SENDING);
	return ret;
}

static enum MHD_Result send_reply(const ns_api_server *s, struct MHD_Connection *c,
                                  struct request *q, const char *method, const char *url,
                                  ns_api_reply *r)
{
	q->answered = 1;
	return ns_api_queue(&s->cfg, c, method, url, r);
}

static enum MHD_Result header_check(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
	int *bad = cls;

	(void)kind;
	if (ns_api_header_has_control(key, key_size) ||
	    (value != NULL && ns_api_header_has_control(value, value_size))) {
		*bad = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

/* Control bytes in the URL (raw or %-encoded: server_conn.c saw it before
 * decoding) or in a header: 1 with r holding the 400. */
static int control_bytes(struct MHD_Connection *c, ns_api_reply *r)
{
	int bad = 0;

	if (ns_api_conn_bad_url(ns_api_conn_of(c))) {
		ns_api_reply_error(r, 400,
		                   "the URL holds a control character (raw or %00-%1F, %7F)");
		r->reason = "control-byte-in-url";
		return 1;
	}
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, header_check, &bad);
	if (bad) {
		ns_api_reply_error(r, 400, "a header holds a control character");
		r->reason = "control-byte-in-header";
		return 1;
	}
	return 0;
}

/* Is the Authorization header a Bearer token we know? */
static int authorized(const ns_api_server *s, struct MHD_Connection *c)
{
	const char *h =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	size_t n;

	if (h == NULL || strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t')) {
		return 0;
	}
	for (h += 6; *h == ' ' || *h == '\t'; h++) {
	}
	n = strlen(h);
	while (n > 0 && (h[n - 1] == ' ' || h[n - 1] == '\t')) {
		n--;
	}
	if (n == 0 || n > NS_API_KEY_MAX) {
		return 0;
	}
	return ns_apikeys_check(s->cfg.keys, h, n);
}

static const char *allowed(int route)
{
	switch (route) {
	case NS_ROUTE_HEALTH: return "GET";
	case NS_ROUTE_SANDBOXES: return "GET, POST";
	case NS_ROUTE_SANDBOX: return "GET, DELETE";
	case NS_ROUTE_FILES: return "GET, PUT, DELETE";
	case NS_ROUTE_FILES_LIST: return "GET";
	case NS_ROUTE_FILES_SIGNED: return "GET, PUT";
	case NS_ROUTE_REVOCATIONS: return "GET";
	case NS_ROUTE_ACCESS: return "DELETE";
	default: return "POST"; /* kill, ssh-access, commands, files/url */
	}
}

static int method_ok(int route, const char *method)
{
	const char *list = allowed(route), *p = strstr(list, method);
	size_t n = strlen(method);

	return n > 0 && p != NULL && (p == list || p[-1] == ' ') && (p[n] == '\0' || p[n] == ',');
}

/* What can be answered from the headers alone: 1 when r holds the answer,
 * 0 when the body is needed first. */
static int early(ns_api_server *s, struct MHD_Connection *c, const char *method, const char *url,
                 struct request *q, ns_api_reply *r)
{
	const char *cl;

	if (q->route == NS_ROUTE_HEALTH) {
		if (!method_ok(q->route, method)) {
			r->allow = allowed(q->route);
			ns_api_reply_error(r, 405, "method not allowed (allowed: GET)");
		} else {
			ns_api_reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
		}
		return 1;
	}
	if (ns_api_xfer_needs_key(q->route) && !authorized(s, c)) {
		r->www_auth = 1;
		ns_api_reply_error(r, 401,
		                   "missing or unknown API key (Authorization: Bearer nsk_...)");
		return 1;
	}
	if (q->route == NS_ROUTE_NONE) {
		ns_api_reply_error(r, 404, "no such route");
		return 1;
	}
	if (!method_ok(q->route, method)) {
		char msg[64];

		r->allow = allowed(q->route);
		snprintf(msg, sizeof(msg), "method not allowed (allowed: %s)", r->allow);
		ns_api_reply_error(r, 405, msg);
		return 1;
	}
	if (q->route == NS_ROUTE_REVOCATIONS || q->route == NS_ROUTE_ACCESS) {
		ns_api_revoke_answer(
		    &s->cfg, &s->revoked, q->route, q->id, url,
		    MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
		    (int64_t)time(NULL), r);
		return 1;
	}
	if (ns_api_xfer_route(q->route)) {
		if (s->cfg.agent_key == NULL || s->cfg.url_secret == NULL) {
			ns_api_reply_error(r, 500,
			                   "the Commands and Files APIs are not configured");
			return 1;
		}
		return 0; /* server_files.c from here on */
	}
	if (strcmp(method, "POST") != 0) {
		ns_api_dispatch(&s->cfg, method, q->route, q->id, NULL, 0, (int64_t)time(NULL), r);
		return 1;
	}
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL && strtoull(cl, NULL, 10) > NS_API_BODY_MAX) {
		ns_api_reply_error(r, 413, "the request body is over 64 KiB");
		return 1;
	}
	return 0;
}

static int append(struct request *q, const char *data, size_t n)
{
	char *p;
	size_t cap;

	if (n > NS_API_BODY_MAX - q->len) {
		return NS_ERR_TOOBIG;
	}
	if (q->len + n > q->cap) {
		cap = q->cap == 0 ? 1024 : q->cap;
		while (cap < q->len + n) {
			cap *= 2;
		}
		cap = cap > NS_API_BODY_MAX ? NS_API_BODY_MAX : cap;
		if ((p = realloc(q->body, cap)) == NULL) {
			return NS_ERR_NOMEM;
		}
		q->body = p;
		q->cap = cap;
	}
	memcpy(q->body + q->len, data, n);
	q->len += n;
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	ns_api_server *s = cls;
	struct request *q = *con_cls;
	ns_api_reply r;
	int rc;

	(void)version;
	memset(&r, 0, sizeof(r));
	if (q == NULL) {
		if ((q = calloc(1, sizeof(*q))) == NULL) {
			return MHD_NO;
		}
		*con_cls = q;
		ns_api_conn_phase(ns_api_conn_of(c), NS_API_PHASE_BODY);
		if (control_bytes(c, &r)) {
			return send_reply(s, c, q, method, url, &r);
		}
		q->route = ns_api_route(url, q->id);
		if (early(s, c, method, url, q, &r)) {
			return send_reply(s, c, q, method, url, &r);
		}
		if (ns_api_xfer_route(q->route)) {
			return ns_api_xfer_step(&s->cfg, c, method, url, q->route, q->id, upload,
			                        upload_size, &q->x);
		}
		return MHD_YES;
	}
	if (q->x != NULL) {
		return ns_api_xfer_step(&s->cfg, c, method, url, q->route, q->id, upload,
		                        upload_size, &q->x);
	}
	if (q->answered) {
		*upload_size = 0; /* an early answer is out: the rest is ignored */
		return MHD_YES;
	}
	if (*upload_size > 0) {
		rc = q->too_big ? NS_ERR_TOOBIG : append(q, upload, *upload_size);
		if (rc == NS_ERR_TOOBIG) {
			/* MHD answers only once the upload is over: skip the rest,
			 * or hang up on a client that keeps on sending */
			q->too_big = 1;
			q->skipped += *upload_size;
			rc = q->skipped > DISCARD_MAX ? NS_ERR_TOOBIG : 0;
		}
		*upload_size = 0;
		if (rc != 0) {
			ns_api_reply_error(&r, rc == NS_ERR_TOOBIG ? 413 : 500,
			                   "connection closed");
			ns_api_log_request(&s->cfg, method, url, &r);
			ns_api_reply_clear(&r);
			q->answered = 1;
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (q->too_big) {
		ns_api_reply_error(&r, 413, "the request body is over 64 KiB");
		return send_reply(s, c, q, method, url, &r);
	}
	ns_api_dispatch(&s->cfg, method, q->route, q->id, q->body, q->len, (int64_t)time(NULL), &r);
	return send_reply(s, c, q, method, url, &r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct request *q = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (q != NULL) {
		ns_api_xfer_free(q->x);
		free(q->body);
		free(q);
	}
	*con_cls = NULL;
}

/* listen_host:listen_port as a socket address; flags gets MHD_USE_IPv6. */
static int listen_addr(const ns_api_server_config *cfg, struct sockaddr_storage *ss,
                       unsigned *flags)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (cfg->listen_host == NULL || cfg->listen_port > 65535) {
		return NS_ERR_INVALID;
	}
	if (inet_pton(AF_INET, cfg->listen_host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)cfg->listen_port);
		return 0;
	}
	if (inet_pton(AF_INET6, cfg->listen_host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)cfg->listen_port);
		*flags |= MHD_USE_IPv6;
		return 0;
	}
	return NS_ERR_INVALID;
}

int ns_api_server_start(const ns_api_server_config *cfg, ns_api_server **out, char *err, size_t cap)
{
	struct sockaddr_storage ss;
	char probe[1024];
	ns_ws_url wsu;
	unsigned flags = MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	ns_api_server *s = NULL;
	int rc = NS_ERR_INVALID;

	*out = NULL;
	if (listen_addr(cfg, &ss, &flags) != 0) {
		snprintf(err, cap, "cannot listen on %s:%u: not an IP address and port",
		         cfg->listen_host != NULL ? cfg->listen_host : "(none)", cfg->listen_port);
		goto out;
	}
	if (cfg->keys == NULL || cfg->ca == NULL || !cfg->ca->has_sk || cfg->relay_host == NULL ||
	    cfg->relay_host_key == NULL) {
		snprintf(err, cap,
		         "the API server needs API keys, a CA key and the relay's address");
		goto out;
	}
	/* the relay's address goes into every access answer: check it now */
	if (ns_api_access_command("sb_check", cfg->relay_host, cfg->relay_port, probe,
	                          sizeof(probe)) != 0) {
		snprintf(err, cap, "the relay's address is not a host name or IP address and port");
		goto out;
	}
	/* so is the WebSocket listener's, with the secret that signs for it */
	if (cfg->ws_hostport != NULL &&
	    (ns_ws_url_make(cfg->ws_tls, cfg->ws_hostport, "sb_check", 1, cfg->ws_secret,
	                    cfg->ws_secret_len, probe, sizeof(probe)) != 0 ||
	     ns_ws_url_parse(probe, &wsu) != 0)) {
		snprintf(err, cap,
		         "the WebSocket listener's address or its secret (%u to %u bytes) is bad",
		         NS_WS_SECRET_MIN, NS_WS_SECRET_MAX);
		goto out;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		rc = NS_ERR_NOMEM;
		snprintf(err, cap, "out of memory");
		goto out;
	}
	s->cfg = *cfg;
	if ((rc = ns_api_revoke_start(&s->cfg, &s->revoked, err, cap)) != 0) {
		goto out;
	}
	ns_api_conns_init(&s->conns, &s->cfg);
	ns_job_allow();
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES) {
		flags |= MHD_USE_EPOLL; /* no FD_SETSIZE limit next to the relay's sockets */
	} else if (MHD_is_feature_supported(MHD_FEATURE_POLL) == MHD_YES) {
		flags |= MHD_USE_POLL;
	}
	/* the accept policy refuses past s->conns.max; MHD's own cap is
	 * twice that, so that connections being closed (evicted, late) never
	 * make it stop accepting and leave newcomers in the kernel's queue */
	s->d = MHD_start_daemon(
	    flags, (uint16_t)cfg->listen_port, ns_api_conns_accept, &s->conns, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, ns_api_log_mhd, &s->cfg, /* first, or MHD complains */
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
	    2 * s->conns.max, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)NS_API_IDLE_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
	    MHD_OPTION_NOTIFY_CONNECTION, ns_api_conns_notify, &s->conns,
	    MHD_OPTION_UNESCAPE_CALLBACK, ns_api_conns_unescape, &s->conns,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	if (s->d == NULL) {
		rc = NS_ERR_IO;
		snprintf(err, cap, "cannot listen on %s%s%s:%u (address in use?)",
		         (flags & MHD_USE_IPv6) ? "[" : "", cfg->listen_host,
		         (flags & MHD_USE_IPv6) ? "]" : "", cfg->listen_port);
		goto out;
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	if (s != NULL) {
		ns_api_revoked_free(&s->revoked);
	}
	free(s);
	return rc;
}

int ns_api_server_run(ns_api_server *s, int timeout_ms)
{
	int64_t next;
	int rc = 0;

	if (s == NULL || s->d == NULL) {
		return NS_ERR_INVALID;
	}
	/* wake up in time for the next deadline */
	next = ns_api_conns_next(&s->conns, (int64_t)ns_clock_ms());
	if (next >= 0 && (timeout_ms < 0 || next < timeout_ms)) {
		timeout_ms = (int)next;
	}
	if (MHD_run_wait(s->d, timeout_ms < 0 ? -1 : (int32_t)timeout_ms) != MHD_YES) {
		rc = NS_ERR_IO;
	}
	if (ns_api_conns_sweep(&s->conns, (int64_t)ns_clock_ms()) > 0 && MHD_run(s->d) != MHD_YES) {
		rc = NS_ERR_IO; /* MHD sees the ends now: their slots are free at once */
	}
	return rc;
}

void ns_api_server_stop(ns_api_server *s)
{
	if (s == NULL) {
		return;
	}
	if (s->d != NULL) {
		ns_job_resume_all(); /* MHD refuses to stop with suspended connections */
		MHD_stop_daemon(s->d);
	}
	ns_api_revoked_free(&s->revoked);
	free(s);
}
