/* Bytes through a relay splice with end-to-end backpressure. Data from one
 * side goes to the other as far as its window and output allow; the rest
 * waits in a per-direction hold. Window passing: the sender gets window
 * back (ns_channel_consumed) only as the receiver grants it to us, so the
 * sender never has more in flight than the receiver can take, and a
 * stalled receiver leaves (almost) nothing held here: the bytes wait in
 * the two endpoints' windows, not in the relay. What follows the held
 * bytes (exit status, EOF, CLOSE) is relay_state.c's. */
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"

void ns_relay_hold_free(ns_relay_hold *h)
{
	free(h->p);
	memset(h, 0, sizeof(*h));
}

static int hold_append(ns_relay *r, ns_relay_hold *h, const uint8_t *p, size_t n)
{
	uint8_t *np;
	size_t want;

	if (h->off + h->len + n > h->cap && h->off > 0) {
		memmove(h->p, h->p + h->off, h->len);
		h->off = 0;
	}
	if (h->len + n > h->cap) {
		want = h->len + n;
		want = want < 16384 ? 16384 : want;
		np = r != NULL && r->hold_realloc != NULL ? r->hold_realloc(h->p, want)
		                                          : realloc(h->p, want);
		if (np == NULL) {
			return NS_ERR_NOMEM;
		}
		h->p = np;
		h->cap = want;
	}
	memcpy(h->p + h->off + h->len, p, n);
	h->len += n;
	return 0;
}

/* Engines and channel ids of a direction: dst receives, src sent. */
static void ends(ns_relay_conn *c, ns_relay_chan *ch, int dir, ns_engine **dst, uint32_t *did,
                 ns_engine **src, uint32_t *sid)
{
	ns_engine *inner = ch->in != NULL ? ch->in->p.e : NULL;

	(void)c;

	*dst = dir == NS_TO_FRONT ? c->front.e : inner;
	*did = dir == NS_TO_FRONT ? ch->fch : ch->ich;
	*src = dir == NS_TO_FRONT ? inner : c->front.e;
	*sid = dir == NS_TO_FRONT ? ch->ich : ch->fch;
}

/* Give the sender back the window the receiver has granted us: of the
 * bytes forwarded and not yet given back, keep unreleased as many as the
 * receiver's window is short of ours (NS_RELAY_WINDOW). So what the sender
 * may still send plus what is held here never exceeds what the receiver
 * can take: with the receiver stalled (window 0) the sender's window stays
 * closed and the relay holds nothing. */
static void give_back(ns_relay_conn *c, ns_relay_chan *ch, int dir)
{
	ns_engine *dst, *src;
	uint32_t did, sid, win, keep, n;

	ends(c, ch, dir, &dst, &did, &src, &sid);
	if (src == NULL || dst == NULL || ch->fwd[dir] == 0) {
		return;
	}
	win = ns_channel_window(dst, did);
	keep = win >= NS_RELAY_WINDOW ? 0 : NS_RELAY_WINDOW - win;
	if (ch->fwd[dir] > keep) {
		n = ch->fwd[dir] - keep;
		/* cannot fail: fwd counts bytes the sender's engine delivered
		 * and nobody reported consumed yet; a closed channel is a no-op */
		ns_call_check(src, c->r->log, "relay", c->id, "channel_consumed",
		              ns_channel_consumed(src, sid, n));
		ch->fwd[dir] -= n;
	}
}

/* Send what the receiving side's engine holds, now; 1 if any went. */
static int send_now(ns_relay_conn *c, ns_relay_chan *ch, int dir)
{
	ns_relay_pipe *p = dir == NS_TO_FRONT ? &c->front : ch->in != NULL ? &ch->in->p : NULL;
	size_t before = 0, after = 0;

	if (p == NULL || p->e == NULL || p->w.fd < 0 || p->pump.sock_eof || p->pump.wblocked) {
		return 0; /* (a full socket: its EPOLLOUT pump sends, not each DATA) */
	}
	ns_engine_output(p->e, &before);
	ns_relay_pipe_flush(p);
	ns_engine_output(p->e, &after);
	return after < before;
}

void ns_relay_flow_data(ns_relay_conn *c, ns_relay_chan *ch, int dir, uint32_t ext, ns_str d)
{
	ns_relay_hold *h = &ch->hold[dir][ext != 0];
	ns_engine *dst, *src;
	uint32_t did, sid;
	size_t took = 0;

	ends(c, ch, dir, &dst, &did, &src, &sid);
	c->r->stats.bytes[dir] += d.len;
	c->moved = 1; /* keep-awake: relay_activity.c reads and clears it */
	if (dir == NS_TO_FRONT) {
		ch->bytes_out += d.len;
	} else {
		ch->bytes_in += d.len;
	}
	if (h->len == 0 && dst != NULL) {
		ns_call_check(dst, c->r->log, "relay", c->id, "channel_write",
		              ns_channel_write(dst, did, ext != 0, d.p, d.len, &took));
		if (took < d.len && ns_channel_window(dst, did) > 0 && send_now(c, ch, dir)) {
			/* the output was full, not the window: sent, so the rest
			 * goes straight in too instead of through a hold (a copy
			 * more, and half of a bulk stream took that way) */
			size_t more = 0;
			ns_call_check(
			    dst, c->r->log, "relay", c->id, "channel_write",
			    ns_channel_write(dst, did, ext != 0, d.p + took, d.len - took, &more));
			took += more;
		}
		ch->fwd[dir] += (uint32_t)took;
	}
	if (took < d.len && hold_append(c->r, h, d.p + took, d.len - took) != 0) {
		/* never report bytes as taken that are lost: the connection ends,
		 * its user told why (the DISCONNECT message) */
		fprintf(c->r->log, "relay event=error conn=%u what=hold error=no-memory\n", c->id);
		/* NS_ERR_CLOSED only: then it is closing already */
		(void)!ns_engine_disconnect(c->front.e, NS_DISC_BY_APPLICATION,
		                            "relay out of memory");
		return;
	}
	if (dir == NS_TO_INNER && h->len > 0) {
		ns_relay_mux_wait(ch); /* swept again when the agent's output drains */
	}
	give_back(c, ch, dir);
}

void ns_relay_flow_stderr(ns_relay_chan *ch, const char *msg)
{
	/* a notice: without memory for it the splice ends all the same */
	(void)hold_append(NULL, &ch->hold[NS_TO_FRONT][1], (const uint8_t *)msg, strlen(msg));
}

int ns_relay_flow_flush(ns_relay_conn *c, ns_relay_chan *ch, int dir)
{
	ns_engine *dst, *src;
	uint32_t did, sid, x;
	size_t took;
	int moved = 0;

	ends(c, ch, dir, &dst, &did, &src, &sid);
	for (x = 0; x < 2 && dst != NULL; x++) {
		ns_relay_hold *h = &ch->hold[dir][x];
		if (h->len == 0) {
			continue;
		}
		took = 0;
		ns_call_check(dst, c->r->log, "relay", c->id, "channel_write",
		              ns_channel_write(dst, did, x, h->p + h->off, h->len, &took));
		if (src != NULL && (dir == NS_TO_FRONT ? ch->istate : ch->fstate) == NS_RS_OPEN) {
			ch->fwd[dir] += (uint32_t)took;
		}
		h->off += took;
		h->len -= took;
		moved |= took > 0;
		if (h->len == 0) {
			ns_relay_hold_free(h); /* drained: the buffer goes back */
		} else if (dir == NS_TO_INNER) {
			ns_relay_mux_wait(ch);
		}
	}
	if ((dir == NS_TO_FRONT ? ch->istate : ch->fstate) == NS_RS_OPEN) {
		give_back(c, ch, dir);
	}
	return moved;
}
