/* One relay connection: the byte pump of a socket and its engine (the
 * user's here, an agent's in relay_inner.c), reading straight into the
 * engine's receive buffer (packets decrypted in place there); the order of a
 * user connection's pump; login grace, drain and the final flush; the
 * connection's place in the relay's counts (unauthenticated, per address,
 * per sandbox). */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "nullspace/error.h"
#include "relay_int.h"
#include "software.h"

#define READS_PER_PUMP 16
#define ROUNDS_PER_PUMP 16
/* A read shorter than this is a message of a conversation (a login, a
 * keystroke), not bulk: ACKed at once (TCP_QUICKACK), since a client with
 * Nagle on (OpenSSH without a PTY) holds its next short write until then,
 * and Linux delays that ACK by 40 ms once it sees replies: three such waits
 * made up two thirds of a login. Bulk reads keep delayed ACKs. */
#define QUICKACK_BELOW 4096

void ns_relay_pipe_init(ns_relay_pipe *p)
{
	memset(p, 0, sizeof(*p));
	ns_watch_init(&p->w, -1, 0);
}

void ns_relay_pipe_free(int epfd, ns_relay_pipe *p)
{
	ns_watch_close(epfd, &p->w);
	ns_engine_free(p->e);
	ns_relay_ws_free(p->ws);
	ns_relay_resume_free(p->rs);
	ns_relay_pipe_init(p);
}

int ns_relay_conn_new(ns_relay *r, int fd, uint32_t slot, uint64_t now, ns_relay_conn **out)
{
	ns_engine_config ec;
	ns_relay_conn *c;
	int rc;

	*out = NULL;
	c = calloc(1, sizeof(*c) + NS_RELAY_SLOTS(r) * sizeof(c->chans[0]));
	if (c == NULL) {
		return NS_ERR_NOMEM;
	}
	ns_engine_config_init(&ec);
	ec.role = NS_ROLE_SERVER;
	ec.alloc = ns_allocator_libc();
	ec.software = NS_SERVER_SOFTWARE; /* so that ssh sends eow@openssh.com */
	ec.host_key = r->cfg->host_key;
	ec.host_cert = r->cfg->host_cert; /* NULL: the plain key only */
	ec.host_cert_len = r->cfg->host_cert_len;
	ec.max_channels = r->max_channels + 1; /* the open past the cap reaches
	                                          relay_splice.c, which names it */
	ec.max_auth_tries = r->cfg->max_auth_tries;
	ec.keepalive_ms = r->cfg->keepalive_ms;
	ec.window = NS_RELAY_WINDOW;
	ec.ciphers = r->cfg->ciphers;
	ec.kex = r->cfg->kex;
	ec.macs = r->cfg->macs;
	ec.forward_requests = 1; /* ssh -R: relay_rfwd.c */
	ns_relay_pipe_init(&c->front);
	if ((rc = ns_engine_new(&ec, &c->front.e)) != 0) {
		free(c);
		return rc;
	}
	c->r = r;
	c->slot = slot;
	r->due[slot] = 0; /* the slot's last connection's time: ticked at the next scan */
	c->gen = ++r->gen & 0xfffff;
	c->id = ++r->next_id;
	ns_net_peer_name(fd, c->peer, sizeof(c->peer));
	ns_watch_init(&c->front.w, fd, ns_watch_token(NS_RELAY_WATCH_FRONT, slot, c->gen, 0));
	c->born = now;
	c->grace_deadline =
	    now + (r->cfg->login_grace_ms ? r->cfg->login_grace_ms : NS_RELAY_LOGIN_GRACE_MS);
	ns_call_check(c->front.e, c->r->log, "relay", c->id, "engine_tick",
	              ns_engine_tick(c->front.e, now));
	*out = c;
	return 0;
}

void ns_relay_conn_unauth(ns_relay_conn *c)
{
	ns_relay *r = c->r;

	if (!c->unauth_counted) {
		c->unauth_counted = 1;
		c->unauth_idx = r->nunauth;
		r->unauth[r->nunauth++] = c->slot;
	}
}

/* Out of the unauthenticated list (the last one takes its place) and the
 * per-address count. */
static void unauth_del(ns_relay_conn *c)
{
	ns_relay *r = c->r;
	uint32_t last;

	if (!c->unauth_counted) {
		return;
	}
	c->unauth_counted = 0;
	last = r->unauth[--r->nunauth];
	r->unauth[c->unauth_idx] = last;
	r->conns[last]->unauth_idx = c->unauth_idx;
	ns_relay_tally_sub(r->unauth_src, c->peer, 1);
}

void ns_relay_conn_authed(ns_relay_conn *c)
{
	unauth_del(c);
	c->grace_deadline = 0;
	ns_relay_caps_authed(c);
}

void ns_relay_conn_free(ns_relay_conn *c)
{
	uint32_t i;

	ns_relay_rfwd_conn_gone(c);
	for (i = 0; i < NS_RELAY_SLOTS(c->r); i++) {
		if (c->chans[i] != NULL) {
			ns_relay_chan_free(c, c->chans[i]);
		}
	}
	unauth_del(c);
	ns_relay_caps_release(c);
	ns_relay_pipe_free(c->r->epfd, &c->front);
	free(c->force_command);
	free(c->cert_blob);
	free(c);
}

void ns_relay_conn_sock(ns_relay_conn *c, unsigned kind, uint32_t events)
{
	(void)kind;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		c->front.pump.readable = 1;
		(void)ns_relay_pp_sniff(c); /* a client's PROXY header: c->refused */
	}
}

/* The pipe's socket for the pump: the WebSocket framing, or the socket. */
static ssize_t pipe_read(void *ctx, uint8_t *buf, size_t cap)
{
	ns_relay_pipe *p = ctx;

	ssize_t n;

	if (p->rs != NULL) {
		return ns_relay_resume_recv(p, buf, cap);
	}
	if (p->ws != NULL) {
		return ns_relay_ws_recv(p, buf, cap);
	}
	n = recv(p->w.fd, buf, cap, 0);
	if (n > 0 && n < QUICKACK_BELOW) {
		(void)setsockopt(p->w.fd, IPPROTO_TCP, TCP_QUICKACK, &(int){1}, sizeof(int));
	}
	return n;
}

static ssize_t pipe_write(void *ctx, const uint8_t *buf, size_t len)
{
	ns_relay_pipe *p = ctx;

	return send(p->w.fd, buf, len, MSG_NOSIGNAL);
}

static ns_pump_io pipe_io(ns_relay_pipe *p)
{
	ns_pump_io io = {pipe_read, pipe_write, p};

	return io;
}

/* Send what the engine has; 0, or -1 once the peer is gone. */
int ns_relay_pipe_flush(ns_relay_pipe *p)
{
	ns_pump_io io = pipe_io(p);

	if (p->ws != NULL) {
		return ns_relay_ws_flush(p);
	}
	if (p->rs != NULL) {
		return ns_relay_resume_flush(p);
	}
	if (p->w.fd < 0) {
		return 0;
	}
	return ns_pump_flush(&p->pump, p->e, &io) != 0 ? -1 : 0;
}

void ns_relay_pipe_interest(int epfd, ns_relay_pipe *p)
{
	uint32_t want = 0;
	size_t pending;

	ns_engine_output(p->e, &pending);
	if (p->ws != NULL) {
		pending = ns_relay_ws_pending(p);
	}
	if (p->rs != NULL) {
		pending = ns_relay_resume_pending(p);
	}
	if (!p->pump.sock_eof && !p->pump.done && ns_engine_input_pending(p->e) == 0) {
		want |= EPOLLIN;
	}
	if (pending > 0 && !p->pump.sock_eof) {
		want |= EPOLLOUT;
	}
	ns_watch_set(epfd, &p->w, want);
}

int ns_relay_pipe_feed(ns_relay *r, ns_relay_pipe *p, ns_relay_handler h, void *c, uint64_t now)
{
	ns_pump_io io = pipe_io(p);

	(void)r;
	return ns_pump_feed(&p->pump, p->e, &io, READS_PER_PUMP, h, c, now);
}

/* Both handlers keep the sandbox's session count exact after each event:
 * splices are made and freed only inside them, the timers and the free. */
static void front_handler(void *ctx, const ns_event *ev, uint64_t now)
{
	ns_relay_conn *c = ctx;

	if (ev->type == NS_EV_CHANNEL_OPEN && ns_relay_caps_chan_refused(c, ev)) {
		return;
	}
	ns_relay_front_event(c, ev, now);
	ns_relay_caps_sync(c);
}

static int flush_front(ns_relay_conn *c)
{
	size_t before = 0, after = 0;

	ns_engine_output(c->front.e, &before);
	ns_relay_pipe_flush(&c->front);
	ns_engine_output(c->front.e, &after);
	return after < before;
}

/* The agent connections this pump gave output (requests, data, window,
 * CLOSE) get their turn. */
static void poke_inners(ns_relay_conn *c)
{
	uint32_t i;
	size_t pending;

	for (i = 0; i < NS_RELAY_SLOTS(c->r); i++) {
		ns_relay_chan *ch = c->chans[i];
		if (ch != NULL && ch->in != NULL && !ch->in->dirty && ch->in->p.e != NULL) {
			ns_engine_output(ch->in->p.e, &pending);
			if (pending > 0) {
				ns_relay_inner_dirty(ch->in);
			}
		}
	}
}

static void drain_check(ns_relay_conn *c)
{
	if (c->r->draining && c->nchans == 0 && !c->closing && !c->front.pump.done) {
		fprintf(c->r->log, "relay event=drain-close conn=%u\n", c->id);
		/* NS_ERR_CLOSED only: then it is closing already */
		(void)!ns_engine_disconnect(c->front.e, NS_DISC_BY_APPLICATION,
		                            "relay shutting down");
	}
}

int ns_relay_conn_pump(ns_relay_conn *c, uint64_t now)
{
	int round, did = 1;
	size_t pending;

	if (c->refused) {
		return 1; /* closed before a byte reaches the engine */
	}
	ns_call_check(c->front.e, c->r->log, "relay", c->id, "engine_tick",
	              ns_engine_tick(c->front.e, now));
	for (round = 0; round < ROUNDS_PER_PUMP && did; round++) {
		drain_check(c);
		did = ns_relay_pipe_feed(c->r, &c->front, front_handler, c, now);
		did |= ns_relay_flow_sweep(c);
		did |= flush_front(c);
	}
	ns_relay_caps_sync(c); /* a sweep may have freed splices */
	poke_inners(c);
	if (did) {
		ns_relay_dirty(c); /* more to do: after the others had a turn */
	}
	if (c->front.pump.done && !c->closing) {
		c->closing = 1;
		c->close_deadline = now + NS_RELAY_CLOSE_LINGER_MS;
	}
	if (c->closing && c->front.ws != NULL) {
		ns_relay_ws_end(&c->front); /* once its bytes are out, a close 1000 */
	}
	if (c->closing && c->front.rs != NULL) {
		ns_relay_resume_end(&c->front); /* once its bytes are out, an END */
	}
	ns_call_check(c->front.e, c->r->log, "relay", c->id, "engine_tick",
	              ns_engine_tick(c->front.e, now)); /* idle: buffers go back */
	ns_engine_output(c->front.e, &pending);
	if (c->front.ws != NULL) {
		pending = ns_relay_ws_pending(&c->front);
	}
	if (c->front.rs != NULL) {
		pending = ns_relay_resume_pending(&c->front);
	}
	if (c->closing && (pending == 0 || c->front.pump.sock_eof || now >= c->close_deadline)) {
		return 1;
	}
	ns_relay_pipe_interest(c->r->epfd, &c->front);
	return 0;
}

void ns_relay_conn_timers(ns_relay_conn *c, uint64_t now)
{
	if (c->closing) {
		if (now >= c->close_deadline) {
			ns_relay_dirty(c);
		}
		return;
	}
	if (ns_engine_next_timeout(c->front.e, now) == 0) {
		ns_relay_dirty(c);
	}
	if (c->grace_deadline != 0 && now >= c->grace_deadline) {
		c->grace_deadline = 0;
		fprintf(c->r->log, "relay event=login-timeout conn=%u peer=%s\n", c->id, c->peer);
		/* NS_ERR_CLOSED only: then it is closing already */
		(void)!ns_engine_disconnect(c->front.e, NS_DISC_BY_APPLICATION,
		                            "login grace time exceeded");
		ns_relay_dirty(c);
	}
	ns_relay_resume_timers(c, now);
	ns_relay_life_timers(c, now);
	ns_relay_caps_sync(c);
}

uint64_t ns_relay_conn_timeout(const ns_relay_conn *c, uint64_t now)
{
	uint64_t t, g;

	if (c->closing) {
		return c->close_deadline > now ? c->close_deadline - now : 0;
	}
	t = ns_engine_next_timeout(c->front.e, now);
	if (c->grace_deadline != 0) {
		g = c->grace_deadline > now ? c->grace_deadline - now : 0;
		t = g < t ? g : t;
	}
	t = ns_relay_life_timeout(c, now, t);
	return ns_relay_resume_timeout(c, now, t);
}

uint64_t ns_relay_conn_next(const ns_relay_conn *c, uint64_t now)
{
	uint64_t t = ns_relay_conn_timeout(c, now);

	return t > UINT64_MAX - now ? UINT64_MAX : now + t; /* none: UINT64_MAX */
}

uint64_t ns_relay_conn_tick(ns_relay_conn *c, uint64_t now)
{
	uint64_t *due = &c->r->due[c->slot];

	if (*due <= now) {
		ns_relay_conn_timers(c, now);
		*due = ns_relay_conn_next(c, now);
	}
	return *due;
}
