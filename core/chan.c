/* Channels (RFC 4254 5.1, 5.3): the channel table, opening (ours: session,
 * the peer's: to the caller as server, refused as client), EOF and CLOSE in
 * both directions, and the dispatch of connection messages 80..100. Data and
 * flow control are in chan_data.c, requests in chan_req.c. */
#include "chan.h"

#include <sodium.h>
#include <string.h>

int ns_chan_init(ns_engine *e)
{
	e->chans = NULL; /* allocated by the first open, grown by later ones */
	e->nchans = 0;
	return 0;
}

void ns_chan_free(ns_engine *e)
{
	if (e->chans != NULL) {
		sodium_memzero(e->chans, (size_t)e->nchans * sizeof(ns_channel));
		e->alloc.realloc(e->alloc.ctx, e->chans, 0);
	}
	e->chans = NULL;
	e->nchans = 0;
}

/* The table moved to n entries (ids below both sizes keep their slots, new
 * ones are free); 0 or NS_ERR_NOMEM, the old table kept. A fresh block
 * rather than realloc, so the old one is wiped before it goes back. */
static int resize(ns_engine *e, uint32_t n)
{
	size_t keep = (size_t)(n < e->nchans ? n : e->nchans) * sizeof(ns_channel);
	ns_channel *t = e->alloc.realloc(e->alloc.ctx, NULL, (size_t)n * sizeof(ns_channel));

	if (t == NULL) {
		return NS_ERR_NOMEM;
	}
	memset(t, 0, (size_t)n * sizeof(ns_channel));
	if (keep > 0) {
		memcpy(t, e->chans, keep);
	}
	ns_chan_free(e);
	e->chans = t;
	e->nchans = n;
	return 0;
}

int ns_chan_table_grow(ns_engine *e)
{
	uint32_t max = e->cfg.max_channels, n;

	if (e->nchans >= max) {
		return NS_ERR_LIMIT;
	}
	n = e->nchans == 0 ? NS_CHAN_TABLE_MIN : e->nchans * 2;
	return resize(e, n < max ? n : max);
}

/* Ids are handed out lowest first, so the top of a table that has emptied
 * is free: halve it while three quarters of it are unused. Best effort (a
 * failed allocation keeps the larger table). */
static void maybe_shrink(ns_engine *e)
{
	uint32_t used = e->nchans, n = e->nchans;

	while (used > 0 && e->chans[used - 1].state == NS_CH_FREE) {
		used--;
	}
	while (n / 2 >= NS_CHAN_TABLE_MIN && used <= n / 4) {
		n /= 2;
	}
	if (n < e->nchans) {
		(void)resize(e, n);
	}
}

void ns_chan_release(ns_engine *e, uint32_t id)
{
	e->replies_owed -= e->chans[id].reply_len;
	memset(&e->chans[id], 0, sizeof(e->chans[id]));
	maybe_shrink(e);
}

size_t ns_chan_out_free(const ns_engine *e)
{
	size_t room = ns_eng_out_room(e), held = (size_t)e->replies_owed * NS_CHAN_REPLY_ROOM;

	return room > held ? room - held : 0;
}

int ns_chan_room_for(const ns_engine *e, size_t payload)
{
	return ns_chan_out_free(e) >= payload + NS_PACKET_OVERHEAD + NS_CHAN_CTL_RESERVE;
}

int ns_chan_lookup(ns_engine *e, uint32_t id, ns_channel **c)
{
	*c = NULL;
	if (e->phase == NS_PH_CLOSED) {
		return NS_ERR_CLOSED;
	}
	if (id >= e->cfg.max_channels) {
		return NS_ERR_INVALID;
	}
	if (id >= e->nchans || e->chans[id].state == NS_CH_FREE) {
		return NS_ERR_CLOSED;
	}
	*c = &e->chans[id];
	return 0;
}

/* What went wrong, per message type 91..100, for the disconnect message. */
static const char *const unknown_msg[] = {
    "CHANNEL_OPEN_CONFIRMATION for an unknown channel",
    "CHANNEL_OPEN_FAILURE for an unknown channel",
    "CHANNEL_WINDOW_ADJUST for an unknown channel",
    "CHANNEL_DATA for an unknown channel",
    "CHANNEL_EXTENDED_DATA for an unknown channel",
    "CHANNEL_EOF for an unknown channel",
    "CHANNEL_CLOSE for an unknown channel",
    "CHANNEL_REQUEST for an unknown channel",
    "CHANNEL_SUCCESS for an unknown channel",
    "CHANNEL_FAILURE for an unknown channel",
};

static ns_channel *target(ns_engine *e, uint32_t id, uint8_t type, int state)
{
	if (e->chans == NULL || id >= e->nchans || e->chans[id].state == NS_CH_FREE) {
		ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		            unknown_msg[type - SSH_MSG_CHANNEL_OPEN_CONFIRMATION]);
		return NULL;
	}
	if (e->chans[id].state != state) {
		ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		            state == NS_CH_OPEN
		                ? "channel message for a channel not yet open"
		                : "channel open answer for a channel not being opened");
		return NULL;
	}
	return &e->chans[id];
}

ns_channel *ns_chan_peer_target(ns_engine *e, uint32_t id, uint8_t type)
{
	return target(e, id, type, NS_CH_OPEN);
}

static int malformed(ns_engine *e)
{
	return ns_eng_fail(e, NS_ERR_FORMAT, NS_DISC_PROTOCOL_ERROR, "malformed channel message");
}

/* A free slot, the lowest, initialised with our window and max packet;
 * the table grows when every slot is taken. */
int ns_chan_alloc_slot(ns_engine *e, uint32_t *id)
{
	uint32_t i;
	int rc;

	for (i = 0; i < e->nchans && e->chans[i].state != NS_CH_FREE; i++) {
	}
	if (i == e->nchans && (rc = ns_chan_table_grow(e)) != 0) {
		return rc;
	}
	memset(&e->chans[i], 0, sizeof(e->chans[i]));
	e->chans[i].local_window = e->cfg.window;
	e->chans[i].local_window_max = e->cfg.window;
	e->chans[i].local_max_packet = e->cfg.max_packet;
	*id = i;
	return 0;
}

int ns_channel_open_session(ns_engine *e, uint32_t *id)
{
	*id = 0;
	if (e->phase != NS_PH_CLOSED && e->role != NS_ROLE_CLIENT) {
		return NS_ERR_STATE;
	}
	return ns_channel_open(e, "session", NULL, 0, id);
}

static int send_open_failure(ns_engine *e, uint32_t remote, uint32_t reason, const char *msg)
{
	ns_buf *m = ns_eng_msg(e, SSH_MSG_CHANNEL_OPEN_FAILURE);

	ns_wr_u32(m, remote); /* recipient channel */
	ns_wr_u32(m, reason); /* reason code */
	ns_wr_cstr(m, msg);   /* description */
	ns_wr_cstr(m, "");    /* language tag */
	return ns_eng_send(e);
}

int ns_chan_on_open(ns_engine *e, ns_rd *r)
{
	uint32_t sender, window, max_packet, id;
	ns_event *ev;
	ns_str type;
	int rc;

	ns_rd_name(r, NS_NAME_MAX, &type); /* channel type */
	ns_rd_u32(r, &sender);             /* sender channel */
	ns_rd_u32(r, &window);             /* initial window size */
	ns_rd_u32(r, &max_packet);         /* maximum packet size */
	/* ... channel type specific data follows: left to the caller's policy */
	if (r->err) {
		return malformed(e);
	}
	if (e->role == NS_ROLE_CLIENT && !e->cfg.accept_channels) {
		return send_open_failure(e, sender, NS_OPEN_ADMINISTRATIVELY_PROHIBITED,
		                         "channels from the server are not accepted");
	}
	if (e->no_more_sessions && ns_str_eq(type, "session")) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "session channel opened after no-more-sessions@openssh.com");
	}
	if ((rc = ns_chan_alloc_slot(e, &id)) != 0) {
		return send_open_failure(e, sender, NS_OPEN_RESOURCE_SHORTAGE,
		                         rc == NS_ERR_NOMEM ? "out of memory"
		                                            : "too many channels");
	}
	e->chans[id].state = NS_CH_PENDING;
	e->chans[id].remote_id = sender;
	e->chans[id].remote_window = window;
	e->chans[id].remote_max_packet = max_packet;
	ev = ns_eng_emit(e, NS_EV_CHANNEL_OPEN);
	if (ev != NULL) {
		ev->channel = id;
		ev->channel_type = type;
		ev->open_data.p = r->p + r->off;
		ev->open_data.len = r->len - r->off;
	}
	return 0;
}

/* A channel the peer asked for, waiting for the caller's verdict. */
static int pending(ns_engine *e, uint32_t id, ns_channel **c)
{
	int rc = ns_chan_lookup(e, id, c);

	if (rc == 0 && (*c)->state != NS_CH_PENDING) {
		rc = NS_ERR_STATE;
	}
	if (rc == 0 && !ns_chan_room_for(e, 64 + NS_TEXT_MAX)) {
		rc = NS_ERR_AGAIN;
	}
	return rc;
}

int ns_channel_accept(ns_engine *e, uint32_t id)
{
	ns_channel *c;
	ns_buf *m;
	int rc;

	if ((rc = pending(e, id, &c)) != 0) {
		return rc;
	}
	m = ns_eng_msg(e, SSH_MSG_CHANNEL_OPEN_CONFIRMATION);
	ns_wr_u32(m, c->remote_id);        /* recipient channel */
	ns_wr_u32(m, id);                  /* sender channel */
	ns_wr_u32(m, c->local_window);     /* initial window size */
	ns_wr_u32(m, c->local_max_packet); /* maximum packet size */
	if ((rc = ns_eng_send(e)) != 0) {
		return rc;
	}
	c->state = NS_CH_OPEN;
	return 0;
}

int ns_channel_reject(ns_engine *e, uint32_t id, uint32_t reason, const char *message)
{
	ns_channel *c;
	int rc;

	if ((rc = pending(e, id, &c)) != 0) {
		return rc;
	}
	if (message != NULL && strlen(message) > NS_TEXT_MAX) {
		return NS_ERR_INVALID;
	}
	rc = send_open_failure(e, c->remote_id, reason, message ? message : "");
	ns_chan_release(e, id);
	return rc;
}

int ns_chan_on_open_confirmation(ns_engine *e, ns_rd *r)
{
	uint32_t id, sender, window, max_packet;
	ns_channel *c;
	ns_event *ev;

	ns_rd_u32(r, &id);         /* recipient channel */
	ns_rd_u32(r, &sender);     /* sender channel */
	ns_rd_u32(r, &window);     /* initial window size */
	ns_rd_u32(r, &max_packet); /* maximum packet size */
	/* ... channel type specific data: none for session */
	if (r->err) {
		return malformed(e);
	}
	if ((c = target(e, id, SSH_MSG_CHANNEL_OPEN_CONFIRMATION, NS_CH_OPENING)) == NULL) {
		return e->err;
	}
	c->state = NS_CH_OPEN;
	c->remote_id = sender;
	c->remote_window = window;
	c->remote_max_packet = max_packet;
	if ((ev = ns_eng_emit(e, NS_EV_CHANNEL_OPENED)) != NULL) {
		ev->channel = id;
	}
	return 0;
}

int ns_chan_on_open_failure(ns_engine *e, ns_rd *r)
{
	uint32_t id, reason;
	ns_str desc, lang;
	ns_event *ev;

	ns_rd_u32(r, &id);                       /* recipient channel */
	ns_rd_u32(r, &reason);                   /* reason code */
	ns_rd_string_max(r, NS_TEXT_MAX, &desc); /* description (UTF-8) */
	ns_rd_string_max(r, NS_NAME_MAX, &lang); /* language tag */
	if (r->err) {
		return malformed(e);
	}
	if (target(e, id, SSH_MSG_CHANNEL_OPEN_FAILURE, NS_CH_OPENING) == NULL) {
		return e->err;
	}
	ns_chan_release(e, id);
	if ((ev = ns_eng_emit(e, NS_EV_CHANNEL_OPEN_FAILED)) != NULL) {
		ev->channel = id;
		ev->reason = reason;
		ev->message = desc;
	}
	return 0;
}

int ns_channel_eof(ns_engine *e, uint32_t id)
{
	ns_channel *c;
	ns_buf *m;
	int rc;

	if ((rc = ns_chan_lookup(e, id, &c)) != 0) {
		return rc;
	}
	if (c->state != NS_CH_OPEN) {
		return NS_ERR_STATE;
	}
	if (c->sent_eof || c->sent_close) {
		return 0;
	}
	if (!ns_chan_room_for(e, 16)) {
		return NS_ERR_AGAIN;
	}
	m = ns_eng_msg(e, SSH_MSG_CHANNEL_EOF);
	ns_wr_u32(m, c->remote_id); /* recipient channel */
	if ((rc = ns_eng_send(e)) == 0) {
		c->sent_eof = 1;
	}
	return rc;
}

static int send_close(ns_engine *e, ns_channel *c)
{
	ns_buf *m = ns_eng_msg(e, SSH_MSG_CHANNEL_CLOSE);
	int rc;

	ns_wr_u32(m, c->remote_id); /* recipient channel */
	if ((rc = ns_eng_send(e)) == 0) {
		c->sent_close = 1;
	}
	return rc;
}

int ns_channel_close(ns_engine *e, uint32_t id)
{
	ns_channel *c;
	int rc;

	if ((rc = ns_chan_lookup(e, id, &c)) != 0) {
		return rc;
	}
	if (c->state != NS_CH_OPEN) {
		return NS_ERR_STATE;
	}
	if (c->sent_close) {
		return 0;
	}
	if (!ns_chan_room_for(e, 16)) {
		return NS_ERR_AGAIN;
	}
	return send_close(e, c);
}

int ns_chan_on_eof(ns_engine *e, ns_rd *r)
{
	ns_channel *c;
	ns_event *ev;
	uint32_t id;

	ns_rd_u32(r, &id); /* recipient channel */
	if (ns_rd_end(r) != 0) {
		return malformed(e);
	}
	if ((c = ns_chan_peer_target(e, id, SSH_MSG_CHANNEL_EOF)) == NULL) {
		return e->err;
	}
	if (c->recv_eof) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "second CHANNEL_EOF on a channel");
	}
	c->recv_eof = 1;
	if (!c->sent_close && (ev = ns_eng_emit(e, NS_EV_CHANNEL_EOF)) != NULL) {
		ev->channel = id;
	}
	return 0;
}

int ns_chan_on_close(ns_engine *e, ns_rd *r)
{
	ns_channel *c;
	ns_event *ev;
	uint32_t id;
	int rc;

	ns_rd_u32(r, &id); /* recipient channel */
	if (ns_rd_end(r) != 0) {
		return malformed(e);
	}
	if ((c = ns_chan_peer_target(e, id, SSH_MSG_CHANNEL_CLOSE)) == NULL) {
		return e->err;
	}
	c->recv_close = 1;
	if (!c->sent_close && (rc = send_close(e, c)) != 0) {
		return rc;
	}
	/* Both CLOSEs done: the id is free from now on. */
	ns_chan_release(e, id);
	if ((ev = ns_eng_emit(e, NS_EV_CHANNEL_CLOSED)) != NULL) {
		ev->channel = id;
	}
	return 0;
}

static int unimplemented(ns_engine *e)
{
	ns_buf *m = ns_eng_msg(e, SSH_MSG_UNIMPLEMENTED);

	ns_wr_u32(m, e->rx_seq_cur); /* packet sequence number of rejected message */
	return ns_eng_send(e);
}

int ns_conn_dispatch(ns_engine *e, uint8_t type, ns_rd *r)
{
	switch (type) {
	case SSH_MSG_GLOBAL_REQUEST: return ns_global_on_request(e, r);
	case SSH_MSG_REQUEST_SUCCESS: return ns_global_on_reply(e, r, 1);
	case SSH_MSG_REQUEST_FAILURE: return ns_global_on_reply(e, r, 0);
	case SSH_MSG_CHANNEL_OPEN: return ns_chan_on_open(e, r);
	case SSH_MSG_CHANNEL_OPEN_CONFIRMATION: return ns_chan_on_open_confirmation(e, r);
	case SSH_MSG_CHANNEL_OPEN_FAILURE: return ns_chan_on_open_failure(e, r);
	case SSH_MSG_CHANNEL_WINDOW_ADJUST: return ns_chan_on_window_adjust(e, r);
	case SSH_MSG_CHANNEL_DATA: return ns_chan_on_data(e, r, 0);
	case SSH_MSG_CHANNEL_EXTENDED_DATA: return ns_chan_on_data(e, r, 1);
	case SSH_MSG_CHANNEL_EOF: return ns_chan_on_eof(e, r);
	case SSH_MSG_CHANNEL_CLOSE: return ns_chan_on_close(e, r);
	case SSH_MSG_CHANNEL_REQUEST: return ns_chan_on_request(e, r);
	case SSH_MSG_CHANNEL_SUCCESS: return ns_chan_on_reply(e, r, 1);
	case SSH_MSG_CHANNEL_FAILURE: return ns_chan_on_reply(e, r, 0);
	default: return unimplemented(e);
	}
}
