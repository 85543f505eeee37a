/* Channel splicing in the relay: each session channel of the user opens one
 * on the agent connection and is confirmed when that one is; requests go
 * through with their want_reply answers kept in order, under the login's
 * policy (force-command, permit-pty, permit-agent-forwarding:
 * relay_agentfwd.c; no subsystems or X11); forwarding channels
 * (relay_fwd.c) splice the same way; the agent's exit status comes back; a lost agent ends
 * each channel it served with a message. Bytes and their windows: relay_flow.c. */
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"
#include "log_str.h"
#include "refuse.h"
#include "wire.h"

#define MSG_MAX 160

/* Entries of ch->ours: our want_reply requests to the front (only the
 * subsystem refusal's keepalive today). */
enum { OURS_SUBSYS = 2 };

static ns_str cstr(const char *s)
{
	ns_str v;

	v.p = (const uint8_t *)s;
	v.len = strlen(s);
	return v;
}

/* The splice of a live front channel. */
static ns_relay_chan *chan_of(ns_relay_conn *c, uint32_t fch)
{
	uint32_t i;

	for (i = 0; i < NS_RELAY_SLOTS(c->r); i++) {
		ns_relay_chan *ch = c->chans[i];
		if (ch != NULL && ch->fch == fch &&
		    (ch->fstate == NS_RS_PENDING || ch->fstate == NS_RS_OPEN)) {
			return ch;
		}
	}
	return NULL;
}

/* The user's session channels open or being opened on c. */
static uint32_t front_sessions(const ns_relay_conn *c)
{
	uint32_t i, n = 0;

	for (i = 0; i < NS_RELAY_SLOTS(c->r); i++) {
		const ns_relay_chan *ch = c->chans[i];
		n += ch != NULL && (ch->fstate == NS_RS_PENDING || ch->fstate == NS_RS_OPEN);
	}
	return n;
}

/* One session past --max-channels on this connection: refused, naming it. */
static int over_max_channels(ns_relay_conn *c, uint32_t fch)
{
	char msg[MSG_MAX];
	uint32_t n = front_sessions(c);

	if (n < c->r->max_channels) {
		return 0;
	}
	fprintf(
	    c->r->log,
	    "relay event=channel-refused conn=%u user=%s reason=max-channels open=%u limit=%u\n",
	    c->id, c->user, n, c->r->max_channels);
	snprintf(msg, sizeof(msg),
	         "too many channels: this connection has %u sessions open, the limit", n);
	ns_call_check(c->front.e, c->r->log, "relay", c->id, "channel_reject",
	              ns_channel_reject(c->front.e, fch, NS_OPEN_RESOURCE_SHORTAGE, msg));
	return 1;
}

static int free_slot(ns_relay_conn *c, uint32_t *slot)
{
	for (*slot = 0; *slot < NS_RELAY_SLOTS(c->r); (*slot)++) {
		if (c->chans[*slot] == NULL) {
			return 1;
		}
	}
	return 0;
}

void ns_relay_chan_free(ns_relay_conn *c, ns_relay_chan *ch)
{
	char exit[48] = "exit=none";
	int d, x;

	ns_relay_fwd_end(c, ch);
	ns_relay_agentfwd_session_end(c, ch);
	if (ch->kind != NULL) {
		if (ch->exit_kind == NS_EXIT_STATUS) {
			snprintf(exit, sizeof(exit), "exit=%u", ch->exit_status);
		} else if (ch->exit_kind == NS_EXIT_SIGNAL) {
			snprintf(exit, sizeof(exit), "signal=%s", ch->exit_sig);
		}
		fprintf(c->r->log,
		        "relay event=session-end conn=%u channel=%u %s%s bytes_in=%llu "
		        "bytes_out=%llu\n",
		        c->id, ch->fch, exit,
		        ch->mode == NS_SPLICE_LOST ? " reason=agent-lost" : "",
		        (unsigned long long)ch->bytes_in, (unsigned long long)ch->bytes_out);
	}
	if (ch->in != NULL && ch->istate == NS_RS_OPEN) {
		ns_relay_mux_close(ch->in, ch->ich);
	}
	ns_relay_mux_detach(ch);
	for (d = 0; d < 2; d++) {
		for (x = 0; x < 2; x++) {
			ns_relay_hold_free(&ch->hold[d][x]);
		}
	}
	c->chans[ch->slot] = NULL;
	c->nchans--;
	free(ch);
}

/* Free the splice once neither side holds a channel any more. */
static void maybe_free(ns_relay_conn *c, ns_relay_chan *ch)
{
	if (ns_relay_state_done(ch)) {
		ns_relay_chan_free(c, ch);
	}
}

static void reject_front(ns_relay_conn *c, ns_relay_chan *ch, uint32_t reason, const char *msg)
{
	ns_call_check(c->front.e, c->r->log, "relay", c->id, "channel_reject",
	              ns_channel_reject(c->front.e, ch->fch, reason, msg));
	ch->fstate = NS_RS_GONE;
	maybe_free(c, ch);
}

static void unreachable(ns_relay_conn *c, ns_relay_chan *ch)
{
	char msg[MSG_MAX];

	snprintf(msg, sizeof(msg), "sandbox %s is unreachable", c->user);
	reject_front(c, ch, NS_OPEN_CONNECT_FAILED, msg);
}

void ns_relay_splice_inner_open(ns_relay_conn *c, ns_relay_chan *ch)
{
	ns_engine *e = ch->in->p.e;
	int rc = ch->forward != NULL ? ns_relay_fwd_inner_open(ch)
	                             : ns_channel_open_session(e, &ch->ich);

	if (rc != 0) {
		ns_relay_mux_detach(ch);
		unreachable(c, ch);
		return;
	}
	if (ns_relay_mux_route(ch->in, ch->ich, c, ch) != 0) {
		ns_relay_mux_close(ch->in, ch->ich); /* unrouted: its events are dropped */
		ns_relay_mux_detach(ch);
		unreachable(c, ch);
		return;
	}
	ch->istate = NS_RS_PENDING;
	ns_relay_inner_dirty(ch->in);
}

/* A channel type the relay does not splice: refused, naming it. */
static int unknown_type(ns_relay_conn *c, const ns_event *ev)
{
	char type[32], msg[MSG_MAX];

	if (ns_str_eq(ev->channel_type, "session") ||
	    ns_str_eq(ev->channel_type, NS_CHAN_DIRECT_TCPIP) ||
	    ns_str_eq(ev->channel_type, NS_CHAN_DIRECT_STREAMLOCAL)) {
		return 0;
	}
	ns_log_str(ev->channel_type, type, sizeof(type));
	fprintf(c->r->log, "relay event=channel-refused conn=%u type=%s\n", c->id, type);
	snprintf(msg, sizeof(msg), "channel type %s is not supported", type);
	ns_call_check(
	    c->front.e, c->r->log, "relay", c->id, "channel_reject",
	    ns_channel_reject(c->front.e, ev->channel, NS_OPEN_UNKNOWN_CHANNEL_TYPE, msg));
	return 1;
}

void ns_relay_splice_open(ns_relay_conn *c, const ns_event *ev, uint64_t now)
{
	ns_relay_fwd *fwd = NULL;
	ns_relay_chan *ch;
	ns_relay_inner *in;
	char msg[MSG_MAX];
	uint32_t slot;

	if (unknown_type(c, ev)) {
		return;
	}
	if (c->authed && !c->r->draining && over_max_channels(c, ev->channel)) {
		return;
	}
	if (c->r->draining || !c->authed || !free_slot(c, &slot) ||
	    chan_of(c, ev->channel) != NULL) {
		ns_call_check(c->front.e, c->r->log, "relay", c->id, "channel_reject",
		              ns_channel_reject(c->front.e, ev->channel, NS_OPEN_RESOURCE_SHORTAGE,
		                                c->r->draining ? "relay shutting down"
		                                               : "no channel available"));
		return;
	}
	/* a forward: refused here without permit-port-forwarding */
	if (!ns_str_eq(ev->channel_type, "session") && ns_relay_fwd_open(c, ev, &fwd) != 0) {
		return;
	}
	if ((in = ns_relay_inner_get(c, now, msg, sizeof(msg))) == NULL) {
		free(fwd);
		ns_call_check(
		    c->front.e, c->r->log, "relay", c->id, "channel_reject",
		    ns_channel_reject(c->front.e, ev->channel, NS_OPEN_CONNECT_FAILED, msg));
		return;
	}
	if ((ch = calloc(1, sizeof(*ch))) == NULL) {
		free(fwd);
		ns_call_check(c->front.e, c->r->log, "relay", c->id, "channel_reject",
		              ns_channel_reject(c->front.e, ev->channel, NS_OPEN_RESOURCE_SHORTAGE,
		                                "relay out of memory"));
		return;
	}
	ch->forward = fwd;
	ch->slot = slot;
	ch->fch = ev->channel;
	ch->fstate = NS_RS_PENDING;
	ch->in = in;
	in->nusers++;
	c->chans[slot] = ch;
	c->nchans++;
	if (in->state == NS_IN_READY) {
		ns_relay_splice_inner_open(c, ch);
	}
}

static void started(ns_relay_conn *c, ns_relay_chan *ch, int exec)
{
	ch->kind = exec ? "exec" : "shell";
	fprintf(c->r->log, "relay event=session-start conn=%u channel=%u kind=%s pty=%s\n", c->id,
	        ch->fch, ch->kind, ch->pty ? "yes" : "no");
}

/* Answer the front's requests whose replies are known, in order. */
void ns_relay_splice_flush_owed(ns_relay_conn *c, ns_relay_chan *ch)
{
	uint8_t o;

	while (ch->nowed > 0 && (ch->owed[0] & NS_OWED_DONE)) {
		o = ch->owed[0];
		memmove(ch->owed, ch->owed + 1, --ch->nowed);
		if ((o & NS_OWED_PTY) && (o & NS_OWED_OK)) {
			ch->pty = 1;
		}
		if ((o & (NS_OWED_EXEC | NS_OWED_SHELL)) && (o & NS_OWED_OK)) {
			started(c, ch, (o & NS_OWED_EXEC) != 0);
		}
		if (ch->fstate == NS_RS_OPEN) {
			ns_call_check(c->front.e, c->r->log, "relay", c->id, "channel_reply",
			              ns_channel_reply(c->front.e, ch->fch, (o & NS_OWED_OK) != 0));
		}
	}
}

static void owe(ns_relay_conn *c, ns_relay_chan *ch, uint8_t entry)
{
	if (ch->nowed < NS_RELAY_REPLIES_MAX) {
		ch->owed[ch->nowed++] = entry;
	}
	ns_relay_splice_flush_owed(c, ch);
}

/* Resolve the oldest unresolved entry that matches (forwarded or not). */
static void resolve(ns_relay_conn *c, ns_relay_chan *ch, int fwd, int ok)
{
	uint8_t i;

	for (i = 0; i < ch->nowed; i++) {
		if (!(ch->owed[i] & NS_OWED_DONE) && ((ch->owed[i] & NS_OWED_FWD) != 0) == fwd) {
			ch->owed[i] |= NS_OWED_DONE | (ok ? NS_OWED_OK : 0);
			break;
		}
	}
	ns_relay_splice_flush_owed(c, ch);
}

static void refuse(ns_relay_conn *c, ns_relay_chan *ch, const ns_chan_request *req)
{
	if (req->want_reply) {
		owe(c, ch, NS_OWED_DONE);
	}
}

static void forward(ns_relay_conn *c, ns_relay_chan *ch, const ns_chan_request *req, uint8_t kind)
{
	if (ns_channel_request(ch->in->p.e, ch->ich, req) != 0) {
		refuse(c, ch, req);
		return;
	}
	if (req->want_reply) {
		owe(c, ch, NS_OWED_FWD | kind);
	} else if (kind & (NS_OWED_EXEC | NS_OWED_SHELL)) {
		started(c, ch, (kind & NS_OWED_EXEC) != 0);
	}
}

/* Refused with a message on stderr; the FAILURE waits for the client's
 * answer to a keepalive sent after the message, so that OpenSSH's ssh has
 * printed it before it gives up (refuse.h). */
static void subsystem(ns_relay_conn *c, ns_relay_chan *ch, const ns_chan_request *req)
{
	char name[64];

	ns_log_str(req->command, name, sizeof(name));
	fprintf(c->r->log,
	        "relay event=subsystem-refused conn=%u channel=%u subsystem=%s "
	        "reason=subsystems-not-supported\n",
	        c->id, ch->fch, name);
	if (ns_refuse_subsystem(c->front.e, ch->fch, NS_SUBSYSTEM_REFUSAL,
	                        req->want_reply && ch->nours < NS_RELAY_REPLIES_MAX) != 0) {
		refuse(c, ch, req);
		ns_relay_state_end_both(ch);
		return;
	}
	ch->ours[ch->nours++] = OURS_SUBSYS;
	ch->mode = NS_SPLICE_REFUSING;
	owe(c, ch, 0); /* resolved by the keepalive's answer */
}

static void start(ns_relay_conn *c, ns_relay_chan *ch, const ns_chan_request *req, int exec)
{
	ns_chan_request q;

	if (c->force_command == NULL) {
		forward(c, ch, req, exec ? NS_OWED_EXEC : NS_OWED_SHELL);
		return;
	}
	/* The certificate's force-command replaces exec and shell alike. */
	memset(&q, 0, sizeof(q));
	q.type = cstr("exec");
	q.want_reply = req->want_reply;
	q.command = cstr(c->force_command);
	forward(c, ch, &q, exec ? NS_OWED_EXEC : NS_OWED_SHELL);
}

void ns_relay_splice_front_request(ns_relay_conn *c, const ns_event *ev)
{
	ns_relay_chan *ch = chan_of(c, ev->channel);
	const ns_chan_request *req = &ev->req;
	ns_str t = req->type;

	if (ch == NULL) {
		if (req->want_reply) {
			ns_call_check(c->front.e, c->r->log, "relay", c->id, "channel_reply",
			              ns_channel_reply(c->front.e, ev->channel, 0));
		}
		return;
	}
	if (ch->istate != NS_RS_OPEN || ch->in == NULL || ch->mode != NS_SPLICE_LIVE ||
	    ch->forward != NULL) {
		refuse(c, ch, req); /* a forward takes no request */
	} else if (ns_str_eq(t, "subsystem")) {
		subsystem(c, ch, req);
	} else if (ns_str_eq(t, "exec") || ns_str_eq(t, "shell")) {
		start(c, ch, req, ns_str_eq(t, "exec"));
	} else if (ns_str_eq(t, "auth-agent-req@openssh.com")) {
		if (ns_relay_agentfwd_asked(c, ch)) {
			forward(c, ch, req, 0); /* the agent makes SSH_AUTH_SOCK */
		} else {
			refuse(c, ch, req); /* without permit-agent-forwarding */
		}
	} else if (ns_str_eq(t, "pty-req") && c->permit_pty) {
		forward(c, ch, req, NS_OWED_PTY);
	} else if (ns_str_eq(t, "env") || ns_str_eq(t, "window-change") || ns_str_eq(t, "signal") ||
	           ns_str_eq(t, "eow@openssh.com")) {
		forward(c, ch, req, 0);
	} else {
		refuse(c, ch, req); /* x11-req, pty without permit-pty, and
		                       everything else */
	}
}

void ns_relay_splice_front_reply(ns_relay_conn *c, const ns_event *ev)
{
	ns_relay_chan *ch = chan_of(c, ev->channel);
	uint8_t kind;

	if (ch == NULL || ch->nours == 0) {
		return;
	}
	kind = ch->ours[0];
	memmove(ch->ours, ch->ours + 1, --ch->nours);
	if (kind == OURS_SUBSYS) {
		resolve(c, ch, 0, 0);
		if (ch->mode == NS_SPLICE_REFUSING) {
			ch->mode = NS_SPLICE_LIVE;
		}
		ns_relay_state_end_both(ch);
	}
}

void ns_relay_splice_front_event(ns_relay_conn *c, const ns_event *ev)
{
	ns_relay_chan *ch = chan_of(c, ev->channel);

	if (ch == NULL) {
		if (ev->type == NS_EV_CHANNEL_DATA) {
			ns_call_check(c->front.e, c->r->log, "relay", c->id, "channel_consumed",
			              ns_channel_consumed(c->front.e, ev->channel, ev->data.len));
		}
		return;
	}
	if (ev->type == NS_EV_CHANNEL_DATA) {
		if (ch->istate == NS_RS_OPEN && ch->in != NULL) {
			ns_relay_flow_data(c, ch, NS_TO_INNER, ev->ext, ev->data);
		} else {
			ns_call_check(c->front.e, c->r->log, "relay", c->id, "channel_consumed",
			              ns_channel_consumed(c->front.e, ch->fch, ev->data.len));
		}
	} else if (ev->type == NS_EV_CHANNEL_EOF) {
		ns_relay_tail(ch, NS_TO_INNER, NS_TEV_PEER_EOF);
	} else if (ev->type == NS_EV_CHANNEL_CLOSED) {
		ns_relay_state_gone(ch, NS_SIDE_FRONT);
		maybe_free(c, ch);
	}
}
