/* Channel requests (RFC 4254 5.4, 6): the peer's, decoded by chan_parse.c and
 * handed to the caller (keepalive@openssh.com answered here), with replies
 * kept in request order; ours, encoded by type; and the peer's replies. */
#include "chan.h"

#include <string.h>

/* Request types whose want_reply must be FALSE (RFC 4254 6.7-6.10). */
static const char *const no_reply_types[] = {
    "window-change", "xon-xoff", "signal", "exit-status", "exit-signal", "eow@openssh.com",
};

static int send_reply(ns_engine *e, const ns_channel *c, int ok)
{
	ns_buf *m = ns_eng_msg(e, ok ? SSH_MSG_CHANNEL_SUCCESS : SSH_MSG_CHANNEL_FAILURE);

	ns_wr_u32(m, c->remote_id); /* recipient channel */
	return ns_eng_send(e);
}

/* Owe the peer a reply (its room in the output is held from now on). */
static void queue_push(ns_engine *e, ns_channel *c, int automatic)
{
	c->reply_kinds |= (uint32_t)(automatic != 0) << c->reply_len;
	c->reply_len++;
	e->replies_owed++;
}

static void queue_pop(ns_engine *e, ns_channel *c)
{
	c->reply_kinds >>= 1;
	c->reply_len--;
	e->replies_owed--;
}

/* Send the automatic FAILUREs now at the head of the reply queue. */
static int flush_automatic(ns_engine *e, ns_channel *c)
{
	int rc = 0;

	while (rc == 0 && c->reply_len > 0 && (c->reply_kinds & 1)) {
		queue_pop(e, c);
		rc = send_reply(e, c, 0);
	}
	return rc;
}

/* A FAILURE the engine answers itself: now when no reply is owed before
 * it, else in its turn after the caller's. */
static int auto_failure(ns_engine *e, ns_channel *c)
{
	if (c->reply_len == 0) {
		return send_reply(e, c, 0);
	}
	queue_push(e, c, 1);
	return 0;
}

/* A well-formed request with a field over its limit: refused alone (the
 * connection goes on), and the caller told why. */
static int refuse(ns_engine *e, ns_channel *c, uint32_t id, const ns_chan_request *q)
{
	ns_event *ev;
	int rc = q->want_reply ? auto_failure(e, c) : 0;

	if (rc == 0 && (ev = ns_eng_emit(e, NS_EV_CHANNEL_REQUEST_REFUSED)) != NULL) {
		ev->channel = id;
		ev->req = *q;
		ev->error = NS_ERR_TOOBIG;
	}
	return rc;
}

int ns_chan_on_request(ns_engine *e, ns_rd *r)
{
	ns_session_info info;
	ns_chan_request q;
	ns_channel *c;
	ns_event *ev;
	uint32_t id;
	int rc;

	ns_rd_u32(r, &id); /* recipient channel */
	rc = r->err ? NS_ERR_FORMAT : ns_chan_request_parse(r, &q, &info);
	if (rc != 0 && rc != NS_ERR_TOOBIG) {
		return ns_eng_fail(e, NS_ERR_FORMAT, NS_DISC_PROTOCOL_ERROR,
		                   "malformed CHANNEL_REQUEST");
	}
	if ((c = ns_chan_peer_target(e, id, SSH_MSG_CHANNEL_REQUEST)) == NULL) {
		return e->err;
	}
	if (c->sent_close) {
		return 0; /* nothing may follow our CLOSE, not even a reply */
	}
	if (q.want_reply &&
	    (c->reply_len == NS_CHAN_REPLIES_MAX || e->replies_owed == NS_CHAN_REPLIES_CONN_MAX)) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "too many unanswered channel requests");
	}
	if (rc == NS_ERR_TOOBIG) {
		return refuse(e, c, id, &q);
	}
	if (ns_str_eq(q.type, "keepalive@openssh.com")) {
		return q.want_reply ? auto_failure(e, c) : 0;
	}
	if (q.want_reply) {
		queue_push(e, c, 0);
		c->peer_requests++;
	}
	if ((ev = ns_eng_emit(e, NS_EV_CHANNEL_REQUEST)) != NULL) {
		ev->channel = id;
		ev->req = q;
		ev->info = info;
	}
	return 0;
}

/* Never NS_ERR_AGAIN: the reply's room was held when the request came
 * (NS_CHAN_REPLY_ROOM), so it is queued now, in request order, however
 * full the output is with data. */
int ns_channel_reply(ns_engine *e, uint32_t id, int ok)
{
	ns_channel *c;
	int rc;

	if ((rc = ns_chan_lookup(e, id, &c)) != 0) {
		return rc;
	}
	if (c->state != NS_CH_OPEN || c->peer_requests == 0) {
		return NS_ERR_STATE; /* never an unsolicited SUCCESS/FAILURE */
	}
	if (c->sent_close) {
		return NS_ERR_CLOSED;
	}
	queue_pop(e, c);
	c->peer_requests--;
	if ((rc = send_reply(e, c, ok)) != 0) {
		return rc;
	}
	return flush_automatic(e, c);
}

int ns_chan_on_reply(ns_engine *e, ns_rd *r, int ok)
{
	ns_channel *c;
	ns_event *ev;
	uint32_t id;

	ns_rd_u32(r, &id); /* recipient channel */
	if (ns_rd_end(r) != 0) {
		return ns_eng_fail(e, NS_ERR_FORMAT, NS_DISC_PROTOCOL_ERROR,
		                   "malformed CHANNEL_SUCCESS/FAILURE");
	}
	if ((c = ns_chan_peer_target(
	         e, id, ok ? SSH_MSG_CHANNEL_SUCCESS : SSH_MSG_CHANNEL_FAILURE)) == NULL) {
		return e->err;
	}
	if (c->our_requests == 0) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "channel request reply without a request");
	}
	c->our_requests--;
	if ((ev = ns_eng_emit(e, NS_EV_CHANNEL_REPLY)) != NULL) {
		ev->channel = id;
		ev->ok = ok;
	}
	return 0;
}

/* Type-specific fields of our request (the peer's view: chan_parse.c);
 * info: NS_CHAN_SESSION_INFO's. */
static int encode(ns_buf *m, const ns_chan_request *q, const ns_session_info *info)
{
	static const uint8_t modes_end[1] = {0};

	if (ns_str_eq(q->type, "pty-req")) {
		if (q->modes.len > 0 && ns_chan_modes_check(q->modes) != 0) {
			return NS_ERR_INVALID;
		}
		ns_wr_str(m, q->term);      /* TERM environment variable value */
		ns_wr_u32(m, q->cols);      /* terminal width, characters */
		ns_wr_u32(m, q->rows);      /* terminal height, rows */
		ns_wr_u32(m, q->width_px);  /* terminal width, pixels */
		ns_wr_u32(m, q->height_px); /* terminal height, pixels */
		if (q->modes.len > 0) {
			return ns_wr_str(m, q->modes); /* encoded terminal modes */
		}
		return ns_wr_string(m, modes_end, 1); /* encoded terminal modes: TTY_OP_END */
	}
	if (ns_str_eq(q->type, "env")) {
		ns_wr_str(m, q->name);         /* variable name */
		return ns_wr_str(m, q->value); /* variable value */
	}
	if (ns_str_eq(q->type, "exec") || ns_str_eq(q->type, "subsystem")) {
		return ns_wr_str(m, q->command); /* command / subsystem name */
	}
	if (ns_str_eq(q->type, "window-change")) {
		ns_wr_u32(m, q->cols);             /* terminal width, columns */
		ns_wr_u32(m, q->rows);             /* terminal height, rows */
		ns_wr_u32(m, q->width_px);         /* terminal width, pixels */
		return ns_wr_u32(m, q->height_px); /* terminal height, pixels */
	}
	if (ns_str_eq(q->type, "xon-xoff")) {
		return ns_wr_bool(m, q->client_can_do);
	}
	if (ns_str_eq(q->type, "signal")) {
		return q->signal.len ? ns_wr_str(m, q->signal) : NS_ERR_INVALID; /* signal name */
	}
	if (ns_str_eq(q->type, "exit-status")) {
		return ns_wr_u32(m, q->exit_status); /* exit status */
	}
	if (ns_str_eq(q->type, "exit-signal")) {
		if (q->signal.len == 0) {
			return NS_ERR_INVALID;
		}
		ns_wr_str(m, q->signal);       /* signal name (without the "SIG") */
		ns_wr_bool(m, q->core_dumped); /* core dumped */
		ns_wr_str(m, q->message);      /* error message (UTF-8) */
		return ns_wr_cstr(m, "");      /* language tag */
	}
	if (ns_str_eq(q->type, NS_CHAN_SESSION_INFO)) {
		if (info == NULL || info->key_id.len > NS_CHAN_KEY_ID_MAX ||
		    info->source.len > NS_CHAN_SOURCE_MAX) {
			return NS_ERR_INVALID; /* no fields, or ones the peer would refuse */
		}
		ns_wr_str(m, info->key_id);        /* certificate key id */
		ns_wr_u64(m, info->serial);        /* certificate serial */
		return ns_wr_str(m, info->source); /* user's source address */
	}
	if (ns_str_eq(q->type, "x11-req")) {
		return NS_ERR_UNSUPPORTED; /* no fields for it in ns_chan_request */
	}
	return 0; /* shell, auth-agent-req, eow, keepalive, others: no fields */
}

static int valid_request(const ns_chan_request *q)
{
	size_t i;

	if (q->type.len == 0 || q->type.len > NS_NAME_MAX || q->type.p == NULL) {
		return 0;
	}
	for (i = 0; i < q->type.len; i++) {
		if (q->type.p[i] < 0x21 || q->type.p[i] > 0x7e) {
			return 0;
		}
	}
	for (i = 0; q->want_reply && i < sizeof(no_reply_types) / sizeof(no_reply_types[0]); i++) {
		if (ns_str_eq(q->type, no_reply_types[i])) {
			return 0;
		}
	}
	return 1;
}

static int send_request(ns_engine *e, uint32_t id, const ns_chan_request *req,
                        const ns_session_info *info)
{
	ns_channel *c;
	ns_buf *m;
	int rc;

	if ((rc = ns_chan_lookup(e, id, &c)) != 0) {
		return rc;
	}
	if (c->state != NS_CH_OPEN || c->sent_close) {
		return NS_ERR_STATE;
	}
	if (req == NULL || !valid_request(req)) {
		return NS_ERR_INVALID;
	}
	m = ns_eng_msg(e, SSH_MSG_CHANNEL_REQUEST);
	ns_wr_u32(m, c->remote_id);     /* recipient channel */
	ns_wr_str(m, req->type);        /* request type */
	ns_wr_bool(m, req->want_reply); /* want reply */
	if ((rc = encode(m, req, info)) != 0 || (rc = m->err) != 0) {
		ns_buf_reset(m);
		return rc == NS_ERR_NOMEM ? NS_ERR_TOOBIG : rc;
	}
	if (!ns_chan_room_for(e, m->len)) {
		ns_buf_reset(m);
		return NS_ERR_AGAIN;
	}
	if ((rc = ns_eng_send(e)) != 0) {
		return rc;
	}
	if (req->want_reply) {
		c->our_requests++;
	}
	return 0;
}

int ns_channel_request(ns_engine *e, uint32_t id, const ns_chan_request *req)
{
	return send_request(e, id, req, NULL);
}

static ns_str cstr(const char *s)
{
	ns_str v;

	v.p = (const uint8_t *)s;
	v.len = s != NULL ? strlen(s) : 0;
	return v;
}

int ns_channel_session_info(ns_engine *e, uint32_t id, const ns_session_info *info)
{
	ns_chan_request q;

	if (info == NULL) {
		return NS_ERR_INVALID;
	}
	memset(&q, 0, sizeof(q));
	q.type = cstr(NS_CHAN_SESSION_INFO);
	return send_request(e, id, &q, info);
}

int ns_channel_exit_status(ns_engine *e, uint32_t id, uint32_t status)
{
	ns_chan_request q;

	memset(&q, 0, sizeof(q));
	q.type = cstr("exit-status");
	q.exit_status = status;
	return ns_channel_request(e, id, &q);
}

int ns_channel_exit_signal(ns_engine *e, uint32_t id, const char *signame, int core,
                           const char *message)
{
	ns_chan_request q;

	if (signame == NULL || (message != NULL && strlen(message) > NS_TEXT_MAX)) {
		return NS_ERR_INVALID;
	}
	memset(&q, 0, sizeof(q));
	q.type = cstr("exit-signal");
	q.signal = cstr(signame);
	q.core_dumped = core != 0;
	q.message = cstr(message);
	return ns_channel_request(e, id, &q);
}
