/* PROXY protocol v2 at the relay's listeners (--proxy-protocol-from): a
 * connection from a listed balancer is held here, outside the connection
 * table, until its header is read (exactly its bytes, so the SSH, HTTP or
 * TLS stream after it stays in the socket), then becomes a user connection
 * under the client's address. Anyone else's first bytes are checked for
 * the signature, so a forged header is refused, never believed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "proxy_v2.h"
#include "relay_int.h"

typedef struct pending {
	ns_watch w;
	int ws;
	uint32_t gen;
	uint64_t deadline;
	size_t have;
	char peer[NS_RELAY_PEER_MAX]; /* the balancer */
	uint8_t buf[NS_PROXY_V2_MAX];
} pending;

/* The configured list as the CIDR matcher takes it. */
static ns_str from_list(const ns_relay *r)
{
	ns_str s = {(const uint8_t *)r->cfg->proxy_from, strlen(r->cfg->proxy_from)};

	return s;
}

struct ns_relay_ppq {
	pending *e[NS_RELAY_PROXY_PENDING_MAX];
	uint32_t n, gen;
};

int ns_relay_pp_init(ns_relay *r)
{
	if (r->cfg->proxy_from == NULL) {
		return 0;
	}
	if (ns_cidr_list_match(from_list(r), "127.0.0.1") < 0) {
		fprintf(r->log,
		        "relay event=error what=proxy-protocol-from error=\"bad CIDR list\"\n");
		return NS_ERR_INVALID;
	}
	r->ppq = calloc(1, sizeof(*r->ppq));
	return r->ppq != NULL ? 0 : NS_ERR_NOMEM;
}

static void refused(ns_relay *r, const char *peer, const char *reason, const char *error)
{
	fprintf(r->log, "relay event=refused peer=%s reason=%s%s%s\n", peer, reason,
	        error != NULL ? " error=" : "", error != NULL ? error : "");
	ns_relay_reason_count(&r->stats.proxy_refused, reason);
}

static void drop(ns_relay *r, uint32_t slot, const char *reason, const char *error)
{
	pending *p = r->ppq->e[slot];

	refused(r, p->peer, reason, error);
	ns_watch_close(r->epfd, &p->w);
	free(p);
	r->ppq->e[slot] = NULL;
	r->ppq->n--;
}

void ns_relay_pp_drop_all(ns_relay *r, const char *why)
{
	uint32_t i;

	for (i = 0; r->ppq != NULL && i < NS_RELAY_PROXY_PENDING_MAX; i++) {
		if (r->ppq->e[i] != NULL) {
			drop(r, i, why, NULL);
		}
	}
}

void ns_relay_pp_free(ns_relay *r)
{
	uint32_t i;

	for (i = 0; r->ppq != NULL && i < NS_RELAY_PROXY_PENDING_MAX; i++) {
		if (r->ppq->e[i] != NULL) {
			ns_watch_close(r->epfd, &r->ppq->e[i]->w);
			free(r->ppq->e[i]);
		}
	}
	free(r->ppq);
	r->ppq = NULL;
}

int ns_relay_pp_take(ns_relay *r, int fd, int ws, uint64_t now)
{
	char peer[NS_RELAY_PEER_MAX];
	struct ns_relay_ppq *q = r->ppq;
	pending *p;
	uint32_t slot;

	if (q == NULL) {
		return 0;
	}
	ns_net_peer_name(fd, peer, sizeof(peer));
	if (ns_cidr_list_match(from_list(r), peer) != 1) {
		return 0;
	}
	for (slot = 0; slot < NS_RELAY_PROXY_PENDING_MAX && q->e[slot] != NULL; slot++) {
	}
	if (slot == NS_RELAY_PROXY_PENDING_MAX || (p = calloc(1, sizeof(*p))) == NULL) {
		refused(r, peer,
		        slot == NS_RELAY_PROXY_PENDING_MAX ? "proxy-pending-full" : "no-memory",
		        NULL);
		close(fd);
		return 1;
	}
	p->ws = ws;
	p->gen = ++q->gen & 0xfffff;
	p->deadline =
	    now + (r->cfg->login_grace_ms ? r->cfg->login_grace_ms : NS_RELAY_LOGIN_GRACE_MS);
	memcpy(p->peer, peer, sizeof(peer));
	ns_watch_init(&p->w, fd, ns_watch_token(NS_RELAY_WATCH_PROXY, slot, p->gen, 0));
	q->e[slot] = p;
	q->n++;
	if (ns_watch_set(r->epfd, &p->w, EPOLLIN) != 0) {
		drop(r, slot, "no-memory", NULL);
		return 1;
	}
	ns_relay_pp_event(r, p->w.token, now); /* often it is all there already */
	return 1;
}

/* The header is in: hand the socket over as a user connection. */
static void done(ns_relay *r, uint32_t slot, uint64_t now)
{
	pending *p = r->ppq->e[slot];
	char src[NS_PROXY_V2_ADDR_TEXT];
	const char *why = NULL;
	ns_proxy_v2 h;
	int fd = p->w.fd;

	if (ns_proxy_v2_parse(p->buf, p->have, &h, &why) != 0) {
		drop(r, slot, "proxy-header-malformed", why);
		return;
	}
	if (h.command == NS_PROXY_PROXY && ns_proxy_v2_src_text(&h, src, sizeof(src)) != 0) {
		/* UNSPEC, UNIX: no client address, and the balancer's would
		 * stand in for every client in limits and source-address */
		drop(r, slot, "proxy-header-unsupported",
		     h.family == NS_PROXY_AF_UNIX ? "unix" : "unspec");
		return;
	}
	if (h.command == NS_PROXY_PROXY && h.proto != NS_PROXY_PROTO_STREAM) {
		drop(r, slot, "proxy-header-unsupported", "dgram");
		return;
	}
	r->stats.proxy_accepted[h.command == NS_PROXY_PROXY]++;
	ns_watch_set(r->epfd, &p->w, 0); /* out of the set, the fd stays open */
	r->ppq->e[slot] = NULL;
	r->ppq->n--;
	if (h.command == NS_PROXY_LOCAL) {
		fprintf(r->log, "relay event=proxy-local peer=%s\n", p->peer);
		ns_relay_accept(r, fd, p->ws, NULL, NULL, now); /* the balancer itself */
	} else {
		ns_relay_accept(r, fd, p->ws, src, p->peer, now);
	}
	free(p);
}

/* Read what the header still lacks, never past it: 1 once whole, 0 to
 * wait, -1 when dropped. */
static int fill(ns_relay *r, uint32_t slot)
{
	pending *p = r->ppq->e[slot];
	const char *why = NULL;
	size_t want = NS_PROXY_V2_FIXED;
	ssize_t n;
	int rc;

	for (;;) {
		if (p->have >= NS_PROXY_V2_FIXED || ns_proxy_v2_sniff(p->buf, p->have) == 0) {
			rc = ns_proxy_v2_total(p->buf, p->have, &want, &why);
			if (rc != 0 && rc != NS_ERR_AGAIN) {
				drop(r, slot,
				     rc == NS_ERR_TOOBIG ? "proxy-header-too-long"
				                         : "proxy-header-malformed",
				     why);
				return -1;
			}
			want = rc == NS_ERR_AGAIN ? NS_PROXY_V2_FIXED : want;
		}
		if (p->have == want) {
			return 1;
		}
		n = recv(p->w.fd, p->buf + p->have, want - p->have, 0);
		if (n > 0) {
			p->have += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return 0;
		} else {
			drop(r, slot,
			     p->have == 0 ? "proxy-header-missing" : "proxy-header-truncated",
			     NULL);
			return -1;
		}
	}
}

void ns_relay_pp_event(ns_relay *r, uint64_t token, uint64_t now)
{
	uint32_t slot = ns_watch_slot_of(token);
	pending *p;

	if (r->ppq == NULL || slot >= NS_RELAY_PROXY_PENDING_MAX || (p = r->ppq->e[slot]) == NULL ||
	    p->gen != ns_watch_gen_of(token)) {
		return;
	}
	if (fill(r, slot) == 1) {
		done(r, slot, now);
	}
}

uint64_t ns_relay_pp_timers(ns_relay *r, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	uint32_t i;

	for (i = 0; r->ppq != NULL && r->ppq->n > 0 && i < NS_RELAY_PROXY_PENDING_MAX; i++) {
		pending *p = r->ppq->e[i];
		if (p == NULL) {
			continue;
		}
		if (now >= p->deadline) {
			drop(r, i, p->have == 0 ? "proxy-header-missing" : "proxy-header-timeout",
			     "login-grace-time");
		} else if (p->deadline - now < next) {
			next = p->deadline - now;
		}
	}
	return next;
}

int ns_relay_pp_sniff(ns_relay_conn *c)
{
	uint8_t b[NS_PROXY_V2_SIG_LEN];
	ssize_t n;

	if (c->sniffed) {
		return c->refused;
	}
	n = recv(c->front.w.fd, b, sizeof(b), MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		return 0; /* nothing yet: look again at the next readiness */
	}
	/* Decided now, whatever came: a signature split before its 12th
	 * byte goes to the engine, which refuses it as no SSH version line. */
	c->sniffed = 1;
	if (n > 0 && ns_proxy_v2_sniff(b, (size_t)n) == 1) {
		c->refused = 1;
		fprintf(c->r->log,
		        "relay event=refused conn=%u peer=%s reason=proxy-header-untrusted\n",
		        c->id, c->peer);
		ns_relay_reason_count(&c->r->stats.proxy_refused, "proxy-header-untrusted");
	}
	return c->refused;
}
