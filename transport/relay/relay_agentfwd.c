/* Agent forwarding in the relay (ssh -A): a user's auth-agent-req@openssh.com
 * goes to the agent only under a certificate with permit-agent-forwarding;
 * the agent's auth-agent@nullspace.dev opens name the session they serve,
 * and are spliced to an auth-agent@openssh.com channel opened to that
 * session's user, only if that user asked for forwarding on that session. */
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"

int ns_relay_agentfwd_asked(ns_relay_conn *c, ns_relay_chan *ch)
{
	if (!c->permit_agent_fwd) {
		fprintf(c->r->log,
		        "relay event=agent-forward-refused conn=%u channel=%u user=%s "
		        "reason=not-permitted\n",
		        c->id, ch->fch, c->user);
		return 0;
	}
	ch->agent_asked = 1;
	return 1;
}

/* Agent channels of session slot s on c. */
static uint32_t agent_conns(const ns_relay_conn *c, uint32_t s)
{
	uint32_t i, n = 0;

	for (i = 0; i < NS_RELAY_SLOTS(c->r); i++) {
		const ns_relay_chan *x = c->chans[i];
		n += x != NULL && x->agent_of == s + 1;
	}
	return n;
}

ns_relay_chan *ns_relay_agentfwd_route(ns_relay_inner *in, uint32_t session, ns_relay_conn **cp,
                                       const char **why)
{
	const ns_relay_route *rt;
	ns_relay_conn *c = NULL;
	ns_relay_chan *ch = NULL;

	*cp = NULL;
	*why = "no-such-session";
	if (session >= in->nroutes || (rt = &in->routes[session])->conn == 0 ||
	    rt->conn - 1 >= in->r->max_conns) {
		return NULL;
	}
	c = in->r->conns[rt->conn - 1];
	if (c == NULL || c->gen != rt->gen || rt->chan >= NS_RELAY_SLOTS(in->r)) {
		return NULL;
	}
	ch = c->chans[rt->chan];
	if (ch == NULL || ch->in != in || ch->ich != session || ch->istate != NS_RS_OPEN) {
		return NULL;
	}
	if (ch->forward != NULL || !ch->agent_asked || !c->permit_agent_fwd) {
		*why = "not-requested"; /* a forward, or a session without -A */
		return NULL;
	}
	if (c->closing || !c->authed || ch->fstate != NS_RS_OPEN) {
		*why = "session-closed";
		return NULL;
	}
	if (agent_conns(c, ch->slot) >= NS_RELAY_AGENT_CONNS_MAX) {
		*why = "max-agent-connections";
		return NULL;
	}
	*cp = c;
	*why = NULL;
	return ch;
}

static void refuse(ns_relay_inner *in, const ns_event *ev, ns_relay_conn *c, uint32_t session,
                   const char *why, uint32_t code)
{
	if (c != NULL) {
		fprintf(in->r->log,
		        "relay event=agent-forward-refused conn=%u inner=%u session=%u reason=%s\n",
		        c->id, in->id, session, why);
	} else {
		fprintf(in->r->log,
		        "relay event=agent-forward-refused inner=%u session=%u reason=%s\n", in->id,
		        session, why);
	}
	ns_call_check(in->p.e, in->r->log, "relay", in->id, "inner-channel_reject",
	              ns_channel_reject(in->p.e, ev->channel, code, "agent forwarding refused"));
}

void ns_relay_agentfwd_open(ns_relay_inner *in, const ns_event *ev)
{
	ns_relay_conn *c = NULL;
	ns_relay_chan *s, *ch;
	const char *why;
	uint32_t session;

	if (ns_channel_open_agent_parse(ev->open_data, &session) != 0) {
		refuse(in, ev, NULL, 0, "malformed", NS_OPEN_CONNECT_FAILED);
		return;
	}
	if ((s = ns_relay_agentfwd_route(in, session, &c, &why)) == NULL) {
		/* c is set only past the user checks: the cap */
		if (strcmp(why, "max-agent-connections") == 0) {
			ns_relay_conn *owner = in->r->conns[in->routes[session].conn - 1];
			refuse(in, ev, owner, session, why, NS_OPEN_RESOURCE_SHORTAGE);
		} else {
			refuse(in, ev, NULL, session, why, NS_OPEN_ADMINISTRATIVELY_PROHIBITED);
		}
		return;
	}
	if (ns_relay_fwd_reverse_open(in, c, ev, NS_CHAN_AUTH_AGENT, "-", NS_CHAN_AUTH_AGENT, NULL,
	                              0, &ch) == 0) {
		ch->agent_of = s->slot + 1;
	}
}

void ns_relay_agentfwd_session_end(ns_relay_conn *c, ns_relay_chan *ch)
{
	uint32_t i;

	if (!ch->agent_asked) {
		return;
	}
	for (i = 0; i < NS_RELAY_SLOTS(c->r); i++) {
		ns_relay_chan *x = c->chans[i];
		if (x != NULL && x->agent_of == ch->slot + 1) {
			x->agent_of = 0;
		}
	}
}
