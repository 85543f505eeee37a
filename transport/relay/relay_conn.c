/* One relay connection: the byte pump of a socket and its engine (the
 * user's here, an agent's in relay_inner.c), reading straight into the
 * engine's receive buffer (packets decrypted in place there); the order of a
 * user connection's pump; login grace, drain and the final flush; the
 * connection's place in the relay's counts (unauthenticated, per address,
 * per sandbox). */
#include <errno.h>
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
	ec.max_channels = r->max_channels + 1; /* the open past the cap reaches
	                                          relay_splice.c, which names it */
	ec.max_auth_tries = r->cfg->max_auth_tries;
	ec.keepalive_ms = r->cfg->keepalive_ms;
	ec.window = NS_RELAY_WINDOW;
	ec.ciphers = r->cfg->ciphers;
	ec.kex = r->cfg->kex;
	ec.macs = r->cfg->macs;
	ns_relay_pipe_init(&c->front);
	if ((rc = ns_engine_new(&ec, &c->front.e)) != 0) {
		free(c);
		return rc;
	}
	c->r = r;
	c->slot = slot;
	c->gen = ++r->gen & 0xfffff;
	c->id = ++r->next_id;
	ns_net_peer_name(fd, c->peer, sizeof(c->peer));
	ns_watch_init(&c->front.w, fd, ns_watch_token(NS_RELAY_WATCH_FRONT, slot, c->gen, 0));
	c->born = now;
	c->grace_deadline =
	    now + (r->cfg->login_grace_ms ? r->cfg->login_grace_ms : NS_RELAY_LOGIN_GRACE_MS);
	ns_engine_tick(c->front.e, now);
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

	for (i = 0; i < NS_RELAY_SLOTS(c->r); i++) {
		if (c->chans[i] != NULL) {
			ns_relay_chan_free(c, c->chans[i]);
		}
	}
	unauth_del(c);
	ns_relay_caps_release(c);
	ns_relay_pipe_free(c->r->epfd, &c->front);
	free(c->force_command);
	free(c);
}

void ns_relay_conn_sock(ns_relay_conn *c, unsigned kind, uint32_t events)
{
	(void)kind;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		c->front.readable = 1;
	}
}

/* Send what the engine has; 0, or -1 once the peer is gone. */
int ns_relay_pipe_flush(ns_relay_pipe *p)
{
	const uint8_t *out;
	size_t len;
	ssize_t n;

	if (p->ws != NULL) {
		return ns_relay_ws_flush(p);
	}
	for (;;) {
		out = ns_engine_output(p->e, &len);
		if (len == 0 || p->w.fd < 0) {
			return 0;
		}
		n = send(p->w.fd, out, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			p->wblocked = 1;
			return 0;
		}
		if (n <= 0) {
			ns_engine_output_ack(p->e, len);
			p->sock_eof = 1;
			return -1;
		}
		p->wblocked = 0;
		ns_engine_output_ack(p->e, (size_t)n);
	}
}

void ns_relay_pipe_interest(int epfd, ns_relay_pipe *p)
{
	uint32_t want = 0;
	size_t pending;

	ns_engine_output(p->e, &pending);
	if (p->ws != NULL) {
		pending = ns_relay_ws_pending(p);
	}
	if (!p->sock_eof && !p->done && ns_engine_input_pending(p->e) == 0) {
		want |= EPOLLIN;
	}
	if (pending > 0 && !p->sock_eof) {
		want |= EPOLLOUT;
	}
	ns_watch_set(epfd, &p->w, want);
}

/* Pull and handle every pending event; how many there were. */
static int pull(void *c, ns_relay_pipe *p, ns_relay_handler h, uint64_t now)
{
	ns_event ev = NS_EVENT_INIT;
	int n = 0, rc;

	while (!p->done) {
		rc = ns_engine_event(p->e, &ev);
		if (rc != 0 || ev.type == NS_EV_NONE) {
			if (rc != 0) {
				ns_event_init(&ev);
				ev.type = NS_EV_DISCONNECT;
				ev.error = rc;
				h(c, &ev, now);
				p->done = 1;
			}
			return n;
		}
		h(c, &ev, now);
		p->done |= ev.type == NS_EV_DISCONNECT;
		n++;
	}
	return n;
}

/* Bytes the engine buffered and can handle now: handled; 1 if any were. */
static int handle_buffered(ns_relay_pipe *p)
{
	size_t before = ns_engine_input_pending(p->e);

	if (before == 0) {
		return 0;
	}
	if (ns_engine_input_commit(p->e, 0) != 0 && !ns_engine_closed(p->e)) {
		ns_engine_disconnect(p->e, NS_DISC_PROTOCOL_ERROR, "protocol error");
	}
	return ns_engine_input_pending(p->e) != before;
}

/* One read from the socket straight into the engine's buffer, where its
 * packets are decrypted in place; 1 if bytes came. */
static int read_into(ns_relay_pipe *p, int *reads)
{
	uint8_t *space;
	size_t room;
	ssize_t n;

	while (p->readable && !p->sock_eof && *reads < READS_PER_PUMP) {
		if ((space = ns_engine_input_space(p->e, &room)) == NULL) {
			return 0; /* full until the engine's output drains */
		}
		n = p->ws != NULL ? ns_relay_ws_recv(p, space, room)
		                  : recv(p->w.fd, space, room, 0);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			p->readable = 0;
			return 0;
		}
		(*reads)++;
		if (n <= 0) {
			p->sock_eof = 1;
			return 0;
		}
		if (ns_engine_input_commit(p->e, (size_t)n) != 0 && !ns_engine_closed(p->e)) {
			ns_engine_disconnect(p->e, NS_DISC_PROTOCOL_ERROR, "protocol error");
		}
		return 1;
	}
	return 0;
}

int ns_relay_pipe_feed(ns_relay *r, ns_relay_pipe *p, ns_relay_handler h, void *c, uint64_t now)
{
	int did = 0, reads = 0;

	(void)r;
	for (;;) {
		did |= pull(c, p, h, now) > 0;
		if (p->done) {
			break;
		}
		if (handle_buffered(p)) {
			did = 1;
			continue;
		}
		if (!read_into(p, &reads)) {
			break; /* nothing to read, or the engine waits for its output */
		}
		did = 1;
	}
	if (p->sock_eof && ns_engine_input_pending(p->e) == 0 && !p->eof_fed && !p->done) {
		p->eof_fed = 1;
		ns_engine_input_eof(p->e);
		did |= pull(c, p, h, now) > 0;
	}
	return did;
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
	if (c->r->draining && c->nchans == 0 && !c->closing && !c->front.done) {
		fprintf(c->r->log, "relay event=drain-close conn=%u\n", c->id);
		ns_engine_disconnect(c->front.e, NS_DISC_BY_APPLICATION, "relay shutting down");
	}
}

int ns_relay_conn_pump(ns_relay_conn *c, uint64_t now)
{
	int round, did = 1;
	size_t pending;

	ns_engine_tick(c->front.e, now);
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
	if (c->front.done && !c->closing) {
		c->closing = 1;
		c->close_deadline = now + NS_RELAY_CLOSE_LINGER_MS;
	}
	if (c->closing && c->front.ws != NULL) {
		ns_relay_ws_end(&c->front); /* once its bytes are out, a close 1000 */
	}
	ns_engine_tick(c->front.e, now); /* idle: buffers go back */
	ns_engine_output(c->front.e, &pending);
	if (c->front.ws != NULL) {
		pending = ns_relay_ws_pending(&c->front);
	}
	if (c->closing && (pending == 0 || c->front.sock_eof || now >= c->close_deadline)) {
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
		ns_engine_disconnect(c->front.e, NS_DISC_BY_APPLICATION,
		                     "login grace time exceeded");
		ns_relay_dirty(c);
	}
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
	return t;
}
