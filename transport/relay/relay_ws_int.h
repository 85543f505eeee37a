/* The WebSocket layer's state, shared by relay_ws.c (the upgrade, frames
 * in, the engine's output out) and relay_ws_stream.c (under a resumable
 * stream). Private to the two. */
#ifndef NS_TRANSPORT_RELAY_WS_INT_H
#define NS_TRANSPORT_RELAY_WS_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "relay_int.h"
#include "ws_frame.h"

enum { WS_HEAD = 0, WS_OPEN, WS_DONE };

struct ns_relay_ws {
	ns_relay_conn *c;
	int state, eof;
	int close_after; /* the SSH connection ended: a close 1000 after its bytes */
	int resume_only; /* .../ssh/resume: the stream must be a RESUME (exp may be past) */
	uint8_t *head;   /* NS_WS_HTTP_HEAD_MAX bytes until the upgrade */
	size_t hlen;
	ns_ws_dec dec;
	uint8_t ctl[NS_RELAY_WS_CTL_BUF]; /* control frames, HTTP answers */
	size_t coff, clen;
	uint8_t hdr[NS_WS_HDR_MAX]; /* the current data frame's header */
	size_t hoff, hend;
	uint64_t frame_left; /* its payload still owed */
	char sandbox[NS_SANDBOX_ID_MAX + 1];
	ns_relay_ws_tls *tls; /* wss://, or NULL */
};

/* Send b..b+n; how much went, or -1 once the peer is gone (EAGAIN: 0). */
ssize_t ns_relay_ws_put(ns_relay_ws *ws, int fd, const uint8_t *b, size_t n);
/* A close frame with code queued; nothing more is read. */
void ns_relay_ws_close_with(ns_relay_ws *ws, uint16_t code);

#endif
