/* Zero-copy channel output: the caller reads its data (a child's pipe)
 * straight into the packets' places in the engine's output, and the engine
 * seals them there: the agent's download path without ns_channel_write's
 * copy. Same limits as ns_channel_write: window, max packet, output room. */
#include "chan.h"
#include "kex.h"
#include "packet.h"

/* What a write may take now: data per packet, header length and total. */
typedef struct plan {
	ns_channel *c;
	size_t mp, hl, w;
} plan;

static int plan_of(ns_engine *e, uint32_t id, uint32_t ext, plan *pl)
{
	int rc;

	if ((rc = ns_chan_lookup(e, id, &pl->c)) != 0) {
		return rc;
	}
	if (ext > 1) {
		return NS_ERR_INVALID;
	}
	if (pl->c->state != NS_CH_OPEN || pl->c->sent_eof || pl->c->sent_close) {
		return NS_ERR_STATE;
	}
	pl->mp = pl->c->remote_max_packet < NS_CHAN_DATA_MAX ? pl->c->remote_max_packet
	                                                     : NS_CHAN_DATA_MAX;
	pl->hl = ext ? NS_CHAN_DATA_HEADER : NS_CHAN_DATA_HEADER - 4;
	pl->w = ns_channel_writable(e, id);
	return 0;
}

int ns_channel_write_iov(ns_engine *e, uint32_t id, uint32_t ext, struct iovec *v, int max)
{
	size_t stride, total, last, k, i;
	uint8_t *room;
	plan pl;
	int rc;

	if (v == NULL || max <= 0) {
		return NS_ERR_INVALID;
	}
	if ((rc = plan_of(e, id, ext, &pl)) != 0) {
		return rc;
	}
	if (pl.w > 0 && e->deferred.len > 0) {
		/* held during a key exchange: they go first */
		if ((rc = ns_eng_flush_deferred(e)) != 0) {
			return rc;
		}
		pl.w = ns_channel_writable(e, id);
	}
	if (pl.w == 0 || pl.mp == 0) {
		if (pl.c->remote_window == 0) {
			pl.c->blocked = 1; /* NS_EV_WRITABLE when it reopens */
		}
		return 0;
	}
	if (pl.w > (size_t)max * pl.mp) {
		pl.w = (size_t)max * pl.mp;
	}
	k = (pl.w + pl.mp - 1) / pl.mp;
	last = pl.w - (k - 1) * pl.mp;
	stride = ns_pkt_size(&e->tx, pl.hl + pl.mp);
	total = (k - 1) * stride + ns_pkt_size(&e->tx, pl.hl + last);
	/* ns_channel_writable left room for each packet's overhead */
	if (total > ns_eng_out_room(e) || ns_buf_reserve(&e->out, total, &room) != 0) {
		return 0;
	}
	for (i = 0; i < k; i++) {
		v[i].iov_base = ns_pkt_payload_at(&e->out, i * stride) + pl.hl;
		v[i].iov_len = i + 1 < k ? pl.mp : last;
	}
	return (int)k;
}

int ns_channel_write_commit(ns_engine *e, uint32_t id, uint32_t ext, size_t n)
{
	size_t done = 0, len, hl;
	uint8_t *p;
	plan pl;
	int rc;

	if (n == 0) {
		return 0;
	}
	if ((rc = plan_of(e, id, ext, &pl)) != 0) {
		return rc;
	}
	if (n > pl.w || pl.mp == 0) {
		return NS_ERR_INVALID;
	}
	while (done < n) {
		len = n - done < pl.mp ? n - done : pl.mp;
		p = ns_pkt_payload_at(&e->out, 0); /* the header goes before the data */
		hl = 0;
		p[hl++] = ext ? SSH_MSG_CHANNEL_EXTENDED_DATA : SSH_MSG_CHANNEL_DATA;
		ns_store32(p + hl, pl.c->remote_id); /* recipient channel */
		hl += 4;
		if (ext) {
			ns_store32(p + hl, ext); /* 1: SSH_EXTENDED_DATA_STDERR */
			hl += 4;
		}
		ns_store32(p + hl, (uint32_t)len); /* string data: its length */
		if ((rc = ns_pkt_seal_at(&e->tx, pl.hl + len, &e->out)) != 0) {
			return ns_eng_fail(e, rc, NS_DISC_BY_APPLICATION, "output buffer full");
		}
		pl.c->remote_window -= (uint32_t)len;
		done += len;
	}
	/* once, after them all: a rekey started here sends KEXINIT after the
	 * sealed packets, never into the room of the next */
	return ns_kex_check_limits(e);
}
