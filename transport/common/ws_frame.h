/* WebSocket frames (RFC 6455 section 5): a streaming decoder that unmasks
 * in place and hands out data as it arrives (a frame's payload need never
 * be held whole), and the frame header writer. Sans-I/O. */
#ifndef NS_TRANSPORT_WS_FRAME_H
#define NS_TRANSPORT_WS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define NS_WS_FRAME_MAX (1024 * 1024) /* payload bytes of one frame */
#define NS_WS_CTL_MAX 125             /* payload of a control frame */
#define NS_WS_HDR_MAX 14

enum { NS_WS_OP_CONT = 0, NS_WS_OP_TEXT = 1, NS_WS_OP_BINARY = 2 };
enum { NS_WS_OP_CLOSE = 8, NS_WS_OP_PING = 9, NS_WS_OP_PONG = 10 };

/* Close codes. */
#define NS_WS_CLOSE_NORMAL 1000
#define NS_WS_CLOSE_PROTOCOL 1002
#define NS_WS_CLOSE_UNSUPPORTED 1003
#define NS_WS_CLOSE_NO_STATUS 1005
#define NS_WS_CLOSE_TOO_BIG 1009

enum {
	NS_WS_EV_NONE = 0, /* the input is used up */
	NS_WS_EV_DATA,     /* binary payload bytes (p, len), unmasked */
	NS_WS_EV_PING,     /* a whole ping: p, len (at most 125) */
	NS_WS_EV_PONG,
	NS_WS_EV_CLOSE, /* code (1005 when none) */
	NS_WS_EV_ERROR, /* the peer broke the protocol: close with code, why */
};

typedef struct ns_ws_ev {
	int type;
	const uint8_t *p;
	size_t len;
	uint16_t code;
	const char *why;
} ns_ws_ev;

typedef struct ns_ws_dec {
	int want_masked; /* a server: 1, frames must be masked; a client: 0 */
	uint64_t frame_max;
	uint8_t hdr[NS_WS_HDR_MAX];
	size_t hlen;
	int in_payload, op, fin, masked;
	uint64_t left;
	uint8_t mask[4];
	size_t mpos;
	int fragmented; /* a binary message is open */
	uint8_t ctl[NS_WS_CTL_MAX];
	size_t ctl_len;
	int err;    /* sticky close code once broken */
	int closed; /* a close frame came */
} ns_ws_dec;

void ns_ws_dec_init(ns_ws_dec *d, int want_masked, uint64_t frame_max);

/* Decode from buf (len bytes, unmasked in place): *used bytes are taken
 * and at most one event returned. Call again with the rest until
 * NS_WS_EV_NONE. After ERROR or CLOSE, nothing more is read. */
void ns_ws_dec_next(ns_ws_dec *d, uint8_t *buf, size_t len, size_t *used, ns_ws_ev *ev);

/* A frame header (FIN set) for len payload bytes into out; mask NULL:
 * unmasked (a server's frames). The header's length. */
size_t ns_ws_frame_header(uint8_t out[NS_WS_HDR_MAX], int op, uint64_t len, const uint8_t mask[4]);

/* XOR n bytes with mask, the first at mask position pos (0-3). */
void ns_ws_mask(uint8_t *p, size_t n, const uint8_t mask[4], size_t pos);

#endif
