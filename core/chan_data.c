/* Channel data and flow control (RFC 4254 5.2): DATA / EXTENDED_DATA both
 * ways, never past the peer's window or max packet, our window reopened as
 * the caller reports data consumed, and the peer's window adjusts. */
#include "chan.h"

/* Data bytes that fit in the output in packets of at most mp bytes, leaving
 * NS_CHAN_OUT_RESERVE free for control messages (and the owed replies'
 * room alone), and never filling it past NS_CHAN_DATA_OUT_HIGH. */
static size_t out_capacity(const ns_engine *e, size_t mp)
{
	size_t room = ns_chan_out_free(e), pending = e->out.len - e->out_off, per, cap, rest;

	if (mp == 0 || room <= NS_CHAN_OUT_RESERVE || pending >= NS_CHAN_DATA_OUT_HIGH) {
		return 0;
	}
	room -= NS_CHAN_OUT_RESERVE;
	if (room > NS_CHAN_DATA_OUT_HIGH - pending) {
		room = NS_CHAN_DATA_OUT_HIGH - pending;
	}
	per = mp + NS_PACKET_OVERHEAD + NS_CHAN_DATA_HEADER;
	cap = room / per * mp;
	rest = room % per;
	if (rest > per - mp) {
		cap += rest - (per - mp);
	}
	return cap;
}

static size_t data_max(const ns_channel *c)
{
	return c->remote_max_packet < NS_CHAN_DATA_MAX ? c->remote_max_packet : NS_CHAN_DATA_MAX;
}

uint32_t ns_channel_window(const ns_engine *e, uint32_t id)
{
	const ns_channel *c;

	if (e->chans == NULL || id >= e->nchans) {
		return 0;
	}
	c = &e->chans[id];
	if (c->state != NS_CH_OPEN || c->sent_eof || c->sent_close) {
		return 0;
	}
	return c->remote_window;
}

size_t ns_channel_writable(const ns_engine *e, uint32_t id)
{
	const ns_channel *c;
	size_t cap;

	if (!ns_eng_can_send(e) || e->chans == NULL || id >= e->nchans) {
		return 0;
	}
	c = &e->chans[id];
	if (c->state != NS_CH_OPEN || c->sent_eof || c->sent_close) {
		return 0;
	}
	cap = out_capacity(e, data_max(c));
	return cap < c->remote_window ? cap : c->remote_window;
}

int ns_channel_write(ns_engine *e, uint32_t id, uint32_t ext, const uint8_t *data, size_t len,
                     size_t *accepted)
{
	size_t done = 0, n, w, hl;
	uint8_t hdr[13];
	ns_channel *c;
	int rc;

	*accepted = 0;
	if ((rc = ns_chan_lookup(e, id, &c)) != 0) {
		return rc;
	}
	if (ext > 1 || (data == NULL && len > 0)) {
		return NS_ERR_INVALID;
	}
	if (c->state != NS_CH_OPEN || c->sent_eof || c->sent_close) {
		return NS_ERR_STATE;
	}
	/* Writable is rechecked per packet: a packet may start a rekey. */
	while (done < len && (w = ns_channel_writable(e, id)) > 0) {
		n = len - done;
		n = n < w ? n : w;
		n = n < data_max(c) ? n : data_max(c);
		/* the header here, the data copied once, into the packet */
		hl = 0;
		hdr[hl++] = ext ? SSH_MSG_CHANNEL_EXTENDED_DATA : SSH_MSG_CHANNEL_DATA;
		ns_store32(hdr + hl, c->remote_id); /* recipient channel */
		hl += 4;
		if (ext) {
			ns_store32(hdr + hl,
			           ext); /* data_type_code: 1 = SSH_EXTENDED_DATA_STDERR */
			hl += 4;
		}
		ns_store32(hdr + hl, (uint32_t)n); /* string data: its length ... */
		hl += 4;
		if ((rc = ns_eng_send_data(e, hdr, hl, data + done, n)) != 0) {
			break;
		}
		c->remote_window -= (uint32_t)n;
		done += n;
	}
	if (done < len && c->remote_window == 0) {
		c->blocked = 1; /* NS_EV_WRITABLE when it reopens */
	}
	*accepted = done;
	return rc;
}

int ns_channel_consumed(ns_engine *e, uint32_t id, size_t n)
{
	ns_channel *c;
	uint32_t gap;
	ns_buf *m;
	int rc;

	if ((rc = ns_chan_lookup(e, id, &c)) != 0) {
		return rc;
	}
	if (n > c->unacked) {
		return NS_ERR_INVALID;
	}
	c->unacked -= (uint32_t)n;
	if (c->recv_eof || c->sent_close) {
		return 0; /* no more data will come */
	}
	/* Consumed and not yet given back; batched to a quarter of the window
	 * (NS_CHAN_ADJUST_DIV): half, as before, left a relay's sender, behind
	 * two such batches, waiting on an empty window half the time. */
	gap = c->local_window_max - c->local_window - c->unacked;
	if (gap == 0 || gap < c->local_window_max / NS_CHAN_ADJUST_DIV ||
	    ns_chan_out_free(e) < 16 + NS_PACKET_OVERHEAD) {
		return 0; /* (no room: the next call retries) */
	}
	m = ns_eng_msg(e, SSH_MSG_CHANNEL_WINDOW_ADJUST);
	ns_wr_u32(m, c->remote_id); /* recipient channel */
	ns_wr_u32(m, gap);          /* bytes to add */
	if ((rc = ns_eng_send(e)) != 0) {
		return rc;
	}
	c->local_window += gap;
	return 0;
}

int ns_chan_on_window_adjust(ns_engine *e, ns_rd *r)
{
	uint32_t id, add, was;
	ns_channel *c;
	ns_event *ev;

	ns_rd_u32(r, &id);  /* recipient channel */
	ns_rd_u32(r, &add); /* bytes to add */
	if (ns_rd_end(r) != 0) {
		return ns_eng_fail(e, NS_ERR_FORMAT, NS_DISC_PROTOCOL_ERROR,
		                   "malformed CHANNEL_WINDOW_ADJUST");
	}
	if ((c = ns_chan_peer_target(e, id, SSH_MSG_CHANNEL_WINDOW_ADJUST)) == NULL) {
		return e->err;
	}
	/* RFC 4254 5.2: the window must not be increased above 2^32 - 1. */
	if ((uint64_t)c->remote_window + add > UINT32_MAX) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "channel window adjusted beyond 2^32-1 bytes");
	}
	was = c->remote_window;
	c->remote_window += add;
	if (add > 0 && (c->blocked || was == 0) && !c->sent_eof && !c->sent_close) {
		c->blocked = 0;
		if ((ev = ns_eng_emit(e, NS_EV_WRITABLE)) != NULL) {
			ev->channel = id;
		}
	}
	return 0;
}

int ns_chan_on_data(ns_engine *e, ns_rd *r, int extended)
{
	uint32_t id, code = 0;
	ns_channel *c;
	ns_event *ev;
	ns_str data;

	ns_rd_u32(r, &id); /* recipient channel */
	if (extended) {
		ns_rd_u32(r, &code); /* data_type_code */
	}
	ns_rd_string(r, &data); /* data */
	if (ns_rd_end(r) != 0) {
		return ns_eng_fail(e, NS_ERR_FORMAT, NS_DISC_PROTOCOL_ERROR,
		                   "malformed CHANNEL_DATA");
	}
	if ((c = ns_chan_peer_target(
	         e, id, extended ? SSH_MSG_CHANNEL_EXTENDED_DATA : SSH_MSG_CHANNEL_DATA)) == NULL) {
		return e->err;
	}
	if (c->recv_eof) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "channel data after CHANNEL_EOF");
	}
	if (data.len > c->local_max_packet) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "channel data larger than the maximum packet size");
	}
	if (data.len > c->local_window) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "channel data beyond the window");
	}
	c->local_window -= (uint32_t)data.len;
	if (data.len == 0 || c->sent_close) {
		return 0; /* nothing to deliver, or the caller closed: dropped */
	}
	c->unacked += (uint32_t)data.len;
	if ((ev = ns_eng_emit(e, NS_EV_CHANNEL_DATA)) != NULL) {
		ev->channel = id;
		ev->ext = code;
		ev->data = data;
	}
	return 0;
}

void ns_chan_kex_done(ns_engine *e)
{
	ns_channel *c;
	ns_event *ev;
	uint32_t i;

	for (i = 0; e->chans != NULL && i < e->nchans; i++) {
		c = &e->chans[i];
		if (c->state == NS_CH_OPEN && !c->sent_eof && !c->sent_close &&
		    c->remote_window > 0) {
			if ((ev = ns_eng_emit(e, NS_EV_WRITABLE)) != NULL) {
				ev->channel = NS_CHANNEL_ALL;
			}
			return;
		}
	}
}
