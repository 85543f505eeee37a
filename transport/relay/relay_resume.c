/* Resumable relay connections (relay_resume.h), the per-socket part: the
 * version line out raw at once, the sniff of the first byte, frames in
 * (DATA unwrapped in place into the engine's input, ACKs, END), the
 * engine's output through the replay buffer out in frames, detaching on a
 * lost socket, and the timers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "nullspace/error.h"
#include "relay_int.h"

/* The socket under the frames: straight, or a WebSocket's binary frames
 * (relay_ws.c; not before its upgrade). */
static ssize_t sock_send(ns_relay_pipe *p, const uint8_t *b, size_t n)
{
	return p->ws != NULL ? ns_relay_ws_send(p, b, n) : send(p->w.fd, b, n, MSG_NOSIGNAL);
}

static ssize_t sock_recv(ns_relay_pipe *p, uint8_t *buf, size_t cap)
{
	return p->ws != NULL ? ns_relay_ws_recv(p, buf, cap) : recv(p->w.fd, buf, cap, 0);
}

/* The engine's version line (the start of its output) out raw, as much as
 * the socket takes: 0, or -1 when the socket failed. */
static int send_version(ns_relay_pipe *p)
{
	ns_relay_resume *rs = p->rs;
	const uint8_t *out;
	size_t len = 0;
	ssize_t n;

	while (rs->ver_left > 0 && p->w.fd >= 0) {
		out = ns_engine_output(p->e, &len);
		n = sock_send(p, out, rs->ver_left < len ? rs->ver_left : len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			p->pump.wblocked = 1;
			return 0;
		}
		if (n <= 0) {
			return -1;
		}
		ns_engine_output_ack(p->e, (size_t)n);
		rs->ver_left -= (size_t)n;
	}
	return 0;
}

int ns_relay_resume_attach(ns_relay_conn *c)
{
	ns_relay_resume *rs;
	const uint8_t *out, *nl;
	size_t len = 0;

	if (c->r->cfg->resume_grace_ms == 0) {
		return 0;
	}
	if ((rs = calloc(1, sizeof(*rs))) == NULL) {
		return NS_ERR_NOMEM;
	}
	rs->c = c;
	rs->state = NS_RRS_SNIFF;
	ns_resume_dec_init(&rs->dec);
	ns_resume_tx_init(&rs->tx);
	c->front.rs = rs;
	out = ns_engine_output(c->front.e, &len);
	nl = len > 0 ? memchr(out, '\n', len) : NULL; /* a new engine's output starts with it */
	rs->ver_left = nl != NULL ? (size_t)(nl - out) + 1 : 0;
	if (send_version(&c->front) != 0) {
		c->front.pump.sock_eof = 1; /* the peer is gone already */
	}
	return 0;
}

void ns_relay_resume_free(ns_relay_resume *rs)
{
	if (rs != NULL) {
		ns_resume_tx_free(&rs->tx);
		free(rs->cert);
		free(rs->renewed);
		sodium_memzero(rs, sizeof(*rs));
		free(rs);
	}
}

/* A plain SSH connection after all: the layer goes. */
static void go_plain(ns_relay_pipe *p)
{
	ns_relay_resume_free(p->rs);
	p->rs = NULL;
}

static void log_refused(ns_relay_resume *rs, const char *why)
{
	fprintf(rs->c->r->log, "relay event=resume-refused conn=%u peer=%s reason=%s\n", rs->c->id,
	        rs->c->peer, why);
}

/* A REFUSE naming why, then the socket closes (the caller logged it). */
void ns_relay_resume_refuse(ns_relay_resume *rs, const char *why)
{
	uint8_t f[NS_RESUME_HDR_MAX];

	(void)ns_resume_tx_ctl(&rs->tx, f, ns_resume_put_text(f, NS_RF_REFUSE, why));
	rs->state = NS_RRS_REFUSED;
}

/* A hello refused: logged once, then refused. */
static void refuse_hello(ns_relay_resume *rs, const char *why)
{
	log_refused(rs, why);
	ns_relay_resume_refuse(rs, why);
}

/* A lost socket detaches (rather than ends) the connection: it is open
 * and not ending. */
static int resumable(const ns_relay_resume *rs)
{
	return rs->state == NS_RRS_OPEN && !rs->tx.end_due && !rs->c->closing;
}

/* The socket is lost: keep the connection for the grace time. */
static void detach(ns_relay_resume *rs, const char *why)
{
	ns_relay_conn *c = rs->c;

	ns_watch_close(c->r->epfd, &c->front.w);
	rs->state = NS_RRS_DETACHED;
	rs->detached_at = c->r->now;
	rs->detach_deadline = c->r->now + c->r->cfg->resume_grace_ms;
	ns_resume_dec_init(&rs->dec);
	fprintf(c->r->log, "relay event=resume-detached conn=%u reason=%s grace=%u\n", c->id, why,
	        (unsigned)(c->r->cfg->resume_grace_ms / 1000));
	ns_relay_dirty(c);
}

void ns_relay_resume_accept(ns_relay_resume *rs)
{
	uint8_t f[NS_RESUME_ACCEPT_LEN];

	randombytes_buf(rs->token, sizeof(rs->token));
	(void)ns_resume_tx_ctl(&rs->tx, f,
	                       ns_resume_put_accept(f, rs->c->id, rs->token, rs->tx.recvd,
	                                            rs->c->r->cfg->resume_grace_ms / 1000));
	rs->tx.ack_sent = rs->tx.recvd; /* the ACCEPT says it */
	rs->state = NS_RRS_OPEN;
}

/* One whole frame (not DATA): 0 to go on, -1 to stop reading. */
static int on_frame(ns_relay_resume *rs, const ns_resume_ev *ev)
{
	char tag[9];

	if (rs->state == NS_RRS_HELLO && ev->frame == NS_RF_NEW && rs->c->front.ws != NULL &&
	    ns_relay_ws_resume_only(rs->c->front.ws)) {
		refuse_hello(rs, "resume-only"); /* a NEW needs a URL still valid */
		return -1;
	}
	if (rs->state == NS_RRS_HELLO && ev->frame == NS_RF_NEW) {
		ns_relay_resume_accept(rs);
		ns_relay_resume_token_tag(rs->token, tag);
		fprintf(rs->c->r->log, "relay event=resume-new conn=%u token=%s\n", rs->c->id, tag);
		return 0;
	}
	if (rs->state == NS_RRS_HELLO && ev->frame == NS_RF_RESUME) {
		ns_relay_resume_adopt(rs, ev);
		return -1;
	}
	if (rs->state == NS_RRS_OPEN && ev->frame == NS_RF_ACK) {
		if (ns_resume_tx_ack(&rs->tx, ev->count) == 0) {
			return 0;
		}
		log_refused(rs, "bad-ack");
		rs->state = NS_RRS_PEER_END;
		return -1;
	}
	if (rs->state == NS_RRS_OPEN && ev->frame == NS_RF_END) {
		fprintf(rs->c->r->log, "relay event=resume-end conn=%u by=proxy\n", rs->c->id);
		rs->state = NS_RRS_PEER_END;
		return -1;
	}
	if (rs->state == NS_RRS_HELLO) {
		refuse_hello(rs, "bad-hello");
		return -1;
	}
	log_refused(rs, "unexpected-frame");
	rs->state = NS_RRS_PEER_END;
	return -1;
}

/* Frames in buf[off, n): DATA payloads moved to buf's start; their
 * length. */
static size_t unwrap(ns_relay_resume *rs, uint8_t *buf, size_t off, size_t n)
{
	size_t out = 0, used;
	ns_resume_ev ev;

	while (off < n) {
		ns_resume_dec_next(&rs->dec, buf + off, n - off, &used, &ev);
		off += used;
		if (ev.type == NS_REV_DATA && rs->state == NS_RRS_OPEN) {
			memmove(buf + out, ev.p, ev.len);
			out += ev.len;
			ns_resume_tx_received(&rs->tx, ev.len);
		} else if (ev.type == NS_REV_DATA) {
			refuse_hello(rs, "data-before-hello");
			break;
		} else if (ev.type == NS_REV_CERT && rs->state == NS_RRS_OPEN) {
			ns_relay_renew_piece(rs, ev.p, ev.len, ev.count == 0);
		} else if (ev.type == NS_REV_CERT) {
			refuse_hello(rs, "cert-before-hello");
			break;
		} else if (ev.type == NS_REV_FRAME && on_frame(rs, &ev) != 0) {
			break;
		} else if (ev.type == NS_REV_ERROR && rs->state == NS_RRS_OPEN) {
			log_refused(rs, ev.why);
			rs->state = NS_RRS_PEER_END;
			break;
		} else if (ev.type == NS_REV_ERROR) {
			refuse_hello(rs, ev.why);
			break;
		} else if (ev.type == NS_REV_NONE && used == 0) {
			break;
		}
	}
	return out;
}

/* The magic, byte by byte from buf: where the frames start, or n + 1
 * when it does not match. */
static size_t magic(ns_relay_resume *rs, const uint8_t *buf, size_t n)
{
	size_t i = 0;

	while (i < n && rs->magic_got < NS_RESUME_MAGIC_LEN) {
		if (buf[i++] != (uint8_t)NS_RESUME_MAGIC[rs->magic_got++]) {
			return n + 1;
		}
	}
	if (rs->magic_got == NS_RESUME_MAGIC_LEN && rs->state == NS_RRS_SNIFF) {
		rs->state = NS_RRS_HELLO;
	}
	return i;
}

ssize_t ns_relay_resume_recv(ns_relay_pipe *p, uint8_t *buf, size_t cap)
{
	ns_relay_resume *rs = p->rs;
	size_t got, off;
	ssize_t n;

	for (;;) {
		if (rs->state == NS_RRS_DETACHED || p->w.fd < 0) {
			errno = EAGAIN;
			return rs->state == NS_RRS_DETACHED ? -1 : 0;
		}
		if (rs->state >= NS_RRS_PEER_END) {
			return 0;
		}
		n = sock_recv(p, buf, cap);
		if (n > 0 && rs->state == NS_RRS_SNIFF && rs->magic_got == 0 &&
		    buf[0] != (uint8_t)NS_RESUME_MAGIC[0]) {
			if (p->ws != NULL && ns_relay_ws_resume_only(p->ws)) {
				ns_relay_ws_refuse_stream(p, "resume-only");
				return 0;
			}
			go_plain(p);
			return n;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			return n;
		}
		if (n <= 0 && resumable(rs)) {
			detach(rs, n == 0 ? "eof" : "error");
			errno = EAGAIN;
			return -1;
		}
		if (n <= 0) {
			return n;
		}
		got = (size_t)n;
		off = rs->state <= NS_RRS_HELLO ? magic(rs, buf, got) : 0;
		if (off > got) {
			refuse_hello(rs, "bad-preamble");
			return 0;
		}
		got = unwrap(rs, buf, off, got);
		if (got > 0) {
			return (ssize_t)got; /* an end it met comes on the next call */
		}
	}
}

/* The engine's output into the replay buffer, as much as it takes. */
static void take_output(ns_relay_pipe *p)
{
	ns_relay_resume *rs = p->rs;
	const uint8_t *out;
	size_t len = 0, taken = 0;

	out = ns_engine_output(p->e, &len);
	if (len == 0) {
		return;
	}
	if (ns_resume_tx_put(&rs->tx, out, len, &taken) != 0) {
		fprintf(rs->c->r->log, "relay event=resume-error conn=%u reason=no-memory\n",
		        rs->c->id);
		(void)!ns_engine_disconnect(p->e, NS_DISC_BY_APPLICATION, "relay out of memory");
		return;
	}
	ns_engine_output_ack(p->e, taken);
}

static int flush_frames(ns_relay_pipe *p);

int ns_relay_resume_flush(ns_relay_pipe *p)
{
	int rc = p->ws == NULL || ns_relay_ws_open(p->ws) ? flush_frames(p) : 0;

	if (rc == 0 && p->ws != NULL && ns_relay_ws_push(p) != 0) {
		if (p->rs != NULL && resumable(p->rs)) {
			detach(p->rs, "write-error");
			return 0;
		}
		p->pump.sock_eof = 1;
		return -1;
	}
	return rc;
}

/* The version line, then the frames, as far as the socket takes them. */
static int flush_frames(ns_relay_pipe *p)
{
	ns_relay_resume *rs = p->rs;
	const uint8_t *v;
	size_t k;
	ssize_t n;

	if (send_version(p) != 0) {
		p->pump.sock_eof = 1;
		return -1;
	}
	if (rs->ver_left > 0) {
		return 0; /* frames only after the whole version line */
	}
	if (rs->state == NS_RRS_OPEN || rs->state == NS_RRS_DETACHED ||
	    rs->state == NS_RRS_PEER_END) {
		take_output(p);
	}
	if (rs->state == NS_RRS_SNIFF || rs->state == NS_RRS_DETACHED || p->w.fd < 0) {
		return 0;
	}
	while ((k = ns_resume_tx_next(&rs->tx, &v)) > 0) {
		n = sock_send(p, v, k);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			p->pump.wblocked = 1;
			return 0;
		}
		if (n <= 0 && resumable(rs)) {
			detach(rs, "write-error");
			return 0;
		}
		if (n <= 0) {
			p->pump.sock_eof = 1;
			return -1;
		}
		ns_resume_tx_wrote(&rs->tx, (size_t)n);
		p->pump.wblocked = 0;
		if (rs->state == NS_RRS_OPEN || rs->state == NS_RRS_PEER_END) {
			take_output(p);
		}
	}
	return 0;
}

/* The stream's own bytes waiting (the version line, frames). */
static size_t stream_pending(const ns_relay_pipe *p)
{
	const ns_relay_resume *rs = p->rs;
	size_t eng = 0;

	if (rs->ver_left > 0 && p->w.fd >= 0) {
		return rs->ver_left;
	}
	if (rs->state == NS_RRS_SNIFF || rs->state == NS_RRS_DETACHED || p->w.fd < 0) {
		return 0;
	}
	if (rs->state == NS_RRS_OPEN || rs->state == NS_RRS_PEER_END) {
		ns_engine_output(p->e, &eng);
	}
	return eng + ns_resume_tx_pending(&rs->tx);
}

size_t ns_relay_resume_pending(const ns_relay_pipe *p)
{
	size_t under = p->ws != NULL ? ns_relay_ws_under(p) : 0;

	if (p->ws != NULL && !ns_relay_ws_open(p->ws)) {
		return under; /* the upgrade's answer, a refusal, a close */
	}
	return under + stream_pending(p);
}

void ns_relay_resume_end(ns_relay_pipe *p)
{
	ns_relay_resume *rs = p->rs;
	size_t eng = 0;

	ns_engine_output(p->e, &eng);
	if ((rs->state == NS_RRS_OPEN || rs->state == NS_RRS_PEER_END) && eng == 0) {
		ns_resume_tx_end(&rs->tx, "the SSH connection ended");
	}
	(void)ns_relay_resume_flush(p);
}

void ns_relay_resume_timers(ns_relay_conn *c, uint64_t now)
{
	ns_relay_resume *rs = c->front.rs;

	if (rs == NULL) {
		return;
	}
	if (rs->state == NS_RRS_OPEN && rs->tx.recvd > rs->tx.ack_sent) {
		ns_resume_tx_ack_now(&rs->tx); /* the idle ACK */
		ns_relay_dirty(c);
	}
	if (rs->state == NS_RRS_DETACHED && now >= rs->detach_deadline) {
		fprintf(c->r->log, "relay event=resume-expired conn=%u grace=%u\n", c->id,
		        (unsigned)(c->r->cfg->resume_grace_ms / 1000));
		rs->state = NS_RRS_PEER_END;
		(void)!ns_engine_disconnect(c->front.e, NS_DISC_BY_APPLICATION,
		                            "resume grace time exceeded");
		ns_relay_dirty(c);
	}
}

uint64_t ns_relay_resume_timeout(const ns_relay_conn *c, uint64_t now, uint64_t t)
{
	const ns_relay_resume *rs = c->front.rs;
	uint64_t d;

	if (rs != NULL && rs->state == NS_RRS_OPEN && rs->tx.recvd > rs->tx.ack_sent) {
		d = NS_RELAY_RESUME_IDLE_ACK_MS; /* the idle ACK */
		return d < t ? d : t;
	}
	if (rs == NULL || rs->state != NS_RRS_DETACHED) {
		return t;
	}
	d = rs->detach_deadline > now ? rs->detach_deadline - now : 0;
	return d < t ? d : t;
}
