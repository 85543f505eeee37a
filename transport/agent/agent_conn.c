/* One agent connection: the socket pump around a server-role engine (input
 * with its consumed count, output and ack, time), the events it raises, its
 * session channels, the login grace timer and the final flush. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent_int.h"
#include "net.h"
#include "nullspace/error.h"
#include "wire.h"
#include "log_str.h"
#include "software.h"

/* A read shorter than this is a message of a conversation, not bulk: ACKed
 * at once, for a client with Nagle on holds its next short write until
 * then (see the relay's QUICKACK_BELOW, relay_conn.c). */
#define QUICKACK_BELOW 4096

static ssize_t sock_read(void *ctx, uint8_t *buf, size_t cap)
{
	int fd = *(const int *)ctx;
	ssize_t n = recv(fd, buf, cap, 0);

	if (n > 0 && n < QUICKACK_BELOW) {
		(void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &(int){1}, sizeof(int));
	}
	return n;
}

static void flush_input(void *host)
{
	ns_session_input_flush(host);
}

static int adopt(ns_session_host *h, uint32_t id, ns_session *s);

int ns_agent_conn_new(ns_agent *a, int fd, uint32_t slot, uint64_t now, ns_agent_conn **out)
{
	ns_engine_config ec;
	ns_agent_conn *c = calloc(1, sizeof(*c) + ((size_t)a->max_chans + 1) * sizeof(c->sess[0]));
	int rc;

	*out = NULL;
	if (c == NULL) {
		return NS_ERR_NOMEM;
	}
	ns_engine_config_init(&ec);
	ec.role = NS_ROLE_SERVER;
	ec.alloc = ns_allocator_libc();
	ec.software = NS_SERVER_SOFTWARE;
	ec.host_key = a->cfg->host_key;
	ec.host_cert = a->cfg->host_cert;
	ec.host_cert_len = a->cfg->host_cert_len;
	ec.max_channels = a->max_chans + 1; /* the extra slot: see NS_AGENT_CHAN_SLOTS */
	ec.max_auth_tries = a->cfg->max_auth_tries;
	ec.keepalive_ms = a->cfg->keepalive_ms;
	ec.ciphers = a->cfg->ciphers;
	ec.kex = a->cfg->kex;
	ec.macs = a->cfg->macs;
	ec.forward_requests = 1; /* tcpip-forward: agent_rfwd.c */
	if ((rc = ns_engine_new(&ec, &c->host.e)) != 0) {
		free(c);
		return rc;
	}
	c->agent = a;
	c->host.epfd = a->epfd;
	c->host.slot = slot;
	c->host.gen = ++a->gen & 0xfffff;
	c->host.conn_id = ++a->next_id;
	c->host.log = a->log;
	c->host.adopt = adopt;
	c->host.home = a->cfg->home;
	ns_net_peer_name(fd, c->host.peer, sizeof(c->host.peer));
	ns_net_conn_addr(fd, c->host.conn_addr, sizeof(c->host.conn_addr));
	/* the gathered stdin writes are views into the engine's input, which
	 * the next read may move: written before it */
	c->pump.before_read = flush_input;
	c->pump.before_read_arg = &c->host;
	ns_watch_init(&c->sock, fd, ns_watch_token(NS_WATCH_SOCK, slot, c->host.gen, 0));
	c->grace_deadline = now + a->grace_ms;
	ns_call_check(c->host.e, c->host.log, "agent", c->host.conn_id, "engine_tick",
	              ns_engine_tick(c->host.e, now));
	*out = c;
	return 0;
}

/* Authenticated: no longer counted against its source or the grace time. */
static void authed_check(ns_agent_conn *c)
{
	if (!ns_engine_authenticated(c->host.e)) {
		return;
	}
	if (c->unauth_counted) {
		c->unauth_counted = 0;
		ns_tally_sub(c->agent->src, c->host.peer, 1);
	}
	c->grace_deadline = 0;
}

/* Session slots: kept with their count and range (agent_int.h). */
static void sess_put(ns_agent_conn *c, uint32_t id, ns_session *s)
{
	c->sess[id] = s;
	c->nsess++;
	if (id >= c->sess_hi) {
		c->sess_hi = id + 1;
	}
}

void ns_agent_conn_sess_put(ns_agent_conn *c, uint32_t id, ns_session *s)
{
	sess_put(c, id, s);
}

/* ns_session_host.adopt: a session for an agent forwarding connection. */
static int adopt(ns_session_host *h, uint32_t id, ns_session *s)
{
	ns_agent_conn *c = (ns_agent_conn *)((char *)h - offsetof(ns_agent_conn, host));

	if (c->nsess >= c->agent->max_chans || id >= NS_AGENT_CHAN_SLOTS(c) ||
	    c->sess[id] != NULL) {
		return NS_ERR_LIMIT;
	}
	sess_put(c, id, s);
	return 0;
}

static void sess_drop(ns_agent_conn *c, uint32_t id)
{
	ns_session_free(c->sess[id]);
	if (c->sess[id] != NULL) {
		c->sess[id] = NULL;
		c->nsess--;
	}
	while (c->sess_hi > 0 && c->sess[c->sess_hi - 1] == NULL) {
		c->sess_hi--;
	}
}

static void sess_drop_all(ns_agent_conn *c)
{
	while (c->sess_hi > 0) {
		sess_drop(c, c->sess_hi - 1);
	}
}

void ns_agent_conn_free(ns_agent_conn *c)
{
	if (c->unauth_counted) {
		c->unauth_counted = 0;
		ns_tally_sub(c->agent->src, c->host.peer, 1);
	}
	ns_agent_rfwd_free_all(c);
	sess_drop_all(c);
	ns_watch_close(c->host.epfd, &c->sock);
	ns_engine_free(c->host.e);
	free(c->host.force_command);
	free(c);
}

/* Send what the engine has; 0, or -1 when the peer is gone. */
static int flush(ns_agent_conn *c)
{
	ns_pump_io io = {sock_read, ns_pump_sock_write, &c->sock.fd};

	return ns_pump_flush(&c->pump, c->host.e, &io) != 0 ? -1 : 0;
}

void ns_agent_conn_sock(ns_agent_conn *c, uint32_t events)
{
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		c->pump.readable = 1; /* read in the pump, straight into the engine */
	}
	if (events & EPOLLOUT) {
		flush(c);
	}
}

static int is_forward(ns_str type)
{
	return ns_str_eq(type, NS_CHAN_DIRECT_TCPIP) || ns_str_eq(type, NS_CHAN_DIRECT_STREAMLOCAL);
}

/* A forward: connected from here (the session accepts or refuses the
 * channel once the connect ends), or refused at once. */
static void forward_open(ns_agent_conn *c, const ns_event *ev)
{
	ns_engine *e = c->host.e;
	ns_session *s = NULL;
	uint32_t reason = NS_OPEN_CONNECT_FAILED;
	char msg[NS_FWD_MSG_MAX];

	if (ns_session_fwd_new(&c->host, ev->channel, ev, &s, &reason, msg, sizeof(msg)) != 0) {
		ns_call_check(e, c->host.log, "agent", c->host.conn_id, "channel_reject",
		              ns_channel_reject(e, ev->channel, reason, msg));
		return;
	}
	sess_put(c, ev->channel, s);
}

static void channel_open(ns_agent_conn *c, const ns_event *ev)
{
	ns_engine *e = c->host.e;
	ns_session *s = NULL;
	char type[32], msg[96];
	int fwd = is_forward(ev->channel_type);

	if (!fwd && !ns_str_eq(ev->channel_type, "session")) {
		ns_log_str(ev->channel_type, type, sizeof(type));
		fprintf(c->host.log, "agent event=channel-refused conn=%u type=%s\n",
		        c->host.conn_id, type);
		snprintf(msg, sizeof(msg), "channel type %s is not supported", type);
		ns_call_check(e, c->host.log, "agent", c->host.conn_id, "channel_reject",
		              ns_channel_reject(e, ev->channel, NS_OPEN_UNKNOWN_CHANNEL_TYPE, msg));
		return;
	}
	if (c->nsess >= c->agent->max_chans) {
		fprintf(c->host.log,
		        "agent event=channel-refused conn=%u type=%s reason=max-channels "
		        "max=%u\n",
		        c->host.conn_id, fwd ? "forward" : "session", c->agent->max_chans);
		snprintf(msg, sizeof(msg),
		         "too many channels: this connection has %u sessions open, the limit",
		         c->agent->max_chans);
		ns_call_check(e, c->host.log, "agent", c->host.conn_id, "channel_reject",
		              ns_channel_reject(e, ev->channel, NS_OPEN_RESOURCE_SHORTAGE, msg));
		return;
	}
	if (ev->channel >= NS_AGENT_CHAN_SLOTS(c) || c->sess[ev->channel] != NULL) {
		ns_call_check(e, c->host.log, "agent", c->host.conn_id, "channel_reject",
		              ns_channel_reject(e, ev->channel, NS_OPEN_RESOURCE_SHORTAGE,
		                                "no session available"));
		return;
	}
	if (fwd) {
		forward_open(c, ev);
		return;
	}
	if (ns_session_new(&c->host, ev->channel, &s) != 0) {
		ns_call_check(e, c->host.log, "agent", c->host.conn_id, "channel_reject",
		              ns_channel_reject(e, ev->channel, NS_OPEN_RESOURCE_SHORTAGE,
		                                "no session available"));
		return;
	}
	if (ns_channel_accept(e, ev->channel) != 0) {
		ns_session_free(s);
		return;
	}
	sess_put(c, ev->channel, s);
}

static ns_session *session_of(ns_agent_conn *c, uint32_t id)
{
	return id < NS_AGENT_CHAN_SLOTS(c) ? c->sess[id] : NULL;
}

static void disconnected(ns_agent_conn *c, const ns_event *ev, uint64_t now)
{
	char msg[NS_LOG_MSG_MAX];

	ns_log_text(ev->message, msg, sizeof(msg));
	fprintf(c->host.log,
	        "agent event=disconnect conn=%u by=%s reason=%u error=\"%s\" msg=\"%s\"\n",
	        c->host.conn_id, ev->by_peer ? "peer" : "agent", ev->reason,
	        ev->error ? ns_strerror(ev->error) : "none", msg);
	ns_agent_rfwd_free_all(c);
	sess_drop_all(c);
	c->closing = 1;
	c->close_deadline = now + NS_AGENT_CLOSE_LINGER_MS;
}

/* The peer's answer to a channel we opened (a remote forward's). */
static void open_answer(ns_agent_conn *c, ns_session *s, const ns_event *ev)
{
	if (s != NULL) {
		ns_session_fwd_opened(s, ev->type == NS_EV_CHANNEL_OPENED);
		if (ns_session_dead(s)) {
			sess_drop(c, ev->channel);
		}
	} else if (ev->type == NS_EV_CHANNEL_OPENED) {
		/* its session is gone meanwhile */
		(void)!ns_channel_close(c->host.e, ev->channel);
	}
}

/* The engine refused a request itself (and answered FAILURE if wanted). */
static void request_refused(ns_agent_conn *c, const ns_event *ev)
{
	char type[32];

	ns_log_str(ev->req.type, type, sizeof(type));
	fprintf(c->host.log, "agent event=request-refused conn=%u channel=%u type=%s reason=%s\n",
	        c->host.conn_id, ev->channel, type,
	        ev->error == NS_ERR_TOOBIG ? "field-over-limit" : "invalid");
}

static void handle(ns_agent_conn *c, const ns_event *ev, uint64_t now)
{
	ns_session *s = session_of(c, ev->channel);

	switch (ev->type) {
	case NS_EV_AUTH_REQUEST: ns_agent_auth(c, ev); break;
	case NS_EV_CHANNEL_OPEN: channel_open(c, ev); break;
	case NS_EV_CHANNEL_REQUEST:
		if (s != NULL) {
			ns_session_request(s, &ev->req, &ev->info);
		} else if (ev->req.want_reply) {
			ns_call_check(c->host.e, c->host.log, "agent", c->host.conn_id,
			              "channel_reply", ns_channel_reply(c->host.e, ev->channel, 0));
		}
		break;
	case NS_EV_CHANNEL_DATA:
		if (s != NULL) {
			ns_session_data(s, ev->ext, ev->data);
		} else {
			ns_call_check(c->host.e, c->host.log, "agent", c->host.conn_id,
			              "channel_consumed",
			              ns_channel_consumed(c->host.e, ev->channel, ev->data.len));
		}
		break;
	case NS_EV_CHANNEL_REPLY:
		if (s != NULL) {
			ns_session_reply(s, ev->ok);
		}
		break;
	case NS_EV_CHANNEL_EOF:
		if (s != NULL) {
			ns_session_eof(s);
		}
		break;
	case NS_EV_CHANNEL_CLOSED:
		if (s != NULL) {
			sess_drop(c, ev->channel);
		}
		break;
	case NS_EV_CHANNEL_REQUEST_REFUSED: request_refused(c, ev); break;
	case NS_EV_GLOBAL_REQUEST: ns_agent_rfwd_request(c, ev); break;
	case NS_EV_CHANNEL_OPENED:
	case NS_EV_CHANNEL_OPEN_FAILED: open_answer(c, s, ev); break;
	case NS_EV_DISCONNECT: disconnected(c, ev, now); break;
	default: break;
	}
}

static void on_event(void *ctx, const ns_event *ev, uint64_t now)
{
	handle(ctx, ev, now);
}

static void feed(ns_agent_conn *c, uint64_t now)
{
	ns_pump_io io = {sock_read, ns_pump_sock_write, &c->sock.fd};

	(void)ns_pump_feed(&c->pump, c->host.e, &io, NS_AGENT_READS_PER_PUMP, on_event, c, now);
}

static void set_interest(ns_agent_conn *c)
{
	uint32_t want = 0;
	size_t pending;

	ns_engine_output(c->host.e, &pending);
	if (!c->pump.sock_eof && !c->closing && ns_engine_input_pending(c->host.e) == 0) {
		want |= EPOLLIN;
	}
	if (pending > 0 && !c->pump.sock_eof) {
		want |= EPOLLOUT;
	}
	ns_watch_set(c->host.epfd, &c->sock, want);
}

/* Every session moves what it can and sets its watches. */
static void sync_sessions(ns_agent_conn *c)
{
	uint32_t i;

	for (i = 0; i < c->sess_hi && !c->closing; i++) {
		if (c->sess[i] != NULL) {
			ns_session_sync(c->sess[i]);
		}
		if (c->sess[i] != NULL && ns_session_dead(c->sess[i])) {
			sess_drop(c, i); /* a forward whose connect failed */
		}
	}
}

int ns_agent_conn_pump(ns_agent_conn *c, uint64_t now)
{
	size_t pending, before;
	int round;

	ns_call_check(c->host.e, c->host.log, "agent", c->host.conn_id, "engine_tick",
	              ns_engine_tick(c->host.e, now));
	for (round = 0; round < 8; round++) {
		feed(c, now);
		authed_check(c);
		sync_sessions(c);
		/* session writes may have raised events (none today), and
		 * draining output may let paused input go on */
		ns_engine_output(c->host.e, &before);
		if (flush(c) != 0) {
			break;
		}
		ns_engine_output(c->host.e, &pending);
		if (c->closing || ns_engine_input_pending(c->host.e) == 0 || pending == before) {
			break;
		}
	}
	/* Last, after the last flush: a session whose channel was not writable
	 * because the output was full stopped watching its child; judged again
	 * here, against the output that stays queued. What it adds now is sent
	 * on EPOLLOUT, whose pump comes back here. Judged before the flush
	 * instead, a flush that sent everything left the child unwatched and
	 * the socket without EPOLLOUT: nothing woke the session until the
	 * peer's next message, which a relay holding a large window never
	 * sends (issue 10, the stall with 64 KiB reads from the child). */
	sync_sessions(c);
	if (ns_engine_closed(c->host.e) && !c->closing) {
		c->closing = 1;
		c->close_deadline = now + NS_AGENT_CLOSE_LINGER_MS;
	}
	ns_engine_output(c->host.e, &pending);
	if (c->closing && (pending == 0 || c->pump.sock_eof || now >= c->close_deadline)) {
		return 1;
	}
	set_interest(c);
	return 0;
}

void ns_agent_conn_timers(ns_agent_conn *c, uint64_t now)
{
	if (c->closing) {
		c->dirty |= now >= c->close_deadline;
		return;
	}
	if (ns_engine_next_timeout(c->host.e, now) == 0) {
		c->dirty = 1;
	}
	authed_check(c);
	if (c->grace_deadline != 0 && now >= c->grace_deadline) {
		c->grace_deadline = 0;
		fprintf(c->host.log, "agent event=login-timeout conn=%u peer=%s\n", c->host.conn_id,
		        c->host.peer);
		/* NS_ERR_CLOSED only: then it is closing already */
		(void)!ns_engine_disconnect(c->host.e, NS_DISC_BY_APPLICATION,
		                            "login grace time exceeded");
		c->dirty = 1;
	}
}

uint64_t ns_agent_conn_timeout(const ns_agent_conn *c, uint64_t now)
{
	uint64_t t;

	if (c->closing) {
		return c->close_deadline > now ? c->close_deadline - now : 0;
	}
	t = ns_engine_next_timeout(c->host.e, now);
	if (c->grace_deadline != 0) {
		uint64_t g = c->grace_deadline > now ? c->grace_deadline - now : 0;
		t = g < t ? g : t;
	}
	return t;
}
