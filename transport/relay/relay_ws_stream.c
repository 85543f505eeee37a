/* The WebSocket layer under a resumable stream (relay_ws.h, issue 18): the
 * resume layer's frames go out in binary frames through here (a header,
 * then the bytes the caller shows; control frames only between frames),
 * and a RESUME moves the socket's WebSocket and TLS to the connection it
 * resumes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay_int.h"
#include "relay_ws.h"
#include "relay_ws_int.h"
#include "ws_frame.h"

int ns_relay_ws_open(const ns_relay_ws *ws)
{
	return ws->state == WS_OPEN;
}

int ns_relay_ws_resume_only(const ns_relay_ws *ws)
{
	return ws->resume_only;
}

/* The header and the control frames queued, as far as the socket takes
 * them: 1 all out, 0 some wait, -1 the peer is gone. */
static int send_queued(ns_relay_ws *ws, int fd)
{
	ssize_t k;

	while (ws->hoff < ws->hend || (ws->frame_left == 0 && ws->coff < ws->clen)) {
		if (ws->hoff < ws->hend) {
			k = ns_relay_ws_put(ws, fd, ws->hdr + ws->hoff, ws->hend - ws->hoff);
			ws->hoff += k > 0 ? (size_t)k : 0;
		} else {
			k = ns_relay_ws_put(ws, fd, ws->ctl + ws->coff, ws->clen - ws->coff);
			ws->coff += k > 0 ? (size_t)k : 0;
			if (ws->coff == ws->clen) {
				ws->coff = ws->clen = 0;
			}
		}
		if (k <= 0) {
			return (int)(k < 0 ? -1 : 0);
		}
	}
	return ws->hoff == ws->hend && ws->coff == ws->clen;
}

ssize_t ns_relay_ws_send(ns_relay_pipe *p, const uint8_t *b, size_t n)
{
	ns_relay_ws *ws = p->ws;
	size_t taken = 0, len;
	ssize_t k = 1;
	int rc;

	while (ws->state == WS_OPEN && k > 0) {
		if ((rc = send_queued(ws, p->w.fd)) < 0) {
			errno = EPIPE;
			return -1;
		}
		if (rc == 0 || (taken == n && ws->frame_left == 0)) {
			break;
		}
		if (ws->frame_left == 0) { /* a new frame: what the caller shows, at most */
			len = n - taken < NS_RELAY_WS_OUT_FRAME ? n - taken : NS_RELAY_WS_OUT_FRAME;
			ws->hend = ns_ws_frame_header(ws->hdr, NS_WS_OP_BINARY, len, NULL);
			ws->hoff = 0;
			ws->frame_left = len;
			continue;
		}
		if (taken == n) {
			break; /* the frame's rest comes with the caller's next bytes */
		}
		len = n - taken < ws->frame_left ? n - taken : (size_t)ws->frame_left;
		if ((k = ns_relay_ws_put(ws, p->w.fd, b + taken, len)) < 0) {
			errno = EPIPE;
			return -1;
		}
		taken += (size_t)k;
		ws->frame_left -= (uint64_t)k;
	}
	if (taken == 0) {
		errno = EAGAIN;
		return -1;
	}
	return (ssize_t)taken;
}

int ns_relay_ws_push(ns_relay_pipe *p)
{
	ns_relay_ws *ws = p->ws;

	if (p->w.fd < 0) {
		return 0;
	}
	if (send_queued(ws, p->w.fd) < 0) {
		return -1;
	}
	return ws->tls == NULL
	           ? 0
	           : ns_relay_ws_tls_flush(ws->tls, p->w.fd, ws->state == WS_DONE && ws->clen == 0);
}

size_t ns_relay_ws_under(const ns_relay_pipe *p)
{
	const ns_relay_ws *ws = p->ws;

	if (p->w.fd < 0) {
		return 0;
	}
	return (ws->clen - ws->coff) + (ws->hend - ws->hoff) +
	       (ws->tls != NULL ? ns_relay_ws_tls_pending(ws->tls) : 0);
}

void ns_relay_ws_refuse_stream(ns_relay_pipe *p, const char *why)
{
	ns_relay_ws *ws = p->ws;

	fprintf(ws->c->r->log,
	        "relay event=ws-refused conn=%u peer=%s status=- reason=%s sandbox=%s\n", ws->c->id,
	        ws->c->peer, why, ws->sandbox);
	ns_relay_ws_close_with(ws, NS_RELAY_WS_CLOSE_POLICY);
}

void ns_relay_ws_move(ns_relay_conn *from, ns_relay_conn *to)
{
	ns_relay_ws_free(to->front.ws);
	to->front.ws = from->front.ws;
	from->front.ws = NULL;
	to->front.ws->c = to;
	ns_relay_ws_tls_rebind(to->front.ws->tls, to);
}
