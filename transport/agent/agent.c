/* The agent's event loop: one epoll set over the listening socket, a
 * signalfd (SIGCHLD, SIGTERM, SIGINT), every connection socket and every
 * child fd; timers from the engines; reaping children; a clean shutdown. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "agent_int.h"
#include "net.h"
#include "nullspace/error.h"

#define EPOLL_BATCH 128
#define WAIT_MAX_MS 60000
#define SHUTDOWN_REAP_MS 500

static ns_agent_conn *conn_of(ns_agent *a, uint64_t tok)
{
	uint32_t slot = ns_watch_slot_of(tok);
	ns_agent_conn *c;

	if (slot >= a->max_conns || (c = a->conns[slot]) == NULL ||
	    c->host.gen != ns_watch_gen_of(tok)) {
		return NULL;
	}
	return c;
}

static void drop(ns_agent *a, uint32_t slot)
{
	ns_agent_conn *c = a->conns[slot];

	fprintf(a->log, "agent event=closed conn=%u\n", c->host.conn_id);
	ns_agent_conn_free(c);
	a->conns[slot] = NULL;
	a->nconns--;
}

/* Connections of peer that already hung up, though the loop has not read
 * their EOF yet (a burst of open-and-close accepted in one turn): finish
 * them now, so they do not count against their source. Only after an
 * accept since the last look, so a flood of refusals costs no scans. */
static int hung_up(int fd)
{
	ssize_t n;
	char b;

	n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static void reclaim_closed(ns_agent *a, const char *peer, uint64_t now)
{
	uint32_t i;

	if (!a->accepted_since_reclaim) {
		return;
	}
	a->accepted_since_reclaim = 0;
	for (i = 0; i < a->max_conns; i++) {
		ns_agent_conn *c = a->conns[i];
		if (c == NULL || !c->unauth_counted || strcmp(c->host.peer, peer) != 0 ||
		    !hung_up(c->sock.fd)) {
			continue;
		}
		ns_agent_conn_sock(c, EPOLLIN);
		if (ns_agent_conn_pump(c, now)) {
			drop(a, i);
		}
	}
}

/* Unix-socket peers all share the one name "unix" (in a sandbox: the
 * relay), and the socket file's mode decides who connects: not counted. */
static int counted_source(const char *peer)
{
	return strcmp(peer, "unix") != 0;
}

/* Count one more unauthenticated connection from peer: 0, or over the cap
 * once those that already hung up are finished. */
static int count_source(ns_agent *a, const char *peer, uint64_t now)
{
	int rc = ns_tally_add(a->src, peer, 1, a->max_unauth_per_source);

	if (rc == NS_ERR_LIMIT) {
		reclaim_closed(a, peer, now);
		rc = ns_tally_add(a->src, peer, 1, a->max_unauth_per_source);
	}
	return rc;
}

static void accept_one(ns_agent *a, int fd, uint64_t now)
{
	ns_agent_conn *c = NULL;
	char peer[sizeof(((ns_agent_conn *)0)->host.peer)]; /* as counted and freed */
	int counted;
	uint32_t slot;

	/* no Nagle: a short reply behind an unacknowledged one waited for the
	 * peer's delayed ACK (40 ms); as sshd */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
	ns_net_peer_name(fd, peer, sizeof(peer));
	if (a->nconns >= a->max_conns) {
		fprintf(a->log, "agent event=reject peer=%s reason=max-connections\n", peer);
		close(fd);
		return;
	}
	counted = counted_source(peer);
	if (counted && count_source(a, peer, now) != 0) {
		fprintf(a->log, "agent event=reject peer=%s reason=unauth-per-source\n", peer);
		close(fd);
		return;
	}
	for (slot = 0; a->conns[slot] != NULL; slot++) {
	}
	if (ns_agent_conn_new(a, fd, slot, now, &c) != 0) {
		fprintf(a->log, "agent event=reject peer=%s reason=no-memory\n", peer);
		if (counted) {
			ns_tally_sub(a->src, peer, 1);
		}
		close(fd);
		return;
	}
	/* the name it is counted under, whatever a second lookup would say */
	snprintf(c->host.peer, sizeof(c->host.peer), "%s", peer);
	c->unauth_counted = counted;
	a->conns[slot] = c;
	a->nconns++;
	a->accepted_since_reclaim = 1;
	c->dirty = 1;
	fprintf(a->log, "agent event=connect peer=%s conn=%u\n", c->host.peer, c->host.conn_id);
}

static void accept_all(ns_agent *a, uint64_t now)
{
	int fd;

	for (;;) {
		fd = accept4(a->lsock.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0 && errno == EINTR) {
			continue;
		}
		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				fprintf(a->log, "agent event=error what=accept error=\"%s\"\n",
				        strerror(errno));
			}
			return;
		}
		accept_one(a, fd, now);
	}
}

static void reap(ns_agent *a)
{
	uint32_t i, ch;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < a->max_conns; i++) {
			ns_agent_conn *c = a->conns[i];
			for (ch = 0; c != NULL && ch < c->sess_hi; ch++) {
				if (c->sess[ch] != NULL &&
				    ns_session_reaped(c->sess[ch], pid, st)) {
					c->dirty = 1;
				}
			}
		}
	}
}

/* 1 when asked to stop. */
static int signals(ns_agent *a)
{
	struct signalfd_siginfo si;
	int stop = 0;

	while (read(a->sig.fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			stop = 1;
		}
	}
	reap(a);
	return stop;
}

static void on_event(ns_agent *a, const struct epoll_event *ev, uint64_t now, int *stop)
{
	unsigned kind = ns_watch_kind_of(ev->data.u64);
	ns_agent_conn *c;
	ns_session *s;

	if (kind == NS_WATCH_LISTEN) {
		accept_all(a, now);
		return;
	}
	if (kind == NS_WATCH_SIGNAL) {
		*stop |= signals(a);
		return;
	}
	if ((c = conn_of(a, ev->data.u64)) == NULL) {
		return; /* stale: its connection went away in this batch */
	}
	c->dirty = 1;
	if (kind == NS_WATCH_SOCK) {
		ns_agent_conn_sock(c, ev->events);
		return;
	}
	if (kind == NS_WATCH_FWD_LISTEN) {
		ns_agent_rfwd_accept(c, ns_watch_chan_of(ev->data.u64));
		return;
	}
	s = c->sess[ns_watch_chan_of(ev->data.u64) % NS_AGENT_CHAN_SLOTS(c)];
	if (s != NULL) {
		ns_session_io(s, kind, ev->events);
	}
}

/* Timers and pumps of every connection; the epoll timeout for the next wait. */
static int service(ns_agent *a, uint64_t now)
{
	uint64_t t = WAIT_MAX_MS, ct;
	uint32_t i;

	for (i = 0; i < a->max_conns; i++) {
		ns_agent_conn *c = a->conns[i];
		if (c == NULL) {
			continue;
		}
		ns_agent_conn_timers(c, now);
		if (c->dirty) {
			c->dirty = 0;
			if (ns_agent_conn_pump(c, now)) {
				drop(a, i);
				continue;
			}
		}
		ct = ns_agent_conn_timeout(c, now);
		t = ct < t ? ct : t;
	}
	fflush(a->log);
	return (int)t;
}

/* Children's stdio must never land on fds 0-2 of ours by accident. */
static void std_fds_open(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2) {
	}
	if (fd > 2) {
		close(fd);
	}
}

static int setup(ns_agent *a, const ns_agent_config *cfg, sigset_t *old)
{
	char err[256];
	sigset_t mask;
	int fd;

	a->cfg = cfg;
	a->log = cfg->log != NULL ? cfg->log : stderr;
	a->max_conns = cfg->max_connections ? cfg->max_connections : NS_AGENT_MAX_CONNECTIONS;
	if (a->max_conns > NS_AGENT_MAX_CONNECTIONS_LIMIT) {
		a->max_conns = NS_AGENT_MAX_CONNECTIONS_LIMIT;
	}
	a->grace_ms = cfg->login_grace_ms ? cfg->login_grace_ms : NS_AGENT_LOGIN_GRACE_MS;
	a->max_chans = cfg->max_channels == 0 ? NS_AGENT_MAX_CHANNELS
	               : cfg->max_channels < NS_AGENT_MAX_CHANNELS_LIMIT
	                   ? cfg->max_channels
	                   : NS_AGENT_MAX_CHANNELS_LIMIT;
	a->max_unauth_per_source = cfg->max_unauth_per_source ? cfg->max_unauth_per_source
	                                                      : NS_AGENT_MAX_UNAUTH_PER_SOURCE;
	ns_watch_init(&a->lsock, -1, 0);
	ns_watch_init(&a->sig, -1, 0);
	std_fds_open();
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, old);
	/* An ignored signal never reaches a signalfd (a shell's background
	 * job starts with SIGINT ignored): take the defaults, now blocked. */
	signal(SIGCHLD, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	/* A session's detached processes (setsid, nohup) become our children
	 * when their parent ends, not init's: reaped here, and handed to the
	 * next subreaper up (the sandbox runtime) when we stop. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1);
	if ((a->conns = calloc(a->max_conns, sizeof(*a->conns))) == NULL ||
	    (a->src = calloc(1, sizeof(*a->src))) == NULL) {
		return NS_ERR_NOMEM;
	}
	if ((a->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		fprintf(a->log, "agent event=error what=epoll error=\"%s\"\n", strerror(errno));
		return NS_ERR_IO;
	}
	if ((fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		fprintf(a->log, "agent event=error what=signalfd error=\"%s\"\n", strerror(errno));
		return NS_ERR_IO;
	}
	ns_watch_init(&a->sig, fd, ns_watch_token(NS_WATCH_SIGNAL, 0, 0, 0));
	if ((fd = ns_net_listen(cfg->listen, err, sizeof(err))) < 0) {
		fprintf(a->log, "agent event=error what=listen error=\"%s\"\n", err);
		return fd;
	}
	ns_watch_init(&a->lsock, fd, ns_watch_token(NS_WATCH_LISTEN, 0, 0, 0));
	ns_net_set_nonblock(fd, 1);
	if (ns_watch_set(a->epfd, &a->sig, EPOLLIN) != 0 ||
	    ns_watch_set(a->epfd, &a->lsock, EPOLLIN) != 0) {
		return NS_ERR_IO;
	}
	return 0;
}

static void shutdown_all(ns_agent *a, const sigset_t *old)
{
	uint64_t until = ns_clock_ms() + SHUTDOWN_REAP_MS;
	struct timespec pause = {0, 10 * 1000 * 1000};
	uint32_t i;

	for (i = 0; a->conns != NULL && i < a->max_conns; i++) {
		if (a->conns[i] != NULL) {
			/* a best-effort DISCONNECT, then SIGHUP to its sessions */
			/* NS_ERR_CLOSED only: then it is closing already */
			(void)!ns_engine_disconnect(a->conns[i]->host.e, NS_DISC_BY_APPLICATION,
			                            "agent shutting down");
			ns_agent_conn_pump(a->conns[i], ns_clock_ms());
			ns_agent_conn_free(a->conns[i]);
			a->conns[i] = NULL;
		}
	}
	/* Give the hung-up children a moment, so none is left a zombie. */
	while (waitpid(-1, NULL, WNOHANG) >= 0 && ns_clock_ms() < until) {
		nanosleep(&pause, NULL);
	}
	ns_watch_close(a->epfd, &a->lsock);
	ns_watch_close(a->epfd, &a->sig);
	if (a->epfd >= 0) {
		close(a->epfd);
	}
	free(a->conns);
	if (a->src != NULL) {
		ns_tally_clear(a->src);
		free(a->src);
	}
	sigprocmask(SIG_SETMASK, old, NULL);
	fflush(a->log);
}

int ns_agent_run(const ns_agent_config *cfg)
{
	struct epoll_event evs[EPOLL_BATCH];
	ns_agent a;
	sigset_t old;
	int rc, n, i, stop = 0, timeout;

	memset(&a, 0, sizeof(a));
	a.epfd = -1;
	if (cfg == NULL || cfg->listen == NULL || cfg->host_key == NULL ||
	    (cfg->authorized_keys == NULL && cfg->ca_keys == NULL)) {
		return NS_ERR_INVALID;
	}
	if ((rc = setup(&a, cfg, &old)) != 0) {
		goto out;
	}
	fprintf(a.log,
	        "agent event=listen addr=%s max_connections=%u max_unauth_per_source=%u "
	        "login_grace_time=%u\n",
	        cfg->listen, a.max_conns, a.max_unauth_per_source, a.grace_ms / 1000);
	fflush(a.log);
	if (cfg->on_ready != NULL) {
		cfg->on_ready(cfg->ready_ud);
	}
	timeout = service(&a, ns_clock_ms());
	while (!stop) {
		n = epoll_wait(a.epfd, evs, EPOLL_BATCH, timeout);
		if (n < 0 && errno != EINTR) {
			rc = NS_ERR_IO;
			break;
		}
		for (i = 0; i < n; i++) {
			on_event(&a, &evs[i], ns_clock_ms(), &stop);
		}
		timeout = service(&a, ns_clock_ms());
	}
	fprintf(a.log, "agent event=shutdown connections=%u\n", a.nconns);
out:
	shutdown_all(&a, &old);
	return rc;
}
