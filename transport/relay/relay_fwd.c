/* Forwarding channels in the relay: the user's direct-tcpip (ssh -L, -D,
 * -W) and direct-streamlocal@openssh.com opens, allowed only by a
 * certificate with permit-port-forwarding, pass to the agent with their
 * open data as they came; the splice then moves bytes as for a session.
 * Each forward is logged at its start and end (kind, target, bytes each
 * way, duration), never its payload. */
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"
#include "log_str.h"
#include "wire.h"

#define TARGET_MAX 300 /* "host:port" or a path, as logged */
#define FWD_REFUSED_MSG "port forwarding is not permitted by this certificate"

struct ns_relay_fwd {
	const char *kind; /* one of the NS_CHAN_* type names */
	int reverse;      /* the agent opened it (remote forwarding): we open the user's */
	char target[TARGET_MAX];
	uint64_t started; /* ms, at the agent's confirmation (0: not yet) */
	uint64_t opened;  /* ms, at the user's open */
	size_t len;
	uint8_t data[]; /* the open data, len bytes */
};

static const char *kind_of(ns_str type)
{
	if (ns_str_eq(type, NS_CHAN_DIRECT_TCPIP)) {
		return NS_CHAN_DIRECT_TCPIP;
	}
	if (ns_str_eq(type, NS_CHAN_DIRECT_STREAMLOCAL)) {
		return NS_CHAN_DIRECT_STREAMLOCAL;
	}
	if (ns_str_eq(type, NS_CHAN_FORWARDED_TCPIP)) {
		return NS_CHAN_FORWARDED_TCPIP;
	}
	if (ns_str_eq(type, NS_CHAN_FORWARDED_STREAMLOCAL)) {
		return NS_CHAN_FORWARDED_STREAMLOCAL;
	}
	return NULL;
}

static void reject(ns_relay_conn *c, uint32_t fch, uint32_t reason, const char *msg)
{
	ns_call_check(c->front.e, c->r->log, "relay", c->id, "channel_reject",
	              ns_channel_reject(c->front.e, fch, reason, msg));
}

/* The target as text for the log: host:port, or the path. */
static void target_text(const char *kind, const ns_chan_open_info *o, char *out, size_t cap)
{
	char host[NS_CHAN_HOST_MAX + 1];

	if (strcmp(kind, NS_CHAN_DIRECT_STREAMLOCAL) == 0 ||
	    strcmp(kind, NS_CHAN_FORWARDED_STREAMLOCAL) == 0) {
		ns_log_str(o->host, out, cap);
		return;
	}
	ns_log_str(o->host, host, sizeof(host));
	snprintf(out, cap, "%s:%u", host, o->port);
}

int ns_relay_fwd_open(ns_relay_conn *c, const ns_event *ev, ns_relay_fwd **out)
{
	const char *kind = kind_of(ev->channel_type);
	ns_chan_open_info o;
	ns_relay_fwd *f;
	int rc;

	*out = NULL;
	if (kind == NULL || strncmp(kind, "forwarded-", 10) == 0) {
		return -1; /* only the agent opens those */
	}
	if (!c->permit_port_fwd) {
		fprintf(c->r->log,
		        "relay event=forward-refused conn=%u user=%s kind=%s "
		        "reason=no-permit-port-forwarding\n",
		        c->id, c->user, kind);
		reject(c, ev->channel, NS_OPEN_ADMINISTRATIVELY_PROHIBITED, FWD_REFUSED_MSG);
		return 1;
	}
	if ((rc = ns_channel_open_parse(ev->channel_type, ev->open_data, &o)) != 0) {
		fprintf(c->r->log,
		        "relay event=forward-refused conn=%u user=%s kind=%s reason=%s\n", c->id,
		        c->user, kind, rc == NS_ERR_TOOBIG ? "target-too-long" : "malformed");
		reject(c, ev->channel, NS_OPEN_CONNECT_FAILED,
		       rc == NS_ERR_TOOBIG ? "forward target too long"
		                           : "malformed forward request");
		return 1;
	}
	if ((f = calloc(1, sizeof(*f) + ev->open_data.len)) == NULL) {
		reject(c, ev->channel, NS_OPEN_RESOURCE_SHORTAGE, "relay out of memory");
		return 1;
	}
	f->kind = kind;
	target_text(kind, &o, f->target, sizeof(f->target));
	f->opened = c->r->now;
	f->len = ev->open_data.len;
	memcpy(f->data, ev->open_data.p, f->len);
	*out = f;
	return 0;
}

int ns_relay_fwd_inner_open(ns_relay_chan *ch)
{
	return ns_channel_open(ch->in->p.e, ch->forward->kind, ch->forward->data, ch->forward->len,
	                       &ch->ich);
}

/* The session an agent channel serves, as the user numbers it. */
static uint32_t agent_session(const ns_relay_conn *c, const ns_relay_chan *ch)
{
	const ns_relay_chan *s = ch->agent_of != 0 ? c->chans[ch->agent_of - 1] : NULL;

	return s != NULL ? s->fch : UINT32_MAX;
}

void ns_relay_fwd_started(ns_relay_conn *c, ns_relay_chan *ch)
{
	ch->forward->started = c->r->now;
	if (strcmp(ch->forward->kind, NS_CHAN_AUTH_AGENT) == 0) {
		fprintf(c->r->log,
		        "relay event=agent-forward-start conn=%u channel=%u session=%u user=%s\n",
		        c->id, ch->fch, agent_session(c, ch), c->user);
		return;
	}
	fprintf(c->r->log, "relay event=forward-start conn=%u channel=%u kind=%s target=%s\n",
	        c->id, ch->fch, ch->forward->kind, ch->forward->target);
}

void ns_relay_fwd_end(ns_relay_conn *c, ns_relay_chan *ch)
{
	ns_relay_fwd *f = ch->forward;

	if (f == NULL) {
		return;
	}
	if (f->reverse && ch->in != NULL && ch->istate == NS_RS_PENDING) {
		/* the agent's open, never answered: refused now */
		(void)!ns_channel_reject(ch->in->p.e, ch->ich, NS_OPEN_CONNECT_FAILED,
		                         "the user's connection is gone");
		ch->istate = NS_RS_GONE;
	}
	if (f->started != 0 && strcmp(f->kind, NS_CHAN_AUTH_AGENT) == 0) {
		fprintf(c->r->log,
		        "relay event=agent-forward-end conn=%u channel=%u bytes_in=%llu "
		        "bytes_out=%llu duration_ms=%llu\n",
		        c->id, ch->fch, (unsigned long long)ch->bytes_in,
		        (unsigned long long)ch->bytes_out,
		        (unsigned long long)(c->r->now - f->opened));
	} else if (f->started != 0) {
		fprintf(
		    c->r->log,
		    "relay event=forward-end conn=%u channel=%u kind=%s target=%s bytes_in=%llu "
		    "bytes_out=%llu duration_ms=%llu\n",
		    c->id, ch->fch, f->kind, f->target, (unsigned long long)ch->bytes_in,
		    (unsigned long long)ch->bytes_out, (unsigned long long)(c->r->now - f->opened));
	}
	ch->forward = NULL;
	free(f);
}

int ns_relay_fwd_reverse(const ns_relay_chan *ch)
{
	return ch->forward != NULL && ch->forward->reverse;
}

static void inner_reject(ns_relay_inner *in, uint32_t ich, uint32_t reason, const char *msg)
{
	ns_call_check(in->p.e, in->r->log, "relay", in->id, "inner-channel_reject",
	              ns_channel_reject(in->p.e, ich, reason, msg));
}

static int slot_free(ns_relay_conn *c, uint32_t *slot)
{
	uint32_t n = 0, i;

	*slot = UINT32_MAX;
	for (i = 0; i < NS_RELAY_SLOTS(c->r); i++) {
		if (c->chans[i] == NULL) {
			*slot = *slot == UINT32_MAX ? i : *slot;
		} else {
			n += c->chans[i]->fstate == NS_RS_PENDING ||
			     c->chans[i]->fstate == NS_RS_OPEN;
		}
	}
	return *slot != UINT32_MAX && n < c->r->max_channels;
}

int ns_relay_fwd_reverse_open(ns_relay_inner *in, ns_relay_conn *c, const ns_event *ev,
                              const char *kind, const char *target, const char *front_type,
                              const uint8_t *data, size_t len, ns_relay_chan **out)
{
	ns_relay_chan *ch;
	ns_relay_fwd *f;
	uint32_t slot;

	*out = NULL;
	if (!slot_free(c, &slot)) {
		fprintf(c->r->log,
		        "relay event=%s-refused conn=%u user=%s kind=%s reason=max-channels\n",
		        strcmp(kind, NS_CHAN_AUTH_AGENT) == 0 ? "agent-forward" : "forward", c->id,
		        c->user, kind);
		inner_reject(in, ev->channel, NS_OPEN_RESOURCE_SHORTAGE, "too many channels");
		return NS_ERR_LIMIT;
	}
	if ((ch = calloc(1, sizeof(*ch))) == NULL || (f = calloc(1, sizeof(*f))) == NULL) {
		free(ch);
		inner_reject(in, ev->channel, NS_OPEN_RESOURCE_SHORTAGE, "relay out of memory");
		return NS_ERR_NOMEM;
	}
	f->kind = kind;
	f->reverse = 1;
	snprintf(f->target, sizeof(f->target), "%s", target);
	f->opened = c->r->now;
	ch->forward = f;
	ch->slot = slot;
	ch->ich = ev->channel;
	ch->istate = NS_RS_PENDING;
	ch->in = in;
	in->nusers++;
	c->chans[slot] = ch;
	c->nchans++;
	if (ns_relay_mux_route(in, ch->ich, c, ch) != 0 ||
	    ns_channel_open(c->front.e, front_type, data, len, &ch->fch) != 0) {
		inner_reject(in, ch->ich, NS_OPEN_RESOURCE_SHORTAGE, "relay out of resources");
		ch->istate = NS_RS_GONE;
		ns_relay_mux_detach(ch);
		ns_relay_chan_free(c, ch);
		return NS_ERR_AGAIN;
	}
	ch->fstate = NS_RS_PENDING;
	ns_relay_dirty(c);
	*out = ch;
	return 0;
}

void ns_relay_fwd_agent_open(ns_relay_inner *in, const ns_event *ev)
{
	const char *kind = kind_of(ev->channel_type);
	int is_unix = kind != NULL && strcmp(kind, NS_CHAN_FORWARDED_STREAMLOCAL) == 0;
	char target[TARGET_MAX];
	ns_chan_open_info o;
	ns_relay_conn *c;
	ns_relay_chan *ch;

	if (ns_str_eq(ev->channel_type, NS_CHAN_AGENT_FWD)) {
		ns_relay_agentfwd_open(in, ev);
		return;
	}
	if (kind == NULL || strncmp(kind, "forwarded-", 10) != 0 ||
	    ns_channel_open_parse(ev->channel_type, ev->open_data, &o) != 0) {
		inner_reject(in, ev->channel, NS_OPEN_UNKNOWN_CHANNEL_TYPE,
		             "not a forwarded channel");
		return;
	}
	if ((c = ns_relay_rfwd_find(in, is_unix, &o)) == NULL || c->closing) {
		inner_reject(in, ev->channel, NS_OPEN_ADMINISTRATIVELY_PROHIBITED,
		             "no such forward");
		return;
	}
	target_text(kind, &o, target, sizeof(target));
	(void)ns_relay_fwd_reverse_open(in, c, ev, kind, target, kind, ev->open_data.p,
	                                ev->open_data.len, &ch);
}

void ns_relay_fwd_front_answer(ns_relay_conn *c, const ns_event *ev)
{
	ns_relay_chan *ch = NULL;
	uint32_t i;

	for (i = 0; i < NS_RELAY_SLOTS(c->r) && ch == NULL; i++) {
		ns_relay_chan *x = c->chans[i];
		if (x != NULL && ns_relay_fwd_reverse(x) && x->fch == ev->channel &&
		    x->fstate == NS_RS_PENDING) {
			ch = x;
		}
	}
	if (ch == NULL) {
		if (ev->type == NS_EV_CHANNEL_OPENED) {
			(void)!ns_channel_close(c->front.e, ev->channel);
		}
		return;
	}
	if (ev->type == NS_EV_CHANNEL_OPENED && ch->in != NULL && ch->istate == NS_RS_PENDING &&
	    ns_channel_accept(ch->in->p.e, ch->ich) == 0) {
		ch->fstate = ch->istate = NS_RS_OPEN;
		ns_relay_inner_dirty(ch->in);
		ns_relay_fwd_started(c, ch);
		return;
	}
	if (ev->type == NS_EV_CHANNEL_OPENED) {
		ch->fstate = NS_RS_OPEN; /* the agent's side went meanwhile: closed */
		ns_relay_state_end_both(ch);
		return;
	}
	ch->fstate = NS_RS_GONE;
	if (ch->in != NULL && ch->istate == NS_RS_PENDING) {
		inner_reject(ch->in, ch->ich, ev->reason ? ev->reason : NS_OPEN_CONNECT_FAILED,
		             "the user refused the forwarded connection");
		ch->istate = NS_RS_GONE;
	}
	ns_relay_mux_detach(ch);
	ns_relay_chan_free(c, ch);
}
