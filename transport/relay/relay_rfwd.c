/* Remote forwarding in the relay (ssh -R): a user's tcpip-forward /
 * streamlocal-forward@openssh.com goes to the sandbox's agent connection as
 * the relay's own global request (sent once that connection is ready; its
 * answer, with the port bound, back to the user); the agent's
 * forwarded-tcpip / forwarded-streamlocal opens find their user by the
 * address and port bound and become splices opened towards the user. A
 * user's forwards are cancelled at the agent when the user goes. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "nullspace/error.h"
#include "relay_int.h"
#include "wire.h"

enum { RF_QUEUED = 1, RF_ASKED, RF_ACTIVE, RF_CANCEL };

struct ns_relay_rfwd {
	ns_relay_rfwd *next;  /* in in->rfwds */
	ns_relay_rfwd *qnext; /* in the reply queue (RF_ASKED, RF_CANCEL) */
	uint32_t conn, gen;   /* the user's connection: slot + 1 (0: gone) */
	uint32_t req;         /* the front engine's handle for the answer */
	int want_reply, is_unix, state;
	char addr[NS_CHAN_PATH_MAX + 1];
	uint32_t port, bound;
};

static ns_relay_conn *conn_of(ns_relay_inner *in, const ns_relay_rfwd *rf)
{
	ns_relay_conn *c;

	if (rf->conn == 0 || rf->conn - 1 >= in->r->max_conns) {
		return NULL;
	}
	c = in->r->conns[rf->conn - 1];
	return c != NULL && c->gen == rf->gen ? c : NULL;
}

static void answer(ns_relay_conn *c, const ns_relay_rfwd *rf, int ok, uint32_t port)
{
	if (c != NULL && rf->want_reply) {
		ns_call_check(c->front.e, c->r->log, "relay", c->id, "global_reply",
		              ns_global_reply(c->front.e, rf->req, ok, port));
		ns_relay_dirty(c);
	}
}

static void unlink_rf(ns_relay_inner *in, ns_relay_rfwd *rf)
{
	ns_relay_rfwd **pp;

	for (pp = &in->rfwds; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == rf) {
			*pp = rf->next;
			break;
		}
	}
	if (--in->nusers == 0) {
		in->idle_since = in->r->now;
	}
	ns_relay_inner_dirty(in);
	free(rf);
}

/* Send rf's request (or its cancel: a record of its own in the queue). */
static int send_req(ns_relay_inner *in, ns_relay_rfwd *rf, int cancel)
{
	uint8_t data[NS_CHAN_PATH_MAX + 16];
	ns_relay_rfwd *q = rf;
	const char *name;
	ns_buf b;

	ns_buf_init_fixed(&b, data, sizeof(data));
	ns_wr_cstr(&b, rf->addr); /* address to bind / socket path */
	if (!rf->is_unix) {
		ns_wr_u32(&b, cancel ? rf->bound : rf->port); /* port to bind */
		name = cancel ? NS_GLOBAL_CANCEL_TCPIP_FORWARD : NS_GLOBAL_TCPIP_FORWARD;
	} else {
		name =
		    cancel ? NS_GLOBAL_CANCEL_STREAMLOCAL_FORWARD : NS_GLOBAL_STREAMLOCAL_FORWARD;
	}
	if (cancel && (q = calloc(1, sizeof(*q))) == NULL) {
		return NS_ERR_NOMEM;
	}
	if (b.err != 0 || ns_global_request(in->p.e, name, data, b.len, 1) != 0) {
		if (cancel) {
			free(q);
		}
		return NS_ERR_AGAIN;
	}
	q->state = cancel ? RF_CANCEL : RF_ASKED;
	q->qnext = NULL;
	if (in->rq_tail != NULL) {
		in->rq_tail->qnext = q;
	} else {
		in->rq_head = q;
	}
	in->rq_tail = q;
	ns_relay_inner_dirty(in);
	return 0;
}

static uint32_t count_of(ns_relay *r, const ns_relay_conn *c)
{
	uint32_t i, n = 0;
	ns_relay_rfwd *rf;

	for (i = 0; i < r->max_conns; i++) {
		for (rf = r->inners[i] != NULL ? r->inners[i]->rfwds : NULL; rf != NULL;
		     rf = rf->next) {
			n += rf->conn == c->slot + 1 && rf->gen == c->gen;
		}
	}
	return n;
}

static void refuse(ns_relay_conn *c, const ns_event *ev, const char *kind, const char *why)
{
	fprintf(c->r->log, "relay event=forward-refused conn=%u user=%s kind=%s reason=%s\n", c->id,
	        c->user, kind, why);
	if (ev->req.want_reply) {
		ns_call_check(c->front.e, c->r->log, "relay", c->id, "global_reply",
		              ns_global_reply(c->front.e, ev->channel, 0, 0));
	}
}

static void cancel(ns_relay_conn *c, const ns_event *ev, int is_unix)
{
	uint32_t i;
	ns_relay_rfwd *rf;
	int ok = 0;

	for (i = 0; i < c->r->max_conns && !ok; i++) {
		ns_relay_inner *in = c->r->inners[i];
		for (rf = in != NULL ? in->rfwds : NULL; rf != NULL; rf = rf->next) {
			if (rf->conn == c->slot + 1 && rf->gen == c->gen &&
			    rf->state == RF_ACTIVE && rf->is_unix == is_unix &&
			    ns_str_eq(ev->fwd.host, rf->addr) &&
			    (is_unix || ev->fwd.port == rf->port || ev->fwd.port == rf->bound)) {
				(void)send_req(in, rf,
				               1); /* best effort: the agent keeps it otherwise */
				unlink_rf(in, rf);
				ok = 1;
				break;
			}
		}
	}
	if (ev->req.want_reply) {
		ns_call_check(c->front.e, c->r->log, "relay", c->id, "global_reply",
		              ns_global_reply(c->front.e, ev->channel, ok, 0));
	}
}

void ns_relay_rfwd_front_request(ns_relay_conn *c, const ns_event *ev, uint64_t now)
{
	ns_str t = ev->req.type;
	int is_unix = ns_str_eq(t, NS_GLOBAL_STREAMLOCAL_FORWARD) ||
	              ns_str_eq(t, NS_GLOBAL_CANCEL_STREAMLOCAL_FORWARD);
	const char *kind = is_unix ? NS_GLOBAL_STREAMLOCAL_FORWARD : NS_GLOBAL_TCPIP_FORWARD;
	char msg[160];
	ns_relay_inner *in;
	ns_relay_rfwd *rf;

	if (ns_str_eq(t, NS_GLOBAL_CANCEL_TCPIP_FORWARD) ||
	    ns_str_eq(t, NS_GLOBAL_CANCEL_STREAMLOCAL_FORWARD)) {
		cancel(c, ev, is_unix);
		return;
	}
	if (!c->authed || !c->permit_port_fwd) {
		refuse(c, ev, kind, "no-permit-port-forwarding");
		return;
	}
	if (count_of(c->r, c) >= NS_RELAY_RFWD_MAX) {
		refuse(c, ev, kind, "max-remote-forwards");
		return;
	}
	if ((in = ns_relay_inner_get(c, now, msg, sizeof(msg))) == NULL) {
		refuse(c, ev, kind, "sandbox-unreachable");
		return;
	}
	if ((rf = calloc(1, sizeof(*rf))) == NULL) {
		refuse(c, ev, kind, "no-memory");
		return;
	}
	rf->conn = c->slot + 1;
	rf->gen = c->gen;
	rf->req = ev->channel;
	rf->want_reply = ev->req.want_reply;
	rf->is_unix = is_unix;
	rf->port = ev->fwd.port;
	memcpy(rf->addr, ev->fwd.host.p, ev->fwd.host.len); /* no NUL: the parser checked */
	rf->state = RF_QUEUED;
	rf->next = in->rfwds;
	in->rfwds = rf;
	in->nusers++;
	if (in->state == NS_IN_READY && send_req(in, rf, 0) != 0) {
		answer(c, rf, 0, 0);
		unlink_rf(in, rf);
	}
}

void ns_relay_rfwd_ready(ns_relay_inner *in)
{
	ns_relay_rfwd *rf, *next;

	for (rf = in->rfwds; rf != NULL; rf = next) {
		next = rf->next;
		if (rf->state == RF_QUEUED && send_req(in, rf, 0) != 0) {
			answer(conn_of(in, rf), rf, 0, 0);
			unlink_rf(in, rf);
		}
	}
}

void ns_relay_rfwd_reply(ns_relay_inner *in, const ns_event *ev)
{
	ns_relay_rfwd *rf = in->rq_head;
	char shown[NS_CHAN_PATH_MAX + 1];
	ns_relay_conn *c;
	ns_str a;

	if (rf == NULL) {
		return;
	}
	in->rq_head = rf->qnext;
	if (in->rq_head == NULL) {
		in->rq_tail = NULL;
	}
	if (rf->state == RF_CANCEL) {
		free(rf);
		return;
	}
	c = conn_of(in, rf);
	if (!ev->ok || c == NULL) {
		if (ev->ok) {
			rf->bound = ev->fwd.port != 0 ? ev->fwd.port : rf->port;
			(void)send_req(in, rf, 1); /* its user went meanwhile */
		}
		answer(c, rf, 0, 0);
		unlink_rf(in, rf);
		return;
	}
	rf->state = RF_ACTIVE;
	rf->bound = ev->fwd.port != 0 ? ev->fwd.port : rf->port;
	a.p = (const uint8_t *)rf->addr;
	a.len = strlen(rf->addr);
	ns_log_str(a, shown, sizeof(shown));
	fprintf(in->r->log, "relay event=forward-listen conn=%u kind=%s target=%s:%u bound=%u\n",
	        c->id, rf->is_unix ? NS_GLOBAL_STREAMLOCAL_FORWARD : NS_GLOBAL_TCPIP_FORWARD, shown,
	        rf->port, rf->bound);
	answer(c, rf, 1, rf->port == 0 ? rf->bound : 0);
}

void ns_relay_rfwd_lost(ns_relay_inner *in)
{
	ns_relay_rfwd *q;

	while ((q = in->rq_head) != NULL) {
		in->rq_head = q->qnext;
		if (q->state == RF_CANCEL) {
			free(q);
		}
	}
	in->rq_tail = NULL;
	while (in->rfwds != NULL) {
		if (in->rfwds->state != RF_ACTIVE) {
			answer(conn_of(in, in->rfwds), in->rfwds, 0, 0);
		}
		unlink_rf(in, in->rfwds);
	}
}

void ns_relay_rfwd_conn_gone(ns_relay_conn *c)
{
	ns_relay_rfwd *rf, *next;
	uint32_t i;

	for (i = 0; i < c->r->max_conns; i++) {
		ns_relay_inner *in = c->r->inners[i];
		for (rf = in != NULL ? in->rfwds : NULL; rf != NULL; rf = next) {
			next = rf->next;
			if (rf->conn != c->slot + 1 || rf->gen != c->gen) {
				continue;
			}
			rf->conn = 0;
			if (rf->state == RF_ACTIVE) {
				(void)send_req(in, rf, 1);
				unlink_rf(in, rf);
			} else if (rf->state == RF_QUEUED) {
				unlink_rf(in, rf);
			} /* RF_ASKED: its reply cancels it */
		}
	}
}

/* The user connection a forwarded open of the agent's goes to. */
ns_relay_conn *ns_relay_rfwd_find(ns_relay_inner *in, int is_unix, const ns_chan_open_info *o)
{
	ns_relay_rfwd *rf;

	for (rf = in->rfwds; rf != NULL; rf = rf->next) {
		if (rf->state == RF_ACTIVE && rf->is_unix == is_unix &&
		    ns_str_eq(o->host, rf->addr) && (is_unix || o->port == rf->bound)) {
			return conn_of(in, rf);
		}
	}
	return NULL;
}
