/* The engine's input: received bytes land in one buffer, either read there
 * by the transport (ns_engine_input_space / ns_engine_input_commit) or
 * copied in (ns_engine_input). Each packet is authenticated and decrypted
 * in place and dispatched as a view into that buffer; packets are consumed
 * by moving an offset, and the buffer is compacted at most once per read. */
#include "engine_int.h"

#include <string.h>

#include "kex.h"
#include "version.h"

/* One whole packet: length field, packet_length bytes, tag. */
#define IN_PACKET_MAX (4 + NS_PACKET_MAX + NS_PKT_TAG_MAX) /* hmac-sha2-512: a 64-byte tag */

_Static_assert(NS_INPUT_MAX >= 2 * IN_PACKET_MAX, "the input buffer holds two packets");

/* The buffer was written up to in.len: wiped that far when released. */
static void dirtied(ns_engine *e)
{
	if (e->in.len > e->in_dirty) {
		e->in_dirty = e->in.len;
	}
}

/* Is input processing paused until the caller acts? */
static int input_blocked(const ns_engine *e)
{
	return e->ev_count > 0 || e->phase == NS_PH_CLOSED ||
	       (e->role == NS_ROLE_SERVER && e->auth_wait) || e->kex_state == NS_KX_WAIT_VERDICT ||
	       e->out.len - e->out_off > NS_OUTPUT_HIGH;
}

/* One version or banner line at in_off; *more = 0 when it is incomplete. */
static int version_step(ns_engine *e, int *more)
{
	size_t avail = e->in.len - e->in_off, used;
	int is_version, rc;
	ns_str line;

	rc = ns_version_parse(e->in.p + e->in_off,
	                      avail < NS_VERSION_LINE_MAX ? avail : NS_VERSION_LINE_MAX, &used,
	                      &is_version, &line);
	if (rc == NS_ERR_AGAIN) {
		*more = 0;
		return 0;
	}
	if (rc != 0) {
		return ns_eng_fail(e, rc,
		                   rc == NS_ERR_UNSUPPORTED ? NS_DISC_PROTOCOL_VERSION_NOT_SUPPORTED
		                                            : NS_DISC_PROTOCOL_ERROR,
		                   rc == NS_ERR_UNSUPPORTED ? "protocol version not supported"
		                                            : "invalid version line");
	}
	e->in_off += used;
	if (!is_version) {
		e->banner_bytes += used;
		if (e->role == NS_ROLE_SERVER || e->banner_bytes > NS_BANNER_MAX) {
			return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
			                   "expected an SSH version line");
		}
		return 0;
	}
	ns_str_copy(line, e->peer_version, sizeof(e->peer_version));
	e->phase = NS_PH_KEX;
	return 0;
}

/* One packet at in_off, opened in place and dispatched; *more = 0 when it
 * is incomplete. What this needs of ns_pkt_open, for every cipher: called
 * again as bytes arrive, it leaves buf untouched until the whole packet is
 * there (the length is read from a copy); then it authenticates and
 * decrypts within buf[0, *need) only (the next packets follow in the same
 * buffer), sets *need to that size and payload to a view inside buf, and on
 * an error advances nothing. */
static int packet_step(ns_engine *e, int *more)
{
	size_t avail = e->in.len - e->in_off, need;
	uint32_t seq = e->rx.seq;
	ns_str payload;
	int rc;

	if (avail < (e->in_need ? e->in_need : 4)) {
		*more = 0;
		return 0;
	}
	rc = ns_pkt_open(&e->rx, e->in.p + e->in_off, avail, &need, &payload);
	if (rc == NS_ERR_AGAIN) {
		if (need > IN_PACKET_MAX) {
			return ns_eng_fail(e, NS_ERR_TOOBIG, NS_DISC_PROTOCOL_ERROR,
			                   "packet too large");
		}
		e->in_need = need;
		*more = 0;
		return 0;
	}
	if (rc != 0) {
		return ns_eng_fail(e, rc,
		                   rc == NS_ERR_MAC ? NS_DISC_MAC_ERROR : NS_DISC_PROTOCOL_ERROR,
		                   rc == NS_ERR_MAC      ? "message authentication code incorrect"
		                   : rc == NS_ERR_TOOBIG ? "packet too large"
		                                         : "malformed packet");
	}
	/* the payload stays where it is, readable until the next call that
	 * writes input (space, commit, input) */
	e->in_need = 0;
	e->in_off += need;
	e->rx_seq_cur = seq;
	e->last_rx_ms = e->now_ms;
	if ((rc = ns_eng_dispatch(e, payload)) != 0) {
		return rc;
	}
	return ns_kex_check_limits(e);
}

/* Handle every whole line or packet buffered, while input is not paused. */
static void process(ns_engine *e)
{
	int more = 1;

	while (more && e->in_off < e->in.len && !input_blocked(e)) {
		if ((e->phase == NS_PH_VERSION ? version_step(e, &more) : packet_step(e, &more)) !=
		    0) {
			break;
		}
	}
}

/* Move the unprocessed bytes to the front (once per read: a partial packet,
 * or what waited while input was paused). Only while no event is queued:
 * a queued event's views point into the handled bytes. */
static void compact(ns_engine *e)
{
	if (e->in_off > 0 && e->ev_count == 0) {
		if (e->in_off < e->in.len) {
			memmove(e->in.p, e->in.p + e->in_off, e->in.len - e->in_off);
		}
		e->in.len -= e->in_off;
		e->in_off = 0;
	}
}

/* Bytes of in[0..len) the unit being read still needs (old API). */
static size_t wanted(const ns_engine *e, const uint8_t *in, size_t len)
{
	size_t have = e->in.len - e->in_off, need, take;
	const uint8_t *nl;

	if (e->phase == NS_PH_VERSION) {
		take = have < NS_VERSION_LINE_MAX ? NS_VERSION_LINE_MAX - have : 0;
		take = len < take ? len : take;
		if ((nl = memchr(in, '\n', take)) != NULL) {
			take = (size_t)(nl - in) + 1;
		}
		return take;
	}
	need = e->in_need ? e->in_need : 4;
	take = need > have ? need - have : 0;
	return len < take ? len : take;
}

int ns_engine_input(ns_engine *e, const uint8_t *in, size_t len, size_t *consumed)
{
	size_t used = 0, take;
	uint8_t *space;
	int rc;

	*consumed = 0;
	if (e->phase == NS_PH_CLOSED) {
		return NS_ERR_CLOSED;
	}
	process(e);
	while (used < len && !input_blocked(e) && (take = wanted(e, in + used, len - used)) > 0) {
		compact(e);
		if ((rc = ns_buf_reserve(&e->in, take, &space)) != 0) {
			ns_eng_fail(e, rc, NS_DISC_PROTOCOL_ERROR, "packet too large");
			break;
		}
		memcpy(space, in + used, take);
		e->in.len += take;
		dirtied(e);
		used += take;
		process(e);
	}
	*consumed = used;
	return 0;
}

/* Room to offer: up to NS_INPUT_MAX once authenticated; before, what the
 * buffer has or the packet being read needs (at least NS_INPUT_PREAUTH),
 * so that a connection still logging in holds no bulk buffer. */
static size_t room_wanted(const ns_engine *e)
{
	size_t have = e->in.len - e->in_off, need, room = e->in.cap - e->in.len, want;

	if (e->auth_done) {
		return NS_INPUT_MAX - e->in.len;
	}
	need = e->in_need > NS_INPUT_PREAUTH ? e->in_need : NS_INPUT_PREAUTH;
	want = need > have ? need - have : 0;
	want = want > room ? want : room;
	return want < NS_INPUT_MAX - e->in.len ? want : NS_INPUT_MAX - e->in.len;
}

uint8_t *ns_engine_input_space(ns_engine *e, size_t *len)
{
	uint8_t *space;
	size_t want;
	int rc;

	*len = 0;
	if (e->phase == NS_PH_CLOSED) {
		return NULL;
	}
	compact(e);
	if ((want = room_wanted(e)) == 0) {
		return NULL;
	}
	if ((rc = ns_buf_reserve(&e->in, want, &space)) != 0) {
		ns_eng_fail(e, rc, NS_DISC_BY_APPLICATION, "out of memory");
		return NULL;
	}
	*len = want;
	return space;
}

int ns_engine_input_commit(ns_engine *e, size_t n)
{
	if (e->phase == NS_PH_CLOSED) {
		return NS_ERR_CLOSED;
	}
	if (n > e->in.cap - e->in.len) {
		return NS_ERR_INVALID;
	}
	e->in.len += n;
	dirtied(e);
	process(e);
	return 0;
}

size_t ns_engine_input_pending(const ns_engine *e)
{
	size_t have = e->in.len - e->in_off;
	int whole;

	if (have == 0 || e->phase == NS_PH_CLOSED) {
		return 0;
	}
	if (e->phase == NS_PH_VERSION) {
		whole =
		    have >= NS_VERSION_LINE_MAX || memchr(e->in.p + e->in_off, '\n', have) != NULL;
	} else {
		whole = have >= (e->in_need ? e->in_need : 4);
	}
	return whole ? have : 0;
}
