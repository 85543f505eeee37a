/* The relay's connections to sandboxes' agents: one per sandbox (and
 * registry entry), dialled at the first channel a user asks for and shared
 * by every user of that sandbox: non-blocking connect to the registry's
 * endpoint, a client engine that accepts only the pinned host key and logs
 * in with the relay's own key as the registry's user. Closed after
 * NS_RELAY_INNER_IDLE_MS without a channel; its loss ends every channel it
 * served (relay_mux.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <sodium.h>

#include "net.h"
#include "nullspace/error.h"
#include "relay_int.h"

#define ROUNDS_PER_PUMP 16

static void why(ns_relay_inner *in, const char *text)
{
	if (in->why[0] == '\0') {
		snprintf(in->why, sizeof(in->why), "%s", text);
	}
}

void ns_relay_inner_dirty(ns_relay_inner *in)
{
	if (!in->dirty) {
		in->dirty = 1;
		in->r->dirty[in->r->ndirty++] = in->slot | NS_RELAY_DIRTY_INNER;
	}
}

static int new_engine(ns_relay *r, ns_relay_inner *in, uint64_t now)
{
	ns_engine_config ec;
	uint32_t chans = 2 * r->max_channels_per_sandbox; /* closing ones linger */
	int rc;

	ns_engine_config_init(&ec);
	ec.role = NS_ROLE_CLIENT;
	ec.alloc = ns_allocator_libc();
	ec.software = "nullspace_relay_0.1";
	ec.max_channels = chans < NS_MAX_CHANNELS_LIMIT ? chans : NS_MAX_CHANNELS_LIMIT;
	ec.keepalive_ms = r->cfg->keepalive_ms;
	ec.window = NS_RELAY_WINDOW;
	ec.accept_channels = 1; /* forwarded-tcpip: relay_fwd.c */
	ec.ciphers = NS_CIPHER_AES256_GCM "," NS_CIPHER_CHACHA20_POLY1305; /* AES-NI: GCM */
	if ((rc = ns_engine_new(&ec, &in->p.e)) == 0) {
		ns_call_check(in->p.e, in->r->log, "relay", in->id, "inner-engine_tick",
		              ns_engine_tick(in->p.e, now));
	}
	return rc;
}

/* The live connection for this sandbox and registry entry, if any. */
static ns_relay_inner *find(ns_relay *r, const ns_registry_entry *ent)
{
	uint32_t i, seen = 0;

	for (i = 0; i < r->max_conns && seen < r->ninners; i++) {
		ns_relay_inner *in = r->inners[i];
		if (in == NULL) {
			continue;
		}
		seen++;
		if (!in->dead && !in->idle && strcmp(in->ent.id, ent->id) == 0 &&
		    strcmp(in->ent.endpoint, ent->endpoint) == 0 &&
		    strcmp(in->ent.user, ent->user) == 0 &&
		    sodium_memcmp(in->ent.host_key, ent->host_key, NS_ED25519_PK_LEN) == 0) {
			return in;
		}
	}
	return NULL;
}

static void destroy(ns_relay_inner *in)
{
	ns_relay_pipe_free(in->r->epfd, &in->p);
	free(in->routes);
	free(in->waiters);
	free(in->close_owed);
	sodium_memzero(in, sizeof(*in));
	free(in);
}

/* Dial the agent of ent; NULL with msg on failure. */
static ns_relay_inner *dial(ns_relay_conn *c, const ns_registry_entry *ent, uint64_t now, char *msg,
                            size_t cap)
{
	ns_relay *r = c->r;
	ns_relay_inner *in;
	char err[128];
	uint32_t slot;
	int fd;

	for (slot = 0; slot < r->max_conns && r->inners[slot] != NULL; slot++) {
	}
	if (slot == r->max_conns || (in = calloc(1, sizeof(*in))) == NULL) {
		snprintf(msg, cap, "relay out of memory");
		return NULL;
	}
	in->r = r;
	in->slot = slot;
	in->gen = ++r->inner_gen & 0xfffff;
	in->ent = *ent;
	ns_relay_pipe_init(&in->p);
	if ((fd = ns_net_connect_start(ent->endpoint, err, sizeof(err))) < 0) {
		fprintf(r->log, "relay event=agent-unreachable conn=%u sandbox=%s reason=%s\n",
		        c->id, c->user, "connect-failed");
		snprintf(msg, cap, "sandbox %s is unreachable", c->user);
		destroy(in);
		ns_relay_route_moved(c, ent->endpoint, "connect-failed");
		return NULL;
	}
	ns_watch_init(&in->p.w, fd, ns_watch_token(NS_RELAY_WATCH_INNER, slot, in->gen, 0));
	if (new_engine(r, in, now) != 0 || ns_watch_set(r->epfd, &in->p.w, EPOLLOUT) != 0) {
		snprintf(msg, cap, "sandbox %s is unreachable", c->user);
		destroy(in);
		return NULL;
	}
	in->id = ++r->next_inner_id;
	in->state = NS_IN_CONNECTING;
	in->deadline = now + NS_RELAY_INNER_TIMEOUT_MS;
	in->idle_since = now;
	r->inners[slot] = in;
	r->ninners++;
	fprintf(r->log, "relay event=agent-connect sandbox=%s inner=%u conn=%u\n", ent->id, in->id,
	        c->id);
	return in;
}

ns_relay_inner *ns_relay_inner_get(ns_relay_conn *c, uint64_t now, char *msg, size_t cap)
{
	ns_registry_entry ent;
	ns_relay_inner *in;

	if (ns_relay_route_channel(c, &ent, msg, cap) != 0) {
		return NULL;
	}
	if ((in = find(c->r, &ent)) == NULL) {
		in = dial(c, &ent, now, msg, cap);
	}
	sodium_memzero(&ent, sizeof(ent));
	return in;
}

void ns_relay_inner_sock(ns_relay_inner *in, uint32_t events)
{
	int e;

	if (in->dead) {
		return;
	}
	if (in->state == NS_IN_CONNECTING) {
		if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) {
			return;
		}
		if ((e = ns_net_connect_finish(in->p.w.fd)) != 0) {
			why(in, e == ECONNREFUSED ? "connection-refused" : "connect-failed");
			in->dead = 1;
			return;
		}
		in->state = NS_IN_HANDSHAKE;
		in->p.pump.readable = 1;
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		in->p.pump.readable = 1;
	}
}

static void hostkey(ns_relay_inner *in, const ns_event *ev)
{
	int ok =
	    !ev->is_cert && sodium_memcmp(ev->hostkey, in->ent.host_key, NS_ED25519_PK_LEN) == 0;

	if (!ok) {
		why(in, "host-key-mismatch");
	}
	ns_call_check(in->p.e, in->r->log, "relay", in->id, "inner-engine_hostkey_verdict",
	              ns_engine_hostkey_verdict(in->p.e, ok));
}

void ns_relay_inner_conn_event(ns_relay_inner *in, const ns_event *ev)
{
	switch (ev->type) {
	case NS_EV_HOSTKEY: hostkey(in, ev); break;
	case NS_EV_AUTH_READY:
		if (ns_engine_auth_publickey(in->p.e, in->ent.user, in->r->cfg->client_key, 0) !=
		    0) {
			why(in, "auth-failed");
			in->dead = 1;
		}
		break;
	case NS_EV_AUTH_SUCCESS:
		in->state = NS_IN_READY;
		in->deadline = 0;
		fprintf(in->r->log, "relay event=agent-ready sandbox=%s inner=%u\n", in->ent.id,
		        in->id);
		ns_relay_mux_ready(in);
		break;
	case NS_EV_AUTH_FAILURE:
		why(in, "agent-refused-relay-key");
		in->dead = 1;
		break;
	case NS_EV_DISCONNECT:
		why(in, ev->by_peer                   ? "agent-disconnected"
		        : ev->error == NS_ERR_TIMEOUT ? "keepalive-timeout"
		                                      : "connection-lost");
		in->dead = 1;
		break;
	default: break;
	}
}

void ns_relay_inner_free(ns_relay_inner *in)
{
	ns_relay *r = in->r;
	int ready = in->state == NS_IN_READY;

	if (!in->dead) {
		if (in->state != NS_IN_CONNECTING) {
			/* NS_ERR_CLOSED only: then it is closing already */
			(void)!ns_engine_disconnect(in->p.e, NS_DISC_BY_APPLICATION,
			                            in->idle ? "idle" : "relay shutting down");
			ns_relay_pipe_flush(&in->p);
		}
		fprintf(r->log,
		        "relay event=agent-close sandbox=%s inner=%u reason=%s channels=%u\n",
		        in->ent.id, in->id, in->idle ? "idle" : "shutdown", in->served);
	} else {
		fprintf(r->log, "relay event=%s sandbox=%s inner=%u reason=%s channels=%u\n",
		        ready ? "agent-lost" : "agent-unreachable", in->ent.id, in->id,
		        in->why[0] != '\0' ? in->why : "unknown", in->served);
	}
	in->dead = 1;
	ns_relay_mux_lost(in);
	r->inners[in->slot] = NULL;
	r->ninners--;
	destroy(in);
}

static int flush(ns_relay_inner *in)
{
	size_t before = 0, after = 0;

	ns_engine_output(in->p.e, &before);
	ns_relay_pipe_flush(&in->p);
	ns_engine_output(in->p.e, &after);
	if (after < before || after == 0) {
		ns_relay_mux_wake(in);
	}
	return after < before;
}

int ns_relay_inner_pump(ns_relay_inner *in, uint64_t now)
{
	int round, did = 1;

	in->dirty = 0;
	if (!in->dead && in->state != NS_IN_CONNECTING) {
		ns_call_check(in->p.e, in->r->log, "relay", in->id, "inner-engine_tick",
		              ns_engine_tick(in->p.e, now));
		ns_relay_mux_close_owed(in);
		for (round = 0; round < ROUNDS_PER_PUMP && did && !in->dead; round++) {
			did = ns_relay_pipe_feed(in->r, &in->p, ns_relay_mux_event, in, now);
			did |= flush(in);
		}
		if (did) {
			ns_relay_inner_dirty(in); /* more to do: after the others */
		}
	}
	if (in->dead || in->p.pump.done) {
		return 1;
	}
	if (in->nusers == 0 && now >= in->idle_since + NS_RELAY_INNER_IDLE_MS) {
		in->idle = 1;
		return 1;
	}
	if (in->state != NS_IN_CONNECTING) {
		ns_call_check(in->p.e, in->r->log, "relay", in->id, "inner-engine_tick",
		              ns_engine_tick(in->p.e, now));
		ns_relay_pipe_interest(in->r->epfd, &in->p);
	}
	return 0;
}

void ns_relay_inner_timers(ns_relay_inner *in, uint64_t now)
{
	if (in->state != NS_IN_READY && now >= in->deadline) {
		why(in, "timeout");
		in->dead = 1;
		ns_relay_inner_dirty(in);
	} else if (in->state == NS_IN_READY && ns_engine_next_timeout(in->p.e, now) == 0) {
		ns_relay_inner_dirty(in);
	}
	if (in->nusers == 0 && now >= in->idle_since + NS_RELAY_INNER_IDLE_MS) {
		ns_relay_inner_dirty(in);
	}
}

uint64_t ns_relay_inner_timeout(const ns_relay_inner *in, uint64_t now)
{
	uint64_t t, idle;

	t = in->state == NS_IN_READY ? ns_engine_next_timeout(in->p.e, now)
	    : in->deadline > now     ? in->deadline - now
	                             : 0;
	if (in->nusers == 0) {
		idle = in->idle_since + NS_RELAY_INNER_IDLE_MS;
		idle = idle > now ? idle - now : 0;
		t = idle < t ? idle : t;
	}
	return t;
}
