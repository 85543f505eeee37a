/* WebSocket frame decoding and header writing: the header is gathered a
 * byte at a time (it may be split anywhere), checked against the rules a
 * relay enforces (masked, binary only, control frames whole and small, a
 * payload cap), then the payload streams out unmasked in place. */
#include <string.h>

#include "ws_frame.h"

void ns_ws_dec_init(ns_ws_dec *d, int want_masked, uint64_t frame_max)
{
	memset(d, 0, sizeof(*d));
	d->want_masked = want_masked;
	d->frame_max = frame_max;
}

void ns_ws_mask(uint8_t *p, size_t n, const uint8_t mask[4], size_t pos)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[i] ^= mask[(pos + i) & 3];
	}
}

static void fail(ns_ws_dec *d, ns_ws_ev *ev, uint16_t code, const char *why)
{
	d->err = code;
	ev->type = NS_WS_EV_ERROR;
	ev->code = code;
	ev->why = why;
}

/* Bytes the header needs in all, from what has come. */
static size_t hdr_need(const ns_ws_dec *d)
{
	size_t n = 2;

	if (d->hlen < 2) {
		return 2;
	}
	n += (d->hdr[1] & 0x7f) == 126 ? 2 : (d->hdr[1] & 0x7f) == 127 ? 8 : 0;
	return n + ((d->hdr[1] & 0x80) ? 4 : 0);
}

/* The header is whole: check it and set up the payload. 0 or fail(). */
static int hdr_done(ns_ws_dec *d, ns_ws_ev *ev)
{
	uint8_t l7 = d->hdr[1] & 0x7f;
	size_t i, m = 2;
	uint64_t len = l7;

	d->fin = (d->hdr[0] & 0x80) != 0;
	d->op = d->hdr[0] & 0x0f;
	d->masked = (d->hdr[1] & 0x80) != 0;
	if (l7 >= 126) {
		size_t k = l7 == 126 ? 2 : 8;
		for (len = 0, i = 0; i < k; i++) {
			len = len << 8 | d->hdr[2 + i];
		}
		m += k;
		if ((l7 == 126 && len < 126) || (l7 == 127 && (len >> 63 || len <= 0xffff))) {
			fail(d, ev, NS_WS_CLOSE_PROTOCOL, "non-minimal-length");
			return -1;
		}
	}
	if (d->masked) {
		memcpy(d->mask, d->hdr + m, 4);
	}
	if (d->hdr[0] & 0x70) {
		fail(d, ev, NS_WS_CLOSE_PROTOCOL, "reserved-bits");
	} else if (d->masked != d->want_masked) {
		fail(d, ev, NS_WS_CLOSE_PROTOCOL,
		     d->want_masked ? "unmasked-frame" : "masked-frame");
	} else if (d->op >= 8 && (d->op > NS_WS_OP_PONG || !d->fin || len > NS_WS_CTL_MAX)) {
		fail(d, ev, NS_WS_CLOSE_PROTOCOL, "bad-control-frame");
	} else if (d->op == NS_WS_OP_TEXT) {
		fail(d, ev, NS_WS_CLOSE_UNSUPPORTED, "text-frame");
	} else if (d->op > NS_WS_OP_BINARY && d->op < 8) {
		fail(d, ev, NS_WS_CLOSE_PROTOCOL, "bad-opcode");
	} else if (d->op < 8 && (d->op == NS_WS_OP_CONT) != d->fragmented) {
		fail(d, ev, NS_WS_CLOSE_PROTOCOL,
		     d->fragmented ? "expected-continuation" : "unexpected-continuation");
	} else if (len > d->frame_max) {
		fail(d, ev, NS_WS_CLOSE_TOO_BIG, "frame-too-big");
	}
	if (d->err != 0) {
		return -1;
	}
	if (d->op < 8) {
		d->fragmented = !d->fin;
	}
	d->in_payload = 1;
	d->left = len;
	d->mpos = 0;
	d->ctl_len = 0;
	d->hlen = 0;
	return 0;
}

/* A control frame's payload is all here. */
static void ctl_done(ns_ws_dec *d, ns_ws_ev *ev)
{
	ev->p = d->ctl;
	ev->len = d->ctl_len;
	if (d->op == NS_WS_OP_PING || d->op == NS_WS_OP_PONG) {
		ev->type = d->op == NS_WS_OP_PING ? NS_WS_EV_PING : NS_WS_EV_PONG;
		return;
	}
	if (d->ctl_len == 1) {
		fail(d, ev, NS_WS_CLOSE_PROTOCOL, "bad-close-frame");
		return;
	}
	ev->code = d->ctl_len >= 2 ? (uint16_t)(d->ctl[0] << 8 | d->ctl[1]) : NS_WS_CLOSE_NO_STATUS;
	if (ev->code < 1000 || ev->code == NS_WS_CLOSE_NO_STATUS || ev->code == 1006 ||
	    ev->code >= 5000) {
		if (d->ctl_len >= 2) {
			fail(d, ev, NS_WS_CLOSE_PROTOCOL, "bad-close-code");
			return;
		}
	}
	d->closed = 1;
	ev->type = NS_WS_EV_CLOSE;
}

void ns_ws_dec_next(ns_ws_dec *d, uint8_t *buf, size_t len, size_t *used, ns_ws_ev *ev)
{
	size_t u = 0, n;

	memset(ev, 0, sizeof(*ev));
	while (u < len && d->err == 0 && !d->closed) {
		if (!d->in_payload) {
			d->hdr[d->hlen++] = buf[u++];
			if (d->hlen < hdr_need(d) || hdr_done(d, ev) != 0) {
				continue;
			}
			if (d->left > 0 || d->op < 8) {
				d->in_payload = d->left > 0;
				continue;
			}
			d->in_payload = 0;
			ctl_done(d, ev);
			break;
		}
		n = len - u < d->left ? len - u : (size_t)d->left;
		if (d->masked) {
			ns_ws_mask(buf + u, n, d->mask, d->mpos);
		}
		d->mpos = (d->mpos + n) & 3;
		d->left -= n;
		d->in_payload = d->left > 0;
		if (d->op < 8) {
			ev->type = NS_WS_EV_DATA;
			ev->p = buf + u;
			ev->len = n;
			u += n;
			break;
		}
		memcpy(d->ctl + d->ctl_len, buf + u, n);
		d->ctl_len += n;
		u += n;
		if (d->left == 0) {
			ctl_done(d, ev);
			break;
		}
	}
	*used = u;
}

size_t ns_ws_frame_header(uint8_t out[NS_WS_HDR_MAX], int op, uint64_t len, const uint8_t mask[4])
{
	size_t n = 2, i;

	out[0] = (uint8_t)(0x80 | (op & 0x0f));
	if (len < 126) {
		out[1] = (uint8_t)len;
	} else if (len <= 0xffff) {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		n = 4;
	} else {
		out[1] = 127;
		for (i = 0; i < 8; i++) {
			out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
		}
		n = 10;
	}
	if (mask != NULL) {
		out[1] |= 0x80;
		memcpy(out + n, mask, 4);
		n += 4;
	}
	return n;
}
