/* One agent connection, many users: each channel of a sandbox's agent
 * connection is routed (by our channel id) to the user connection and
 * splice it serves, checked by the connection's generation so a stale
 * route never reaches a newcomer in the same slot. Events of a channel go
 * to its splice alone; a user that leaves takes only its own channels; the
 * connection's readiness and loss reach every splice attached to it. */
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"

#define ROUTES_MIN 16

int ns_relay_mux_route(ns_relay_inner *in, uint32_t ich, ns_relay_conn *c, ns_relay_chan *ch)
{
	ns_relay_route *nr;
	uint32_t n;

	uint32_t *nw;

	if (ich >= in->nroutes) {
		for (n = in->nroutes ? in->nroutes : ROUTES_MIN; n <= ich; n *= 2) {
		}
		if ((nw = realloc(in->waiters, n * sizeof(*nw))) == NULL) {
			return NS_ERR_NOMEM;
		}
		in->waiters = nw;
		if ((nr = realloc(in->routes, n * sizeof(*nr))) == NULL) {
			return NS_ERR_NOMEM;
		}
		memset(nr + in->nroutes, 0, (n - in->nroutes) * sizeof(*nr));
		in->routes = nr;
		in->nroutes = n;
	}
	in->routes[ich].conn = c->slot + 1;
	in->routes[ich].gen = c->gen;
	in->routes[ich].chan = ch->slot;
	in->served++;
	return 0;
}

void ns_relay_mux_detach(ns_relay_chan *ch)
{
	ns_relay_inner *in = ch->in;
	ns_relay_route *rt;

	if (in == NULL) {
		return;
	}
	if (ch->istate == NS_RS_PENDING || ch->istate == NS_RS_OPEN || ch->istate == NS_RS_GONE) {
		rt = ch->ich < in->nroutes ? &in->routes[ch->ich] : NULL;
		if (rt != NULL && rt->conn != 0 && rt->chan == ch->slot) {
			rt->conn = rt->gen = rt->chan = 0; /* a waiter entry may stay */
		}
	}
	ch->in = NULL;
	if (--in->nusers == 0) {
		in->idle_since = in->r->now;
	}
	if (!in->dead) {
		ns_relay_inner_dirty(in);
	}
}

/* The splice a channel of in is routed to (and its connection). */
static ns_relay_chan *routed(ns_relay_inner *in, uint32_t ich, ns_relay_conn **cp)
{
	ns_relay_route *rt;
	ns_relay_conn *c;
	ns_relay_chan *ch;

	if (ich >= in->nroutes || (rt = &in->routes[ich])->conn == 0) {
		return NULL;
	}
	c = rt->conn - 1 < in->r->max_conns ? in->r->conns[rt->conn - 1] : NULL;
	ch = c != NULL && c->gen == rt->gen ? c->chans[rt->chan] : NULL;
	if (ch == NULL || ch->in != in || ch->ich != ich) {
		return NULL;
	}
	*cp = c;
	return ch;
}

void ns_relay_mux_wait(ns_relay_chan *ch)
{
	ns_relay_inner *in = ch->in;
	ns_relay_route *rt;

	if (in == NULL || ch->ich >= in->nroutes) {
		return;
	}
	rt = &in->routes[ch->ich];
	if (!rt->waiting && in->nwaiters < in->nroutes) {
		rt->waiting = 1;
		in->waiters[in->nwaiters++] = ch->ich;
	}
}

void ns_relay_mux_wake(ns_relay_inner *in)
{
	ns_relay_conn *c;
	uint32_t i, ich;

	for (i = 0; i < in->nwaiters; i++) {
		ich = in->waiters[i];
		in->routes[ich].waiting = 0;
		if (routed(in, ich, &c) != NULL) {
			ns_relay_dirty(c);
		}
	}
	in->nwaiters = 0;
}

void ns_relay_mux_close(ns_relay_inner *in, uint32_t ich)
{
	uint32_t *n, cap;

	if (ns_channel_close(in->p.e, ich) != NS_ERR_AGAIN) {
		return; /* sent, or the channel is closed or gone already */
	}
	if (in->nclose_owed == in->close_owed_cap) {
		cap = in->close_owed_cap ? 2 * in->close_owed_cap : 8;
		if ((n = realloc(in->close_owed, cap * sizeof(*n))) == NULL) {
			fprintf(in->r->log,
			        "relay event=inner-error inner=%u channel=%u reason=no-memory "
			        "action=close-later\n",
			        in->id, ich);
			return; /* the session ends with the connection, at the latest when idle */
		}
		in->close_owed = n;
		in->close_owed_cap = cap;
	}
	in->close_owed[in->nclose_owed++] = ich;
}

/* The channel is closed both ways, so its id may be reused: a CLOSE still
 * owed for it must not reach the next channel with that id. */
static void close_done(ns_relay_inner *in, uint32_t ich)
{
	uint32_t i;

	for (i = 0; i < in->nclose_owed; i++) {
		if (in->close_owed[i] == ich) {
			in->close_owed[i] = in->close_owed[--in->nclose_owed];
			return;
		}
	}
}

void ns_relay_mux_close_owed(ns_relay_inner *in)
{
	uint32_t i = 0;

	while (i < in->nclose_owed) {
		if (ns_channel_close(in->p.e, in->close_owed[i]) == NS_ERR_AGAIN) {
			i++;
			continue;
		}
		in->close_owed[i] = in->close_owed[--in->nclose_owed];
	}
}

/* A channel nobody uses any more (its user left): drain it, close it.
 * Failures need no answer: data and replies of a channel that is closing
 * or gone are moot. */
static void orphan(ns_relay_inner *in, const ns_event *ev)
{
	ns_engine *e = in->p.e;

	if (ev->type == NS_EV_CHANNEL_DATA) {
		(void)!ns_channel_consumed(e, ev->channel, ev->data.len);
	} else if (ev->type == NS_EV_CHANNEL_REQUEST && ev->req.want_reply) {
		(void)!ns_channel_reply(e, ev->channel, 0);
	} else if (ev->type == NS_EV_CHANNEL_OPENED || ev->type == NS_EV_CHANNEL_EOF) {
		ns_relay_mux_close(in, ev->channel);
	}
}

static void each(ns_relay_inner *in, void (*fn)(ns_relay_conn *, ns_relay_chan *, int), int arg);

static int is_channel_event(int type)
{
	switch (type) {
	case NS_EV_CHANNEL_OPENED:
	case NS_EV_CHANNEL_OPEN_FAILED:
	case NS_EV_CHANNEL_REQUEST:
	case NS_EV_CHANNEL_REPLY:
	case NS_EV_CHANNEL_DATA:
	case NS_EV_CHANNEL_EOF:
	case NS_EV_CHANNEL_CLOSED:
	case NS_EV_CHANNEL_REQUEST_REFUSED:
	case NS_EV_WRITABLE: return 1;
	default: return 0;
	}
}

void ns_relay_mux_event(void *ctx, const ns_event *ev, uint64_t now)
{
	ns_relay_inner *in = ctx;
	ns_relay_conn *c = NULL;
	ns_relay_chan *ch;

	(void)now;
	if (ev->type == NS_EV_GLOBAL_REPLY) {
		ns_relay_rfwd_reply(in, ev);
		return;
	}
	if (ev->type == NS_EV_CHANNEL_OPEN) {
		ns_relay_fwd_agent_open(in, ev);
		return;
	}
	if (!is_channel_event(ev->type)) {
		ns_relay_inner_conn_event(in, ev);
		return;
	}
	if (ev->type == NS_EV_WRITABLE && ev->channel == NS_CHANNEL_ALL) {
		ns_relay_mux_close_owed(in); /* a key exchange ended */
		each(in, NULL, 0);           /* every user sweeps its holds */
		return;
	}
	if (ev->type == NS_EV_CHANNEL_CLOSED) {
		close_done(in, ev->channel);
	}
	if ((ch = routed(in, ev->channel, &c)) == NULL) {
		orphan(in, ev);
		return;
	}
	ns_relay_splice_inner_event(c, ch, ev);
	ns_relay_caps_sync(c);
	ns_relay_dirty(c);
}

/* Call fn (if any) for every splice attached to in; their connections get
 * a turn. */
static void each(ns_relay_inner *in, void (*fn)(ns_relay_conn *, ns_relay_chan *, int), int arg)
{
	ns_relay *r = in->r;
	uint32_t i, j, seen = 0;

	for (i = 0; i < r->max_conns && seen < r->nconns && in->nusers > 0; i++) {
		ns_relay_conn *c = r->conns[i];
		int hit = 0;
		if (c == NULL) {
			continue;
		}
		seen++;
		for (j = 0; j < NS_RELAY_SLOTS(r); j++) {
			ns_relay_chan *ch = c->chans[j];
			if (ch != NULL && ch->in == in) {
				if (fn != NULL) {
					fn(c, ch, arg);
				}
				hit = 1;
			}
		}
		if (hit) {
			ns_relay_caps_sync(c);
			ns_relay_dirty(c);
		}
	}
}

static void open_waiting(ns_relay_conn *c, ns_relay_chan *ch, int arg)
{
	(void)arg;
	if (ch->fstate == NS_RS_PENDING && ch->istate == NS_RS_NONE) {
		ns_relay_splice_inner_open(c, ch);
	}
}

void ns_relay_mux_ready(ns_relay_inner *in)
{
	each(in, open_waiting, 0);
	ns_relay_rfwd_ready(in);
}

void ns_relay_mux_lost(ns_relay_inner *in)
{
	each(in, ns_relay_splice_chan_lost, in->state == NS_IN_READY);
	ns_relay_rfwd_lost(in);
}
