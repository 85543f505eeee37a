/* The relay's connection to a sandbox's agent, opened at the first channel
 * a user asks for: non-blocking connect to the registry's endpoint, a
 * client engine that accepts only the pinned host key and logs in with the
 * relay's own key as the registry's user. Its loss is reported to every
 * channel it served. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include <sodium.h>

#include "net.h"
#include "nullspace/error.h"
#include "relay_int.h"

static void why(ns_relay_inner *in, const char *text)
{
	if (in->why[0] == '\0') {
		snprintf(in->why, sizeof(in->why), "%s", text);
	}
}

/* The registry entry for the channel's sandbox; msg for the user. */
static int lookup(ns_relay_conn *c, ns_registry_entry *ent, char *msg, size_t cap)
{
	int rc = ns_registry_lookup(c->r->cfg->registry, c->user, ent);

	if (rc == NS_ERR_NOTFOUND) {
		snprintf(msg, cap, "sandbox %s not found", c->user);
	} else if (rc != 0) {
		snprintf(msg, cap, "sandbox %s is unavailable", c->user);
	} else if (ent->state != NS_SANDBOX_RUNNING) {
		snprintf(msg, cap, "sandbox %s is stopped", c->user);
		rc = NS_ERR_STATE;
	}
	return rc;
}

static int new_engine(ns_relay_conn *c, ns_relay_inner *in, uint64_t now)
{
	ns_engine_config ec;
	uint32_t chans = 2 * c->r->max_channels; /* closing ones linger */
	int rc;

	memset(&ec, 0, sizeof(ec));
	ec.role = NS_ROLE_CLIENT;
	ec.alloc = ns_allocator_libc();
	ec.software = "nullspace_relay_0.1";
	ec.max_channels = chans < NS_MAX_CHANNELS_LIMIT ? chans : NS_MAX_CHANNELS_LIMIT;
	ec.keepalive_ms = c->r->cfg->keepalive_ms;
	ec.window = NS_RELAY_WINDOW;
	ec.ciphers = NS_CIPHER_AES256_GCM "," NS_CIPHER_CHACHA20_POLY1305; /* AES-NI: GCM */
	if ((rc = ns_engine_new(&ec, &in->p.e)) == 0) {
		ns_engine_tick(in->p.e, now);
	}
	return rc;
}

int ns_relay_inner_start(ns_relay_conn *c, uint64_t now, char *msg, size_t cap)
{
	ns_relay_inner *in;
	char err[128];
	int fd, rc;

	if (c->inner != NULL) {
		return 0;
	}
	if ((in = calloc(1, sizeof(*in))) == NULL) {
		snprintf(msg, cap, "relay out of memory");
		return NS_ERR_NOMEM;
	}
	ns_relay_pipe_init(&in->p);
	if ((rc = lookup(c, &in->ent, msg, cap)) != 0) {
		goto out;
	}
	if ((fd = ns_net_connect_start(in->ent.endpoint, err, sizeof(err))) < 0) {
		fprintf(c->r->log, "relay event=agent-unreachable conn=%u sandbox=%s reason=%s\n",
		        c->id, c->user, "connect-failed");
		snprintf(msg, cap, "sandbox %s is unreachable", c->user);
		rc = fd;
		goto out;
	}
	ns_watch_init(&in->p.w, fd, ns_watch_token(NS_RELAY_WATCH_INNER, c->slot, c->gen, 0));
	if ((rc = new_engine(c, in, now)) != 0 ||
	    (rc = ns_watch_set(c->r->epfd, &in->p.w, EPOLLOUT)) != 0) {
		snprintf(msg, cap, "sandbox %s is unreachable", c->user);
		goto out;
	}
	in->state = NS_IN_CONNECTING;
	in->deadline = now + NS_RELAY_INNER_TIMEOUT_MS;
	c->inner = in;
	in = NULL;
	fprintf(c->r->log, "relay event=agent-connect conn=%u sandbox=%s\n", c->id, c->user);
out:
	if (in != NULL) {
		ns_relay_pipe_free(c->r->epfd, &in->p);
		sodium_memzero(in, sizeof(*in));
		free(in);
	}
	return rc;
}

void ns_relay_inner_sock(ns_relay_conn *c, uint32_t events)
{
	ns_relay_inner *in = c->inner;
	int e;

	if (in == NULL || in->dead) {
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
		in->p.readable = 1;
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		in->p.readable = 1;
	}
}

static void hostkey(ns_relay_conn *c, const ns_event *ev)
{
	ns_relay_inner *in = c->inner;
	int ok =
	    !ev->is_cert && sodium_memcmp(ev->hostkey, in->ent.host_key, NS_ED25519_PK_LEN) == 0;

	if (!ok) {
		why(in, "host-key-mismatch");
	}
	ns_engine_hostkey_verdict(in->p.e, ok);
}

void ns_relay_inner_event(ns_relay_conn *c, const ns_event *ev)
{
	ns_relay_inner *in = c->inner;

	switch (ev->type) {
	case NS_EV_HOSTKEY: hostkey(c, ev); break;
	case NS_EV_AUTH_READY:
		if (ns_engine_auth_publickey(in->p.e, in->ent.user, c->r->cfg->client_key, 0) !=
		    0) {
			why(in, "auth-failed");
			in->dead = 1;
		}
		break;
	case NS_EV_AUTH_SUCCESS:
		in->state = NS_IN_READY;
		in->deadline = 0;
		fprintf(c->r->log, "relay event=agent-ready conn=%u sandbox=%s\n", c->id, c->user);
		ns_relay_splice_inner_ready(c);
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
	default: ns_relay_splice_inner_event(c, ev); break;
	}
}

void ns_relay_inner_drop(ns_relay_conn *c)
{
	ns_relay_inner *in = c->inner;
	int ready;

	if (in == NULL) {
		return;
	}
	ready = in->state == NS_IN_READY;
	if (!in->dead) {
		if (in->state != NS_IN_CONNECTING) {
			ns_engine_disconnect(in->p.e, NS_DISC_BY_APPLICATION, "user disconnected");
			ns_relay_pipe_flush(&in->p);
		}
		fprintf(c->r->log, "relay event=agent-close conn=%u sandbox=%s\n", c->id, c->user);
	} else {
		fprintf(c->r->log, "relay event=%s conn=%u sandbox=%s reason=%s\n",
		        ready ? "agent-lost" : "agent-unreachable", c->id, c->user,
		        in->why[0] != '\0' ? in->why : "unknown");
	}
	c->inner = NULL;
	if (!c->closing) {
		ns_relay_splice_inner_lost(c, ready);
	}
	ns_relay_pipe_free(c->r->epfd, &in->p);
	sodium_memzero(in, sizeof(*in));
	free(in);
}

void ns_relay_inner_timers(ns_relay_conn *c, uint64_t now)
{
	ns_relay_inner *in = c->inner;

	if (in == NULL) {
		return;
	}
	if (in->state != NS_IN_READY && now >= in->deadline) {
		why(in, "timeout");
		in->dead = 1;
		ns_relay_dirty(c);
	} else if (in->state == NS_IN_READY && ns_engine_next_timeout(in->p.e, now) == 0) {
		ns_relay_dirty(c);
	}
}
