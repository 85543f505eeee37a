/* The WebSocket layer of a relay user connection: the upgrade request is
 * read and the signed URL checked (signature, expiry, the sandbox known and
 * running) before any SSH byte moves; then client frames are unwrapped in
 * place into the engine's input and the engine's output goes out in binary
 * frames, written straight from the engine's buffer (only a header is
 * ever copied). On a wss:// listener the socket's bytes pass through a
 * BearSSL server engine first (relay_ws_tls.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>

#include "net.h"
#include "nullspace/error.h"
#include "relay_int.h"
#include "relay_ws.h"
#include "relay_ws_int.h"
#include "ws_frame.h"
#include "ws_http.h"

int ns_relay_ws_attach(ns_relay_conn *c)
{
	ns_relay_ws *ws = calloc(1, sizeof(*ws));

	if (ws == NULL || (ws->head = malloc(NS_WS_HTTP_HEAD_MAX)) == NULL) {
		free(ws);
		return NS_ERR_NOMEM;
	}
	ws->c = c;
	ns_ws_dec_init(&ws->dec, 1, NS_WS_FRAME_MAX);
	c->front.ws = ws;
	if (c->r->tls != NULL && ns_relay_ws_tls_new(c, &ws->tls) != 0) {
		return NS_ERR_NOMEM;
	}
	return ns_relay_resume_attach(c); /* it waits for the upgrade (ns_relay_ws_open) */
}

void ns_relay_ws_free(ns_relay_ws *ws)
{
	if (ws != NULL) {
		ns_relay_ws_tls_free(ws->tls);
		free(ws->head);
		free(ws);
	}
}

const char *ns_relay_ws_sandbox(const ns_relay_ws *ws)
{
	return ws->sandbox;
}

static void queue(ns_relay_ws *ws, const void *p, size_t n)
{
	if (ws->clen + n <= sizeof(ws->ctl)) { /* else dropped: a pong flood */
		memcpy(ws->ctl + ws->clen, p, n);
		ws->clen += n;
	}
}

static void queue_frame(ns_relay_ws *ws, int op, const uint8_t *p, size_t n)
{
	uint8_t h[NS_WS_HDR_MAX];
	size_t hl = ns_ws_frame_header(h, op, n, NULL);

	if (ws->clen + hl + n <= sizeof(ws->ctl)) {
		queue(ws, h, hl);
		queue(ws, p, n);
	}
}

void ns_relay_ws_close_with(ns_relay_ws *ws, uint16_t code)
{
	uint8_t b[2] = {(uint8_t)(code >> 8), (uint8_t)code};

	queue_frame(ws, NS_WS_OP_CLOSE, b, 2);
	ws->eof = 1;
	ws->state = WS_DONE;
}

static const char *status_text(int status)
{
	switch (status) {
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 410: return "Gone";
	default: return "Bad Request";
	}
}

/* A plain HTTP refusal before the upgrade, one line of reason, logged
 * without the signature. */
static void refuse(ns_relay_ws *ws, int status, const char *reason)
{
	ns_relay_conn *c = ws->c;
	char msg[NS_RELAY_WS_CTL_BUF];
	int n;

	n = snprintf(msg, sizeof(msg),
	             "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
	             "Connection: close\r\n\r\n%s\n",
	             status, status_text(status), strlen(reason) + 1, reason);
	if (n > 0 && (size_t)n < sizeof(msg)) {
		queue(ws, msg, (size_t)n);
	}
	fprintf(c->r->log,
	        "relay event=ws-refused conn=%u peer=%s status=%d reason=%s sandbox=%s\n", c->id,
	        c->peer, status, reason, ws->sandbox[0] != '\0' ? ws->sandbox : "-");
	ws->eof = 1;
	ws->state = WS_DONE;
}

/* The target, with NS_RELAY_WS_RESUME_SUFFIX before the query taken off
 * (ws->resume_only) when the relay resumes connections. */
static ns_ws_refusal parse_target(ns_relay_ws *ws, const ns_ws_http_req *req, ns_ws_target *t)
{
	const size_t sl = sizeof(NS_RELAY_WS_RESUME_SUFFIX) - 1;
	const char *q = memchr(req->target, '?', req->target_len);
	size_t qpos = q != NULL ? (size_t)(q - req->target) : req->target_len;
	char tgt[NS_WS_TARGET_MAX + 1];

	if (ws->c->front.rs == NULL || qpos < sl ||
	    memcmp(req->target + qpos - sl, NS_RELAY_WS_RESUME_SUFFIX, sl) != 0) {
		return ns_ws_target_parse(req->target, req->target_len, t);
	}
	memcpy(tgt, req->target, qpos - sl);
	memcpy(tgt + qpos - sl, req->target + qpos, req->target_len - qpos);
	ws->resume_only = 1;
	return ns_ws_target_parse(tgt, req->target_len - sl, t);
}

/* The head is whole: the URL, then the sandbox, then the 101. */
static void upgrade(ns_relay_ws *ws, const ns_ws_http_req *req)
{
	ns_relay_conn *c = ws->c;
	const ns_relay_config *cfg = c->r->cfg;
	char acc[NS_WS_ACCEPT_LEN + 1], msg[256];
	ns_registry_entry ent;
	ns_ws_target t;
	ns_ws_refusal why;
	int rc, n;

	why = parse_target(ws, req, &t);
	snprintf(ws->sandbox, sizeof(ws->sandbox), "%s", t.sandbox);
	if (why == NS_WS_OK) {
		why = ns_ws_target_verify(&t, cfg->ws_secret, cfg->ws_secret_len,
		                          (uint64_t)time(NULL));
	}
	if (why == NS_WS_EXPIRED && ws->resume_only) {
		why = NS_WS_OK; /* genuine, for this sandbox: the resume token decides */
	}
	if (why != NS_WS_OK) {
		refuse(ws, ns_ws_refusal_status(why), ns_ws_refusal_name(why));
		return;
	}
	rc = ns_registry_lookup(cfg->registry, t.sandbox, &ent);
	if (rc != 0 || ent.state != NS_SANDBOX_RUNNING) {
		refuse(ws, rc == NS_ERR_NOTFOUND ? 404 : 410,
		       rc == NS_ERR_NOTFOUND ? "sandbox-not-found"
		       : rc == 0             ? "sandbox-stopped"
		                             : "registry-error");
		return;
	}
	ns_ws_http_accept(req->key, acc);
	n = snprintf(msg, sizeof(msg),
	             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	             "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
	             acc);
	queue(ws, msg, (size_t)n);
	ws->state = WS_OPEN;
	fprintf(c->r->log, "relay event=ws-upgrade conn=%u peer=%s sandbox=%s%s\n", c->id, c->peer,
	        ws->sandbox, ws->resume_only ? " resume_only=1" : "");
}

/* Bytes while the head is read: n in buf; after an upgrade what followed
 * the head is moved to buf's start, its length returned. */
static size_t head_input(ns_relay_ws *ws, uint8_t *buf, size_t n)
{
	size_t take = n < NS_WS_HTTP_HEAD_MAX - ws->hlen ? n : NS_WS_HTTP_HEAD_MAX - ws->hlen;
	size_t head_len = 0, extra;
	ns_ws_http_req req;
	const char *why;
	int rc;

	memcpy(ws->head + ws->hlen, buf, take);
	ws->hlen += take;
	rc = ns_ws_http_parse(ws->head, ws->hlen, &req, &head_len, &why);
	if (rc == NS_ERR_AGAIN && ws->hlen == NS_WS_HTTP_HEAD_MAX) {
		refuse(ws, 400, "head-too-large"); /* full, and no end in it */
		return 0;
	}
	if (rc == NS_ERR_AGAIN) {
		return 0;
	}
	if (rc != 0) {
		refuse(ws, 400, why);
		return 0;
	}
	upgrade(ws, &req);
	if (ws->state != WS_OPEN) {
		return 0;
	}
	extra = ws->hlen - head_len; /* < take: the old bytes held no end */
	memmove(buf + extra, buf + take, n - take);
	memcpy(buf, ws->head + head_len, extra);
	free(ws->head); /* an open connection keeps no head buffer */
	ws->head = NULL;
	return extra + n - take;
}

/* Unwrap frames in buf (n bytes) to their payload at buf's start. */
static size_t unwrap(ns_relay_ws *ws, uint8_t *buf, size_t n)
{
	ns_relay_conn *c = ws->c;
	size_t off = 0, out = 0, used;
	ns_ws_ev ev;

	while (off < n && !ws->eof) {
		ns_ws_dec_next(&ws->dec, buf + off, n - off, &used, &ev);
		off += used;
		switch (ev.type) {
		case NS_WS_EV_DATA:
			memmove(buf + out, ev.p, ev.len);
			out += ev.len;
			break;
		case NS_WS_EV_PING: queue_frame(ws, NS_WS_OP_PONG, ev.p, ev.len); break;
		case NS_WS_EV_CLOSE:
			fprintf(c->r->log, "relay event=ws-close conn=%u by=peer code=%u\n", c->id,
			        ev.code);
			ns_relay_ws_close_with(
			    ws, ev.code == NS_WS_CLOSE_NO_STATUS ? NS_WS_CLOSE_NORMAL : ev.code);
			break;
		case NS_WS_EV_ERROR:
			fprintf(
			    c->r->log,
			    "relay event=ws-error conn=%u peer=%s reason=%s code=%u sandbox=%s\n",
			    c->id, c->peer, ev.why, ev.code, ws->sandbox);
			ns_relay_ws_close_with(ws, ev.code);
			break;
		default:
			if (used == 0) {
				off = n;
			}
			break;
		}
	}
	return out;
}

ssize_t ns_relay_ws_recv(ns_relay_pipe *p, uint8_t *buf, size_t cap)
{
	ns_relay_ws *ws = p->ws;
	ssize_t n;
	size_t got;

	for (;;) {
		if (ws->eof) {
			return 0;
		}
		n = ws->tls != NULL ? ns_relay_ws_tls_recv(ws->tls, p->w.fd, buf, cap)
		                    : recv(p->w.fd, buf, cap, 0);
		if (n <= 0) {
			return n;
		}
		got = (size_t)n;
		if (ws->state == WS_HEAD) {
			got = head_input(ws, buf, got);
		}
		if (got > 0 && ws->state == WS_OPEN) {
			got = unwrap(ws, buf, got);
		}
		if (got > 0) {
			return (ssize_t)got; /* an EOF it met comes on the next call */
		}
	}
}

/* Send p..p+n; how much went, or -1 once the peer is gone (errno EAGAIN
 * gives 0). */
ssize_t ns_relay_ws_put(ns_relay_ws *ws, int fd, const uint8_t *b, size_t n)
{
	ssize_t k;

	do {
		k = ws->tls != NULL ? ns_relay_ws_tls_send(ws->tls, fd, b, n)
		                    : send(fd, b, n, MSG_NOSIGNAL);
	} while (k < 0 && errno == EINTR);
	if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		return 0;
	}
	return k <= 0 ? -1 : k;
}

/* One step; 1 to go on, 0 to stop, -1 when the peer is gone. */
static int flush_step(ns_relay_pipe *p, ns_relay_ws *ws)
{
	const uint8_t *out;
	size_t len;
	ssize_t k;

	if (ws->hoff < ws->hend) {
		k = ns_relay_ws_put(ws, p->w.fd, ws->hdr + ws->hoff, ws->hend - ws->hoff);
		ws->hoff += k > 0 ? (size_t)k : 0;
		return k < 0 ? -1 : ws->hoff == ws->hend;
	}
	out = ns_engine_output(p->e, &len);
	if (ws->frame_left > 0) {
		len = len < ws->frame_left ? len : (size_t)ws->frame_left;
		if (len == 0) {
			return 0; /* cannot happen: the engine's output only grows */
		}
		k = ns_relay_ws_put(ws, p->w.fd, out, len);
		if (k > 0) {
			ns_engine_output_ack(p->e, (size_t)k);
			ws->frame_left -= (uint64_t)k;
		}
		return k < 0 ? -1 : k > 0;
	}
	if (ws->coff < ws->clen) {
		k = ns_relay_ws_put(ws, p->w.fd, ws->ctl + ws->coff, ws->clen - ws->coff);
		ws->coff += k > 0 ? (size_t)k : 0;
		if (ws->coff == ws->clen) {
			ws->coff = ws->clen = 0;
		}
		return k < 0 ? -1 : ws->clen == 0;
	}
	if (ws->state == WS_OPEN && len == 0 && ws->close_after) {
		fprintf(ws->c->r->log, "relay event=ws-close conn=%u by=relay code=%u\n", ws->c->id,
		        (unsigned)NS_WS_CLOSE_NORMAL);
		ns_relay_ws_close_with(ws, NS_WS_CLOSE_NORMAL); /* after every SSH byte */
		return 1;
	}
	if (ws->state != WS_OPEN || len == 0) {
		return 0;
	}
	len = len < NS_RELAY_WS_OUT_FRAME ? len : NS_RELAY_WS_OUT_FRAME;
	ws->hend = ns_ws_frame_header(ws->hdr, NS_WS_OP_BINARY, len, NULL);
	ws->hoff = 0;
	ws->frame_left = len;
	return 1;
}

int ns_relay_ws_flush(ns_relay_pipe *p)
{
	int rc;

	if (p->rs != NULL) {
		return ns_relay_resume_flush(p); /* it sends through ns_relay_ws_send */
	}
	if (p->w.fd < 0) {
		return 0;
	}
	while ((rc = flush_step(p, p->ws)) > 0) {
	}
	if (rc == 0 && p->ws->tls != NULL) {
		rc = ns_relay_ws_tls_flush(p->ws->tls, p->w.fd,
		                           p->ws->state == WS_DONE && p->ws->clen == 0);
	}
	if (rc < 0) {
		p->pump.sock_eof = 1;
		return -1;
	}
	return 0;
}

void ns_relay_ws_end(ns_relay_pipe *p)
{
	if (p->rs != NULL) {
		return; /* the resumable stream ends with its END frame */
	}
	p->ws->close_after = 1;
	(void)ns_relay_ws_flush(p);
}

size_t ns_relay_ws_pending(const ns_relay_pipe *p)
{
	const ns_relay_ws *ws = p->ws;
	size_t eng = 0;

	if (p->rs == NULL && (ws->state == WS_OPEN || ws->frame_left > 0)) {
		ns_engine_output(p->e, &eng);
	}
	/* a close still owed counts: the connection lingers until it is sent */
	return (ws->clen - ws->coff) + (ws->hend - ws->hoff) + eng +
	       (ws->state == WS_OPEN && ws->close_after) +
	       (ws->tls != NULL ? ns_relay_ws_tls_pending(ws->tls) : 0);
}

int ns_relay_ws_listen(ns_relay *r)
{
	const ns_relay_config *cfg = r->cfg;
	char err[256];
	int fd;

	if (cfg->ws_listen == NULL) {
		return 0;
	}
	if (cfg->ws_secret == NULL || cfg->ws_secret_len < NS_WS_SECRET_MIN ||
	    cfg->ws_secret_len > NS_WS_SECRET_MAX) {
		fprintf(r->log,
		        "relay event=error what=websocket-secret error=\"%u to %u bytes\"\n",
		        NS_WS_SECRET_MIN, NS_WS_SECRET_MAX);
		return NS_ERR_INVALID;
	}
	if (cfg->tls_cert != NULL && ns_relay_ws_tls_load(r) != 0) {
		return NS_ERR_INVALID;
	}
	if ((fd = ns_net_listen(cfg->ws_listen, err, sizeof(err))) < 0) {
		fprintf(r->log, "relay event=error what=websocket-listen error=\"%s\"\n", err);
		return fd;
	}
	ns_watch_init(&r->wsock, fd, ns_watch_token(NS_RELAY_WATCH_WS_LISTEN, 0, 0, 0));
	ns_net_set_nonblock(fd, 1);
	if (ns_watch_set(r->epfd, &r->wsock, EPOLLIN) != 0) {
		return NS_ERR_IO;
	}
	fprintf(r->log, "relay event=websocket-listen addr=%s tls=%s frame_max=%u\n",
	        cfg->ws_listen, r->tls != NULL ? ns_relay_ws_tls_kind(r) : "no",
	        (unsigned)NS_WS_FRAME_MAX);
	return 0;
}
