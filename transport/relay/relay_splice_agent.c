/* The agent's side of the relay's splices: answers to our channel opens,
 * the agent's exit-status / exit-signal (and xon-xoff, passed on), its
 * replies to the requests we forwarded, data, EOF and CLOSE; and the end
 * of every splice when the connection to the agent is lost. */
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"
#include "wire.h"

#define MSG_MAX 256

static void free_if_done(ns_relay_conn *c, ns_relay_chan *ch)
{
	if (ns_relay_state_done(ch)) {
		ns_relay_chan_free(c, ch);
	}
}

/* The agent answered the oldest forwarded request (or never will: ok 0 for
 * every one). Replies to the front go out in order by the splice's flush;
 * here only the marking and a nudge through a no-op request reply. */
static void answer_forwarded(ns_relay_conn *c, ns_relay_chan *ch, int ok, int all)
{
	uint8_t i;

	for (i = 0; i < ch->nowed; i++) {
		if ((ch->owed[i] & NS_OWED_FWD) && !(ch->owed[i] & NS_OWED_DONE)) {
			ch->owed[i] |= NS_OWED_DONE | (ok ? NS_OWED_OK : 0);
			if (!all) {
				break;
			}
		}
	}
	ns_relay_splice_flush_owed(c, ch);
}

/* Tell the agent who this session is for, before any request of the user
 * (NS_CHAN_SESSION_INFO, docs/relay.md): it logs them. A user's own
 * request of that name is never passed on (relay_splice.c refuses every
 * type it does not know). */
static void send_who(ns_relay_conn *c, ns_relay_chan *ch)
{
	ns_session_info q;
	int rc;

	memset(&q, 0, sizeof(q));
	q.key_id.p = (const uint8_t *)c->cert_id;
	q.key_id.len = strlen(c->cert_id);
	q.serial = c->serial;
	q.source.p = (const uint8_t *)c->peer;
	q.source.len = strlen(c->peer);
	if ((rc = ns_channel_session_info(ch->in->p.e, ch->ich, &q)) != 0) {
		/* the session goes on: its agent log lines lack the user */
		fprintf(c->r->log,
		        "relay event=error conn=%u channel=%u what=session-info error=\"%s\"\n",
		        c->id, ch->fch, ns_strerror(rc));
	}
}

static void opened(ns_relay_conn *c, ns_relay_chan *ch)
{
	ch->istate = NS_RS_OPEN;
	if (ch->fstate == NS_RS_PENDING && ch->forward == NULL) {
		send_who(c, ch);
	}
	if (ch->fstate == NS_RS_PENDING && ns_channel_accept(c->front.e, ch->fch) == 0) {
		ch->fstate = NS_RS_OPEN;
		if (ch->forward != NULL) {
			ns_relay_fwd_started(c, ch);
		}
		return;
	}
	/* the user gave up (or the accept failed): close the agent's side */
	if (ch->fstate == NS_RS_PENDING) {
		ch->fstate = NS_RS_GONE;
	}
	ns_relay_mux_close(ch->in, ch->ich);
}

static void open_failed(ns_relay_conn *c, ns_relay_chan *ch, const ns_event *ev)
{
	char msg[MSG_MAX], text[160], why[160];

	ch->istate = NS_RS_GONE;
	ns_relay_mux_detach(ch);
	if (ch->fstate == NS_RS_PENDING) {
		ns_log_str(ev->message, why, sizeof(why));
		fprintf(c->r->log,
		        "relay event=channel-refused conn=%u user=%s reason=agent code=%u msg=%s\n",
		        c->id, c->user, ev->reason, why[0] ? why : "-");
		if (ns_str_copy(ev->message, text, sizeof(text)) != 0 || text[0] == '\0') {
			snprintf(msg, sizeof(msg), "sandbox %s refused the session", c->user);
		} else {
			snprintf(msg, sizeof(msg), "sandbox %s: %s", c->user, text);
		}
		ns_call_check(c->front.e, c->r->log, "relay", c->id, "channel_reject",
		              ns_channel_reject(c->front.e, ch->fch,
		                                ev->reason ? ev->reason : NS_OPEN_CONNECT_FAILED,
		                                msg));
		ch->fstate = NS_RS_GONE;
	}
	free_if_done(c, ch);
}

static void request(ns_relay_conn *c, ns_relay_chan *ch, const ns_chan_request *req)
{
	if (ns_str_eq(req->type, "exit-status")) {
		ch->exit_kind = NS_EXIT_STATUS;
		ch->exit_status = req->exit_status;
	} else if (ns_str_eq(req->type, "exit-signal")) {
		ch->exit_kind = NS_EXIT_SIGNAL;
		ns_log_str(req->signal, ch->exit_sig, sizeof(ch->exit_sig));
		ns_str_copy(req->message, ch->exit_msg, sizeof(ch->exit_msg));
		if (strlen(ch->exit_msg) != req->message.len) {
			ch->exit_msg[0] = '\0'; /* embedded NUL or too long: drop it */
		}
		ch->exit_core = req->core_dumped;
	} else if (ns_str_eq(req->type, "xon-xoff") && !req->want_reply) {
		/* RFC 4254 6.8, server to client: passed on as it came (advisory:
		 * dropped if the front's output has no room) */
		if (ch->fstate == NS_RS_OPEN) {
			(void)!ns_channel_request(c->front.e, ch->fch, req);
		}
	} else if (req->want_reply) {
		ns_call_check(
		    ch->in->p.e, c->r->log, "relay", c->id, "inner-channel_reply",
		    ns_channel_reply(ch->in->p.e, ch->ich, 0)); /* nothing else is expected */
	}
}

static void closed(ns_relay_conn *c, ns_relay_chan *ch)
{
	ns_relay_state_gone(ch, NS_SIDE_INNER); /* the user's CLOSE goes after the
	                                           held output and exit */
	ns_relay_mux_detach(ch);
	answer_forwarded(c, ch, 0, 1);
	free_if_done(c, ch);
}

void ns_relay_splice_inner_event(ns_relay_conn *c, ns_relay_chan *ch, const ns_event *ev)
{
	switch (ev->type) {
	case NS_EV_CHANNEL_OPENED: opened(c, ch); break;
	case NS_EV_CHANNEL_OPEN_FAILED: open_failed(c, ch, ev); break;
	case NS_EV_CHANNEL_REQUEST: request(c, ch, &ev->req); break;
	case NS_EV_CHANNEL_REPLY: answer_forwarded(c, ch, ev->ok, 0); break;
	case NS_EV_CHANNEL_DATA:
		if (ch->fstate == NS_RS_OPEN) {
			ns_relay_flow_data(c, ch, NS_TO_FRONT, ev->ext, ev->data);
		} else {
			ns_call_check(ch->in->p.e, c->r->log, "relay", c->id,
			              "inner-channel_consumed",
			              ns_channel_consumed(ch->in->p.e, ch->ich, ev->data.len));
		}
		break;
	case NS_EV_CHANNEL_EOF: ns_relay_tail(ch, NS_TO_FRONT, NS_TEV_PEER_EOF); break;
	case NS_EV_CHANNEL_CLOSED: closed(c, ch); break;
	default: break; /* NS_EV_WRITABLE: every pump sweeps the holds */
	}
}

void ns_relay_splice_chan_lost(ns_relay_conn *c, ns_relay_chan *ch, int ready)
{
	const ns_relay_inner *in = ch->in;
	char msg[MSG_MAX];

	if (ch->fstate == NS_RS_OPEN && ready && !c->closing &&
	    !ns_relay_tail_ending(ch, NS_TO_FRONT)) {
		snprintf(msg, sizeof(msg), "nullspace relay: connection to sandbox %s lost\r\n",
		         c->user);
		ch->mode = NS_SPLICE_LOST;
		ns_relay_flow_stderr(ch, msg);
		ns_relay_tail(ch, NS_TO_FRONT, NS_TEV_PEER_EOF); /* EOF before CLOSE */
	}
	ns_relay_state_gone(ch, NS_SIDE_INNER);
	ns_relay_mux_detach(ch);
	answer_forwarded(c, ch, 0, 1);
	if (ch->fstate == NS_RS_PENDING && !ns_relay_fwd_reverse(ch)) {
		if (in != NULL && in->dead && in->state != NS_IN_READY) {
			/* a certificate route gone stale: the connection ends with
			 * that message, before ssh stops at the channel's failure */
			ns_relay_route_moved(c, in->ent.endpoint, in->why);
		}
		snprintf(msg, sizeof(msg), "sandbox %s is unreachable", c->user);
		ns_call_check(c->front.e, c->r->log, "relay", c->id, "channel_reject",
		              ns_channel_reject(c->front.e, ch->fch, NS_OPEN_CONNECT_FAILED, msg));
		ch->fstate = NS_RS_GONE;
	}
	free_if_done(c, ch);
}
