/* Global requests (RFC 4254 4, 7.1): the peer's are answered in order:
 * no-more-sessions@openssh.com SUCCESS, the forwarding ones passed to the
 * caller when it asked (forward_requests), FAILURE to the rest; ours are
 * keepalive@openssh.com probes, whose replies prove the peer alive, and the
 * caller's (ns_global_request), whose replies become NS_EV_GLOBAL_REPLY. */
#include "chan.h"

#include <string.h>

enum { GQ_CALLER = 0, GQ_FAILURE = 1, GQ_SUCCESS = 2 };
/* Output held per owed reply: a SUCCESS with a port is 4 bytes longer
 * than a channel reply, so two channel reply rooms cover it. */
#define GQ_ROOMS 2

/* Send the owed replies that are known, oldest first. */
static int flush_owed(ns_engine *e)
{
	ns_buf *m;
	int rc;

	while (e->gq_len > 0 && e->gq[0].state != GQ_CALLER) {
		int ok = e->gq[0].state == GQ_SUCCESS;
		uint32_t port = e->gq[0].port;

		memmove(&e->gq[0], &e->gq[1], (size_t)(e->gq_len - 1) * sizeof(e->gq[0]));
		e->gq_len--;
		e->replies_owed -= GQ_ROOMS; /* its room, given back for its send */
		m = ns_eng_msg(e, ok ? SSH_MSG_REQUEST_SUCCESS : SSH_MSG_REQUEST_FAILURE);
		if (ok && port != 0) {
			ns_wr_u32(m, port); /* port that was bound on the server */
		}
		if ((rc = ns_eng_send(e)) != 0) {
			return rc;
		}
	}
	return 0;
}

/* A reply owed: state GQ_* (port for a SUCCESS), handle id. */
static int owe(ns_engine *e, uint8_t state, uint32_t id)
{
	if (e->gq_len >= NS_GLOBAL_REPLIES_MAX) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "too many global requests without replies");
	}
	e->gq[e->gq_len].state = state;
	e->gq[e->gq_len].port = 0;
	e->gq[e->gq_len].id = id;
	e->gq_len++;
	e->replies_owed += GQ_ROOMS;
	return flush_owed(e);
}

static int is_forward(ns_str name)
{
	return ns_str_eq(name, NS_GLOBAL_TCPIP_FORWARD) ||
	       ns_str_eq(name, NS_GLOBAL_CANCEL_TCPIP_FORWARD) ||
	       ns_str_eq(name, NS_GLOBAL_STREAMLOCAL_FORWARD) ||
	       ns_str_eq(name, NS_GLOBAL_CANCEL_STREAMLOCAL_FORWARD);
}

/* A forwarding request for the caller: its event, a reply owed. */
static int to_caller(ns_engine *e, ns_str name, int want_reply, const ns_chan_open_info *f)
{
	ns_event *ev = ns_eng_emit(e, NS_EV_GLOBAL_REQUEST);
	uint32_t id = e->gq_next_id++;

	if (ev != NULL) {
		ev->channel = id;
		ev->req.type = name;
		ev->req.want_reply = want_reply;
		ev->fwd = *f;
	}
	return want_reply ? owe(e, GQ_CALLER, id) : 0;
}

int ns_global_on_request(ns_engine *e, ns_rd *r)
{
	ns_chan_open_info f;
	ns_str name, data;
	int want_reply, ok = 0;

	if (ns_global_request_parse(r, &name, &want_reply) != 0) {
		return ns_eng_fail(e, NS_ERR_FORMAT, NS_DISC_PROTOCOL_ERROR,
		                   "malformed GLOBAL_REQUEST");
	}
	data.p = r->p + r->off; /* request-specific data */
	data.len = r->len - r->off;
	if (ns_str_eq(name, "no-more-sessions@openssh.com")) {
		e->no_more_sessions = 1; /* a later session open disconnects */
		ok = 1;
	} else if (e->role == NS_ROLE_SERVER && e->cfg.forward_requests && is_forward(name) &&
	           ns_global_forward_parse(name, data, &f) == 0) {
		return to_caller(e, name, want_reply, &f);
	}
	/* keepalive@openssh.com, hostkeys-00@openssh.com, malformed or unasked
	 * forwarding, ...: refused, in order after any the caller owes. */
	return want_reply ? owe(e, ok ? GQ_SUCCESS : GQ_FAILURE, 0) : 0;
}

int ns_global_reply(ns_engine *e, uint32_t id, int ok, uint32_t port)
{
	uint8_t i;

	if (e->phase == NS_PH_CLOSED) {
		return NS_ERR_CLOSED;
	}
	for (i = 0; i < e->gq_len && (e->gq[i].state != GQ_CALLER || e->gq[i].id != id); i++) {
	}
	if (i == e->gq_len) {
		return NS_ERR_STATE;
	}
	e->gq[i].state = ok ? GQ_SUCCESS : GQ_FAILURE;
	e->gq[i].port = ok ? port : 0;
	return flush_owed(e);
}

int ns_global_on_reply(ns_engine *e, ns_rd *r, int ok)
{
	uint64_t kind;
	ns_event *ev;
	uint32_t port = 0;

	if (e->global_out == 0) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "global request reply without a request");
	}
	kind = e->global_kinds & 1;
	e->global_kinds >>= 1;
	e->global_out--;
	e->keepalive_out = 0; /* the peer is alive */
	if (kind) {
		return 0;
	}
	if (ok && ns_rd_left(r) >= 4) {
		ns_rd_u32(r, &port); /* port bound, for tcpip-forward of port 0 */
	}
	if ((ev = ns_eng_emit(e, NS_EV_GLOBAL_REPLY)) != NULL) {
		ev->ok = ok;
		ev->fwd.port = port;
	}
	return 0;
}

static int send_request(ns_engine *e, const char *name, const uint8_t *data, size_t len,
                        int want_reply, int keepalive)
{
	ns_buf *m = ns_eng_msg(e, SSH_MSG_GLOBAL_REQUEST);
	int rc;

	ns_wr_cstr(m, name);       /* request name */
	ns_wr_bool(m, want_reply); /* want reply */
	if (len > 0) {
		ns_wr_bytes(m, data, len); /* request-specific data */
	}
	if ((rc = ns_eng_send(e)) == 0 && want_reply) {
		e->global_kinds |= (uint64_t)(keepalive ? 1 : 0) << e->global_out;
		e->global_out++;
	}
	return rc;
}

int ns_global_keepalive(ns_engine *e)
{
	if (e->global_out >= NS_GLOBAL_OUT_MAX) {
		return 0; /* the missed count ends a silent peer */
	}
	return send_request(e, "keepalive@openssh.com", NULL, 0, 1, 1);
}

int ns_global_request(ns_engine *e, const char *name, const uint8_t *data, size_t len,
                      int want_reply)
{
	if (e->phase == NS_PH_CLOSED) {
		return NS_ERR_CLOSED;
	}
	if (!e->auth_done) {
		return NS_ERR_STATE;
	}
	if (name == NULL || strlen(name) > NS_NAME_MAX || len > NS_CHAN_OPEN_DATA_MAX ||
	    (len > 0 && data == NULL)) {
		return NS_ERR_INVALID;
	}
	if ((want_reply && e->global_out >= NS_GLOBAL_OUT_MAX) || !ns_chan_room_for(e, 64 + len)) {
		return NS_ERR_AGAIN;
	}
	return send_request(e, name, data, len, want_reply, 0);
}
