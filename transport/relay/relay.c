/* The relay's event loop: one epoll set over the listening socket, a
 * signalfd (SIGTERM/SIGINT drain, SIGHUP reloads trust), every user socket
 * and every inner socket; a list of connections to pump per turn, timers
 * from a periodic scan, limits on connections (MaxStartups' early drop
 * among the unauthenticated ones), and the final drain. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "clock.h"
#include "ca_keys.h"
#include "net.h"
#include "nullspace/error.h"
#include "file.h"
#include "log_str.h"
#include "relay_int.h"
#include "tls_server.h"

#define EPOLL_BATCH 256
#define SCAN_MAX_MS 1000    /* timers are checked at least this often */
#define ACCEPT_PAUSE_MS 100 /* after accept ran out of fds */
/* Accepts per turn: a flood is served a batch at a time between pumps, and
 * bounds the dirty entries an early drop can leave behind (dirty[] holds
 * 2 * max_conns user connections, 2 * max_conns agent connections and
 * 2 * ACCEPT_BATCH). */
#define ACCEPT_BATCH 64

void ns_relay_dirty(ns_relay_conn *c)
{
	if (!c->dirty) {
		c->dirty = 1;
		c->r->dirty[c->r->ndirty++] = c->slot;
	}
}

/* CA keys and the revocation list: all or nothing (a bad reload keeps the
 * trust in force). */
static int load_trust(ns_relay *r)
{
	uint8_t cas[NS_CA_KEYS_MAX][NS_ED25519_PK_LEN];
	char *text = NULL, *rev = NULL;
	size_t len = 0, rlen = 0, n = 0, bad_line;
	int rc;

	if ((rc = ns_file_read(r->cfg->ca_keys, NS_RELAY_FILE_MAX, &text, &len)) != 0) {
		fprintf(r->log, "relay event=error what=ca-keys error=\"%s\"\n", ns_strerror(rc));
		return rc;
	}
	(void)ns_ca_keys_parse(text, len, cas, NS_CA_KEYS_MAX, &n, &bad_line); /* skip bad lines */
	free(text);
	if (r->cfg->revoked != NULL &&
	    (rc = ns_file_read(r->cfg->revoked, NS_RELAY_FILE_MAX, &rev, &rlen)) != 0) {
		fprintf(r->log, "relay event=error what=revoked error=\"%s\"\n", ns_strerror(rc));
		return rc;
	}
	memcpy(r->cas, cas, sizeof(cas));
	r->nca = n;
	free(r->revoked);
	r->revoked = rev;
	r->revoked_len = rlen;
	r->stats.revoked_loaded = rev != NULL ? (int64_t)time(NULL) : 0;
	fprintf(r->log, "relay event=trust-loaded ca_keys=%zu revoked=%s\n", n,
	        rev != NULL ? "yes" : "no");
	return 0;
}

static void drop(ns_relay *r, uint32_t slot);

/* Weigh the newcomer (from peer, counted already) against a few waiting
 * connections picked at random: the one whose address holds the most
 * (then the oldest) goes. NULL: the newcomer. */
static ns_relay_conn *pick_victim(ns_relay *r, const char *peer, uint64_t now)
{
	ns_relay_cand cand[NS_RELAY_STARTUPS_SAMPLE + 1];
	ns_relay_conn *who[NS_RELAY_STARTUPS_SAMPLE + 1];
	size_t n = 1, i;

	cand[0].src_count = ns_relay_tally_get(r->unauth_src, peer);
	cand[0].born = now;
	who[0] = NULL;
	for (i = 0; i < NS_RELAY_STARTUPS_SAMPLE && r->nunauth > 0; i++, n++) {
		who[n] = r->conns[r->unauth[randombytes_uniform(r->nunauth)]];
		cand[n].src_count = ns_relay_tally_get(r->unauth_src, who[n]->peer);
		cand[n].born = who[n]->born;
	}
	return who[ns_relay_startups_victim(cand, n)];
}

/* MaxStartups, and the connection cap while some are unauthenticated: 1
 * when the newcomer from peer may stay (maybe after another went). */
static int early_drop(ns_relay *r, const char *peer, uint64_t now)
{
	const char *why = r->nconns >= r->max_conns ? "max-connections" : "max-startups";
	uint32_t pct =
	    r->nconns >= r->max_conns ? 100 : ns_relay_startups_drop_pct(&r->startups, r->nunauth);
	ns_relay_conn *v;

	if (pct == 0 || randombytes_uniform(100) >= pct) {
		return 1;
	}
	ns_relay_reason_count(&r->stats.rejected, why);
	if ((v = pick_victim(r, peer, now)) == NULL) {
		fprintf(r->log, "relay event=reject peer=%s reason=%s unauth=%u\n", peer, why,
		        r->nunauth);
		return 0;
	}
	fprintf(r->log, "relay event=reject peer=%s conn=%u reason=%s unauth=%u\n", v->peer, v->id,
	        why, r->nunauth);
	/* NS_ERR_CLOSED only: then it is closing already */
	(void)!ns_engine_disconnect(v->front.e, NS_DISC_TOO_MANY_CONNECTIONS,
	                            "too many unauthenticated connections");
	(void)ns_relay_pipe_flush(&v->front); /* best effort: it goes now */
	drop(r, v->slot);
	return 1;
}

void ns_relay_accept(ns_relay *r, int fd, int ws, const char *peer_in, const char *via,
                     uint64_t now)
{
	ns_relay_conn *c = NULL;
	char peer[NS_RELAY_PEER_MAX];
	uint32_t slot;
	int rc;

	/* Every packet goes out at once, as sshd does: with Nagle, a short
	 * reply queued behind an unacknowledged one waited for the client's
	 * delayed ACK (40 ms, three times per login). Fails harmlessly on a
	 * socket that is not TCP. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	if (peer_in != NULL) {
		snprintf(peer, sizeof(peer), "%s", peer_in);
	} else {
		ns_net_peer_name(fd, peer, sizeof(peer));
	}
	if (r->nconns >= r->max_conns && r->nunauth == 0) {
		fprintf(r->log, "relay event=reject peer=%s reason=max-connections\n", peer);
		ns_relay_reason_count(&r->stats.rejected, "max-connections");
		close(fd);
		return;
	}
	if ((rc = ns_relay_tally_add(r->unauth_src, peer, 1, r->max_unauth_per_source)) != 0) {
		fprintf(r->log, "relay event=reject peer=%s reason=%s\n", peer,
		        rc == NS_ERR_LIMIT ? "unauth-per-source" : "no-memory");
		ns_relay_reason_count(&r->stats.rejected,
		                      rc == NS_ERR_LIMIT ? "unauth-per-source" : "no-memory");
		close(fd);
		return;
	}
	if (!early_drop(r, peer, now)) {
		ns_relay_tally_sub(r->unauth_src, peer, 1);
		close(fd);
		return;
	}
	for (slot = 0; r->conns[slot] != NULL; slot++) {
	}
	if (ns_relay_conn_new(r, fd, slot, now, &c) != 0 || (ws && ns_relay_ws_attach(c) != 0) ||
	    (!ws && ns_relay_resume_attach(c) != 0)) {
		if (c != NULL) {
			ns_relay_conn_free(c); /* closes fd */
			fd = -1;
		}
		fprintf(r->log, "relay event=reject peer=%s reason=no-memory\n", peer);
		ns_relay_tally_sub(r->unauth_src, peer, 1);
		if (fd >= 0) {
			close(fd);
		}
		return;
	}
	snprintf(c->peer, sizeof(c->peer), "%s", peer); /* the PROXY header's, if any */
	r->conns[slot] = c;
	ns_relay_conn_unauth(c);
	r->nconns++;
	r->stats.conns_total++;
	ns_relay_dirty(c);
	fprintf(r->log, "relay event=connect peer=%s conn=%u%s%s%s\n", c->peer, c->id,
	        ws ? " transport=websocket" : "", via != NULL ? " via=" : "",
	        via != NULL ? via : "");
}

static void accept_all(ns_relay *r, ns_watch *l, uint64_t now)
{
	int fd, n;

	for (n = 0; l->fd >= 0 && n < ACCEPT_BATCH; n++) {
		fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && errno == EINTR) {
			continue;
		}
		if (fd < 0 &&
		    (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS)) {
			/* out of fds: stop polling the listener for a while (it
			 * stays readable and would spin the loop) */
			fprintf(r->log, "relay event=error what=accept error=\"%s\"\n",
			        strerror(errno));
			ns_watch_set(r->epfd, &r->lsock, 0);
			ns_watch_set(r->epfd, &r->wsock, 0);
			r->accept_resume = now + ACCEPT_PAUSE_MS;
			r->next_scan =
			    r->accept_resume < r->next_scan ? r->accept_resume : r->next_scan;
			return;
		}
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				fprintf(r->log, "relay event=error what=accept error=\"%s\"\n",
				        strerror(errno));
			}
			return;
		}
		if (!ns_relay_pp_take(r, fd, l == &r->wsock, now)) {
			ns_relay_accept(r, fd, l == &r->wsock, NULL, NULL, now);
		}
	}
}

/* 1 when asked to stop at once (a second SIGTERM/SIGINT). */
static int signals(ns_relay *r, uint64_t now)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(r->sig.fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			load_trust(r);
		} else if (r->draining) {
			ns_relay_drain_abort(r);
			stop = 1;
		} else {
			ns_relay_drain_start(r, now);
		}
	}
	return stop;
}

static void on_event(ns_relay *r, const struct epoll_event *ev, uint64_t now, int *stop)
{
	unsigned kind = ns_watch_kind_of(ev->data.u64);
	uint32_t slot = ns_watch_slot_of(ev->data.u64);
	ns_relay_conn *c;

	if (kind == NS_WATCH_LISTEN || kind == NS_RELAY_WATCH_WS_LISTEN) {
		accept_all(r, kind == NS_WATCH_LISTEN ? &r->lsock : &r->wsock, now);
		return;
	}
	if (kind == NS_RELAY_WATCH_PROXY) {
		ns_relay_pp_event(r, ev->data.u64, now);
		return;
	}
	if (kind == NS_RELAY_WATCH_ADMIN || kind == NS_RELAY_WATCH_ADMIN_CONN) {
		ns_relay_admin_event(r, ev->data.u64, ev->events, now);
		return;
	}
	if (kind == NS_WATCH_SIGNAL) {
		*stop |= signals(r, now);
		return;
	}
	if (kind == NS_RELAY_WATCH_INNER) {
		ns_relay_inner *in = slot < r->max_conns ? r->inners[slot] : NULL;
		if (in != NULL && in->gen == ns_watch_gen_of(ev->data.u64)) {
			ns_relay_inner_sock(in, ev->events);
			ns_relay_inner_dirty(in);
		}
		return;
	}
	if (slot >= r->max_conns || (c = r->conns[slot]) == NULL ||
	    c->gen != ns_watch_gen_of(ev->data.u64)) {
		return; /* stale: its connection went away in this batch */
	}
	ns_relay_conn_sock(c, kind, ev->events);
	ns_relay_dirty(c);
}

static void drop(ns_relay *r, uint32_t slot)
{
	ns_relay_conn *c = r->conns[slot];

	fprintf(r->log, "relay event=closed conn=%u\n", c->id);
	ns_relay_conn_free(c);
	r->conns[slot] = NULL;
	r->nconns--;
}

static void pump_inner(ns_relay *r, uint32_t slot, uint64_t now)
{
	ns_relay_inner *in = r->inners[slot];
	uint64_t t;

	if (in == NULL) {
		return;
	}
	if (ns_relay_inner_pump(in, now)) {
		ns_relay_inner_free(in);
		return;
	}
	t = now + ns_relay_inner_timeout(in, now);
	r->next_scan = t < r->next_scan ? t : r->next_scan;
}

static void pump_one(ns_relay *r, uint32_t slot, uint64_t now)
{
	ns_relay_conn *c;

	if (slot & NS_RELAY_DIRTY_INNER) {
		pump_inner(r, slot & ~NS_RELAY_DIRTY_INNER, now);
		return;
	}
	c = r->conns[slot];
	if (c == NULL) {
		return;
	}
	c->dirty = 0;
	if (ns_relay_conn_pump(c, now)) {
		drop(r, slot);
		return;
	}
	r->due[slot] = ns_relay_conn_next(c, now);
	r->next_scan = r->due[slot] < r->next_scan ? r->due[slot] : r->next_scan;
}

/* Pump the dirty connections; check every timer when one is due. The
 * epoll timeout for the next wait. */
static int service(ns_relay *r, uint64_t now)
{
	uint32_t i, n;
	uint64_t t, a;

	if (r->accept_resume != 0 && now >= r->accept_resume) {
		r->accept_resume = 0;
		ns_watch_set(r->epfd, &r->lsock, EPOLLIN);
		ns_watch_set(r->epfd, &r->wsock, EPOLLIN);
	}
	if (now >= r->next_scan) {
		r->next_scan = now + SCAN_MAX_MS;
		ns_relay_revoke_tick(r, now);
		t = ns_relay_pp_timers(r, now); /* PROXY headers and admin
		                                   requests past their time */
		a = ns_relay_admin_timers(r, now);
		t = a < t ? a : t;
		r->next_scan = t < SCAN_MAX_MS ? now + t : r->next_scan;
		for (i = 0; i < r->max_conns; i++) {
			if (r->conns[i] != NULL) {
				t = r->due[i] <= now ? ns_relay_conn_tick(r->conns[i], now)
				                     : r->due[i];
				r->next_scan = t < r->next_scan ? t : r->next_scan;
			}
			if (r->inners[i] != NULL) {
				ns_relay_inner_timers(r->inners[i], now);
				t = now + ns_relay_inner_timeout(r->inners[i], now);
				r->next_scan = t < r->next_scan ? t : r->next_scan;
			}
		}
	}
	/* A pump may dirty its own connection again (fairness): those are
	 * appended behind n and wait for the next turn. */
	n = r->ndirty;
	for (i = 0; i < n; i++) {
		pump_one(r, r->dirty[i], now);
	}
	memmove(r->dirty, r->dirty + n, (r->ndirty - n) * sizeof(*r->dirty));
	r->ndirty -= n;
	fflush(r->log);
	if (r->ndirty > 0) {
		return 0;
	}
	return r->next_scan > now ? (int)(r->next_scan - now) : 0;
}

/* MaxStartups from the config, never past the connection cap. */
static void startups_init(ns_relay *r)
{
	const ns_relay_config *cfg = r->cfg;
	ns_relay_startups *m = &r->startups;

	*m = cfg->startups;
	if (m->full == 0) {
		m->start = NS_RELAY_STARTUPS_START;
		m->rate = NS_RELAY_STARTUPS_RATE;
		m->full = NS_RELAY_STARTUPS_FULL;
	}
	m->full = m->full < r->max_conns ? m->full : r->max_conns;
	m->start = m->start < m->full ? m->start : m->full;
	m->rate = m->rate >= 1 && m->rate <= 100 ? m->rate : 100;
}

static int setup(ns_relay *r, const ns_relay_config *cfg, sigset_t *old)
{
	char err[256];
	sigset_t mask;
	int fd;

	r->cfg = cfg;
	r->log = cfg->log != NULL ? cfg->log : stderr;
	r->max_conns = cfg->max_connections ? cfg->max_connections : NS_RELAY_MAX_CONNECTIONS;
	r->max_channels = cfg->max_channels ? cfg->max_channels : NS_RELAY_MAX_CHANNELS;
	r->max_unauth_per_source = cfg->max_unauth_per_source ? cfg->max_unauth_per_source
	                                                      : NS_RELAY_MAX_UNAUTH_PER_SOURCE;
	startups_init(r);
	ns_watch_init(&r->lsock, -1, 0);
	ns_watch_init(&r->sig, -1, 0);
	ns_watch_init(&r->wsock, -1, 0);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, old);
	signal(SIGTERM, SIG_DFL); /* ignored signals never reach a signalfd */
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	r->conns = calloc(r->max_conns, sizeof(*r->conns));
	r->inners = calloc(r->max_conns, sizeof(*r->inners));
	r->dirty = calloc(4 * (size_t)r->max_conns + 2 * ACCEPT_BATCH, sizeof(*r->dirty));
	r->unauth = calloc(r->max_conns, sizeof(*r->unauth));
	r->due = calloc(r->max_conns, sizeof(*r->due));
	if (r->conns == NULL || r->inners == NULL || r->dirty == NULL || r->unauth == NULL ||
	    r->due == NULL || ns_relay_caps_init(r) != 0) {
		return NS_ERR_NOMEM;
	}
	if ((fd = ns_relay_pp_init(r)) != 0) {
		return fd;
	}
	if ((fd = load_trust(r)) != 0) {
		return fd;
	}
	if ((r->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		fprintf(r->log, "relay event=error what=epoll error=\"%s\"\n", strerror(errno));
		return NS_ERR_IO;
	}
	ns_watch_init(&r->sig, fd, ns_watch_token(NS_WATCH_SIGNAL, 0, 0, 0));
	if ((fd = ns_net_listen(cfg->listen, err, sizeof(err))) < 0) {
		fprintf(r->log, "relay event=error what=listen error=\"%s\"\n", err);
		return fd;
	}
	ns_watch_init(&r->lsock, fd, ns_watch_token(NS_WATCH_LISTEN, 0, 0, 0));
	ns_net_set_nonblock(fd, 1);
	if (ns_watch_set(r->epfd, &r->sig, EPOLLIN) != 0 ||
	    ns_watch_set(r->epfd, &r->lsock, EPOLLIN) != 0) {
		return NS_ERR_IO;
	}
	if ((fd = ns_relay_admin_listen(r)) != 0) {
		return fd;
	}
	return ns_relay_ws_listen(r);
}

static void shutdown_all(ns_relay *r, const sigset_t *old)
{
	uint32_t i;

	ns_relay_revoke_stop(r);
	for (i = 0; r->conns != NULL && i < r->max_conns; i++) {
		if (r->conns[i] != NULL) {
			/* NS_ERR_CLOSED only: then it is closing already */
			(void)!ns_engine_disconnect(r->conns[i]->front.e, NS_DISC_BY_APPLICATION,
			                            "relay shutting down");
			ns_relay_conn_pump(r->conns[i], ns_clock_ms());
			ns_relay_conn_free(r->conns[i]);
			r->conns[i] = NULL;
		}
	}
	for (i = 0; r->inners != NULL && i < r->max_conns; i++) {
		if (r->inners[i] != NULL) {
			ns_relay_inner_free(r->inners[i]);
		}
	}
	free(r->inners);
	ns_relay_pp_free(r);
	ns_relay_admin_free(r);
	ns_tls_cred_free(r->tls);
	ns_watch_close(r->epfd, &r->lsock);
	ns_watch_close(r->epfd, &r->wsock);
	ns_watch_close(r->epfd, &r->sig);
	if (r->epfd >= 0) {
		close(r->epfd);
	}
	free(r->conns);
	free(r->dirty);
	free(r->due);
	free(r->unauth);
	free(r->revoked);
	ns_relay_caps_free(r);
	sodium_memzero(r->cas, sizeof(r->cas));
	sigprocmask(SIG_SETMASK, old, NULL);
	fflush(r->log);
}

static int loop(ns_relay *r)
{
	struct epoll_event evs[EPOLL_BATCH];
	int n, i, stop = 0, timeout;
	uint64_t now;

	r->now = ns_clock_ms();
	timeout = service(r, r->now);
	while (!stop) {
		n = epoll_wait(r->epfd, evs, EPOLL_BATCH, timeout);
		if (n < 0 && errno != EINTR) {
			return NS_ERR_IO;
		}
		now = ns_clock_ms();
		r->now = now;
		for (i = 0; i < n; i++) {
			on_event(r, &evs[i], now, &stop);
		}
		timeout = service(r, now);
		if (ns_relay_drain_over(r, now)) {
			stop = 1;
		}
	}
	return 0;
}

int ns_relay_run(const ns_relay_config *cfg)
{
	ns_relay *r;
	sigset_t old;
	int rc;

	if (cfg == NULL || cfg->listen == NULL || cfg->host_key == NULL ||
	    cfg->client_key == NULL || cfg->ca_keys == NULL ||
	    (cfg->registry == NULL && ns_relay_route_mode(cfg) != NS_RELAY_ROUTE_CERT)) {
		return NS_ERR_INVALID;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		return NS_ERR_NOMEM;
	}
	r->epfd = -1;
	if ((rc = setup(r, cfg, &old)) == 0 && (rc = ns_relay_revoke_start(r)) != 0) {
		fprintf(r->log, "relay event=error what=revocations error=\"%s\"\n",
		        ns_strerror(rc));
	}
	if (rc == 0) {
		fprintf(r->log,
		        "relay event=listen addr=%s max_connections=%u max_startups=%u:%u:%u "
		        "max_unauth_per_source=%u max_connections_per_sandbox=%u "
		        "max_channels_per_sandbox=%u max_authed_per_source=%u\n",
		        cfg->listen, r->max_conns, r->startups.start, r->startups.rate,
		        r->startups.full, r->max_unauth_per_source, r->max_conns_per_sandbox,
		        r->max_channels_per_sandbox, r->max_authed_per_source);
		ns_relay_route_log(r);
		fflush(r->log);
		if (cfg->on_ready != NULL) {
			cfg->on_ready(cfg->ready_ud);
		}
		rc = loop(r);
		fprintf(r->log, "relay event=shutdown connections=%u\n", r->nconns);
	}
	shutdown_all(r, &old);
	free(r);
	return rc;
}
