/* One connection of `nullspace proxy` to the relay (proxy_int.h): the
 * dial (an HTTPS_PROXY tunnel, TLS checked or pinned, the WebSocket
 * upgrade with its Sec-WebSocket-Accept checked) on a blocking socket with
 * a deadline, then the stream's bytes in masked binary frames (a fresh
 * random mask each) and out of the relay's frames. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <sodium.h>

#include "nullspace/error.h"
#include "proxy_int.h"
#include "tls_io.h"

static ssize_t raw_read(ns_plink *l, uint8_t *buf, size_t n)
{
	return l->tls != NULL ? ns_tls_recv(ns_tls_client_engine(l->tls), l->fd, buf, n)
	                      : read(l->fd, buf, n);
}

/* Bytes into the socket (TLS: into the engine, records out): how many, or
 * -1 with errno. */
static ssize_t raw_write(ns_plink *l, const uint8_t *p, size_t n)
{
	br_ssl_engine_context *eng;
	ssize_t k;

	if (l->tls == NULL) {
		return send(l->fd, p, n, MSG_NOSIGNAL);
	}
	eng = ns_tls_client_engine(l->tls);
	if ((k = ns_tls_send(eng, l->fd, p, n)) < 0 && errno == EAGAIN &&
	    ns_tls_flush(eng, l->fd) == 0) {
		k = ns_tls_send(eng, l->fd, p, n);
	}
	if (k > 0 && ns_tls_flush(eng, l->fd) < 0) {
		errno = EPIPE;
		return -1;
	}
	return k;
}

static void put_frame(ns_plink *l, int op, const uint8_t *p, size_t n);

int ns_plink_flush(ns_plink *l)
{
	static const uint8_t normal[2] = {NS_WS_CLOSE_NORMAL >> 8, NS_WS_CLOSE_NORMAL & 0xff};
	ssize_t k;

	if (l->olen == 0 && l->close_due == 1) {
		put_frame(l, NS_WS_OP_CLOSE, normal, sizeof(normal)); /* after the last frame */
		l->close_due = 2;
	}
	while (l->ooff < l->olen) {
		k = raw_write(l, l->out + l->ooff, l->olen - l->ooff);
		if (k < 0 && (errno == EINTR)) {
			continue;
		}
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			break;
		}
		if (k <= 0) {
			return -1;
		}
		l->ooff += (size_t)k;
	}
	if (l->ooff == l->olen) {
		l->ooff = l->olen = 0;
	}
	if (l->olen == 0 && l->close_due == 1) {
		return ns_plink_flush(l);
	}
	if (l->tls != NULL && ns_tls_flush(ns_tls_client_engine(l->tls), l->fd) < 0) {
		return -1;
	}
	return 0;
}

/* One masked frame of op with n payload bytes into out (empty). */
static void put_frame(ns_plink *l, int op, const uint8_t *p, size_t n)
{
	uint8_t mask[4];
	size_t hl;

	randombytes_buf(mask, sizeof(mask));
	hl = ns_ws_frame_header(l->out, op, n, mask);
	memcpy(l->out + hl, p, n);
	ns_ws_mask(l->out + hl, n, mask, 0);
	l->ooff = 0;
	l->olen = hl + n;
}

ssize_t ns_plink_send(ns_plink *l, const uint8_t *p, size_t n)
{
	size_t take = n < NS_PLINK_FRAME ? n : NS_PLINK_FRAME;

	if (!l->ws) {
		return send(l->fd, p, n, MSG_NOSIGNAL);
	}
	if (ns_plink_flush(l) != 0) {
		errno = EPIPE;
		return -1;
	}
	if (l->olen > 0) {
		errno = EAGAIN;
		return -1;
	}
	put_frame(l, NS_WS_OP_BINARY, p, take);
	if (ns_plink_flush(l) != 0) {
		errno = EPIPE;
		return -1;
	}
	return (ssize_t)take; /* in the frame: what is queued goes on the next calls */
}

/* Frames in in[ioff, ilen) to payload bytes in buf: how many, 0 at a
 * close, -1 with errno EPROTO on a broken frame. */
static ssize_t decode(ns_plink *l, uint8_t *buf, size_t cap)
{
	size_t out = 0, used, n;
	ns_ws_ev ev;

	while (l->ioff < l->ilen && out < cap) {
		n = l->ilen - l->ioff < cap - out ? l->ilen - l->ioff : cap - out;
		ns_ws_dec_next(&l->dec, l->in + l->ioff, n, &used, &ev);
		l->ioff += used;
		if (ev.type == NS_WS_EV_DATA) {
			memcpy(buf + out, ev.p, ev.len);
			out += ev.len;
		} else if (ev.type == NS_WS_EV_PING && l->olen == 0) {
			put_frame(l, NS_WS_OP_PONG, ev.p, ev.len); /* else dropped: one at a time */
		} else if (ev.type == NS_WS_EV_CLOSE && out == 0) {
			return 0;
		} else if (ev.type == NS_WS_EV_ERROR && out == 0) {
			errno = EPROTO;
			return -1;
		} else if (ev.type == NS_WS_EV_CLOSE || ev.type == NS_WS_EV_ERROR ||
		           (ev.type == NS_WS_EV_NONE && used == 0)) {
			break;
		}
	}
	return (ssize_t)out;
}

ssize_t ns_plink_recv(ns_plink *l, uint8_t *buf, size_t cap)
{
	ssize_t k;

	if (!l->ws) {
		return raw_read(l, buf, cap);
	}
	if (l->dec.closed) {
		return 0; /* the relay's close came after the last data we gave */
	}
	for (;;) {
		if (l->ioff == l->ilen) {
			if ((k = raw_read(l, l->in, sizeof(l->in))) <= 0) {
				return k;
			}
			l->ioff = 0;
			l->ilen = (size_t)k;
		}
		if ((k = decode(l, buf, cap)) != 0 || l->dec.closed || l->dec.err) {
			return k;
		}
		if (l->tls == NULL || !ns_tls_buffered(ns_tls_client_engine(l->tls))) {
			errno = EAGAIN; /* a frame's header alone came */
			return -1;
		}
	}
}

int ns_plink_ready(ns_plink *l)
{
	return (l->ws && l->ioff < l->ilen) ||
	       (l->tls != NULL && ns_tls_buffered(ns_tls_client_engine(l->tls)));
}

size_t ns_plink_pending(ns_plink *l)
{
	return (l->olen - l->ooff) +
	       (l->tls != NULL ? ns_tls_pending(ns_tls_client_engine(l->tls)) : 0);
}

void ns_plink_close(ns_plink *l)
{
	ns_tls_client_free(l->tls);
	if (l->fd >= 0) {
		close(l->fd);
	}
	l->tls = NULL;
	l->fd = -1;
	l->ioff = l->ilen = l->ooff = l->olen = 0;
	l->close_due = 0;
}

void ns_plink_end(ns_plink *l)
{
	if (!l->ws) {
		shutdown(l->fd, SHUT_WR);
	} else if (l->close_due == 0) {
		l->close_due = 1; /* a close 1000 once what is queued is out */
		(void)ns_plink_flush(l);
	}
}
