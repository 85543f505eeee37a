/* Forwarding channels in the agent: direct-tcpip (ssh -L, -D, -W through
 * the relay) connects to host:port, direct-streamlocal@openssh.com to a Unix
 * socket, from inside the sandbox, without blocking the loop on the connect.
 * Once connected the socket is a session without a child (session_io.c
 * moves its bytes under the channel's window both ways; so it does for the
 * sockets of remote forwards and agent forwarding); each forward is
 * logged at its start and end (kind, target, bytes, duration), never its
 * payload. Refusals carry RFC 4254 reason codes and say why. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "log_str.h"
#include "nullspace/error.h"
#include "session_int.h"
#include "wire.h"

#define TARGET_MAX 300 /* "host:port" or a path, as logged */
#define FWD_REFUSED_MSG "port forwarding is not permitted by this certificate"

typedef struct ns_session_fwd ns_session_fwd;

struct ns_session_fwd {
	const char *kind; /* NS_CHAN_DIRECT_TCPIP or NS_CHAN_DIRECT_STREAMLOCAL */
	char target[TARGET_MAX];
	int connecting, logged;
	uint64_t started;           /* ms, at the open */
	struct addrinfo *ai, *next; /* TCP: the addresses, the next to try */
};

/* The log's event name: an agent forwarding connection's, or a forward's. */
static const char *event_of(const char *kind)
{
	return strcmp(kind, NS_CHAN_AGENT_FWD) == 0 || strcmp(kind, NS_CHAN_AUTH_AGENT) == 0
	           ? "agent-forward"
	           : "forward";
}

int ns_session_dead(const ns_session *s)
{
	return s->dead;
}

int ns_session_fwd_connecting(const ns_session *s)
{
	return s->fwd != NULL && s->fwd->connecting;
}

void ns_session_fwd_free(ns_session *s)
{
	if (s->fwd == NULL) {
		return;
	}
	if (!s->dead && !s->fwd->connecting) {
		ns_session_fwd_log_end(s, "channel-closed");
	}
	if (s->fwd->ai != NULL) {
		freeaddrinfo(s->fwd->ai);
	}
	free(s->fwd);
	s->fwd = NULL;
}

void ns_session_fwd_log_end(ns_session *s, const char *why)
{
	ns_session_fwd *f = s->fwd;

	if (f == NULL || f->logged) {
		return;
	}
	f->logged = 1;
	fprintf(s->h->log,
	        "agent event=%s-end conn=%u channel=%u kind=%s target=%s bytes_in=%llu "
	        "bytes_out=%llu duration_ms=%llu reason=%s%s\n",
	        event_of(f->kind), s->h->conn_id, s->channel, f->kind, f->target,
	        (unsigned long long)s->bytes_in, (unsigned long long)s->bytes_out,
	        (unsigned long long)(ns_clock_ms() - f->started), why, s->who);
}

static void refused(ns_session_host *h, const char *kind, const char *target, const char *reason)
{
	fprintf(h->log, "agent event=%s-refused conn=%u kind=%s target=%s reason=%s\n",
	        event_of(kind), h->conn_id, kind, target, reason);
}

/* Start a non-blocking connect: 0 (done or under way: *fd set) or an errno. */
static int start_connect(int family, const struct sockaddr *sa, socklen_t len, int *fd)
{
	int s = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err;

	*fd = -1;
	if (s < 0) {
		return errno;
	}
	if (connect(s, sa, len) != 0 && errno != EINPROGRESS) {
		err = errno;
		close(s);
		return err;
	}
	*fd = s;
	return 0;
}

/* The next address of a TCP forward: 0 with *fd, or the last errno. */
static int next_addr(ns_session_fwd *f, int *fd)
{
	int err = ECONNREFUSED;

	while (f->next != NULL) {
		struct addrinfo *a = f->next;
		f->next = a->ai_next;
		if ((err = start_connect(a->ai_family, a->ai_addr, a->ai_addrlen, fd)) == 0) {
			return 0;
		}
	}
	return err;
}

/* The socket is connecting: watched for EPOLLOUT on out until it is. */
static void watch_connect(ns_session *s, int fd)
{
	ns_session_host *h = s->h;

	ns_watch_init(&s->out, fd, ns_watch_token(NS_WATCH_CHILD_OUT, h->slot, h->gen, s->channel));
	ns_watch_set(h->epfd, &s->out, EPOLLOUT);
}

/* The socket and the channel are both there: bytes flow (session_io.c). */
static int start_moving(ns_session *s)
{
	ns_session_host *h = s->h;
	int in = dup(s->out.fd);

	s->fwd->connecting = 0;
	if (in < 0) {
		return -1;
	}
	(void)fcntl(in, F_SETFD, FD_CLOEXEC);
	ns_watch_init(&s->in, in, ns_watch_token(NS_WATCH_CHILD_IN, h->slot, h->gen, s->channel));
	ns_watch_set(h->epfd, &s->out, 0);
	s->kind = s->fwd->kind;
	s->reaped = 1;    /* no child: the end is the socket's */
	s->err_eof = 1;   /* no stderr */
	s->exit_sent = 1; /* no exit status */
	fprintf(h->log, "agent event=%s-start conn=%u channel=%u kind=%s target=%s%s\n",
	        event_of(s->fwd->kind), h->conn_id, s->channel, s->fwd->kind, s->fwd->target,
	        s->who);
	return 0;
}

/* Connected: the channel is accepted. */
static void connected(ns_session *s)
{
	ns_session_host *h = s->h;

	if (ns_channel_accept(h->e, s->channel) != 0 || start_moving(s) != 0) {
		(void)!ns_channel_reject(h->e, s->channel, NS_OPEN_RESOURCE_SHORTAGE,
		                         "agent out of resources");
		s->dead = 1;
	}
}

int ns_session_fwd_adopt(ns_session_host *h, int fd, const char *kind, const char *target,
                         uint32_t id, ns_session **out)
{
	ns_session_fwd *f;
	ns_session *s;

	*out = NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL || ns_session_new(h, id, &s) != 0) {
		free(f);
		return NS_ERR_NOMEM;
	}
	f->kind = kind;
	f->connecting = 1; /* until the peer answers */
	f->started = ns_clock_ms();
	snprintf(f->target, sizeof(f->target), "%s", target);
	s->fwd = f;
	ns_watch_init(&s->out, fd, ns_watch_token(NS_WATCH_CHILD_OUT, h->slot, h->gen, id));
	*out = s;
	return 0;
}

int ns_session_fwd_accepted(ns_session_host *h, int fd, const char *kind, const char *target,
                            const uint8_t *data, size_t len, ns_session **out, uint32_t *id)
{
	int rc;

	*out = NULL;
	if ((rc = ns_channel_open(h->e, kind, data, len, id)) != 0) {
		return rc;
	}
	if ((rc = ns_session_fwd_adopt(h, fd, kind, target, *id, out)) != 0) {
		(void)!ns_channel_close(h->e, *id); /* the answer closes it */
	}
	return rc;
}

void ns_session_fwd_opened(ns_session *s, int ok)
{
	if (s->fwd == NULL || !s->fwd->connecting) {
		return;
	}
	if (!ok || start_moving(s) != 0) {
		if (ok) {
			(void)!ns_channel_close(s->h->e, s->channel);
		}
		refused(s->h, s->fwd->kind, s->fwd->target, ok ? "no-memory" : "peer-refused");
		s->fwd->connecting = 0;
		s->dead = 1;
	}
}

static void connect_failed(ns_session *s, int err)
{
	char msg[TARGET_MAX + 96];

	refused(s->h, s->fwd->kind, s->fwd->target, "connect-failed");
	snprintf(msg, sizeof(msg), "connect to %s failed: %s", s->fwd->target, strerror(err));
	(void)!ns_channel_reject(s->h->e, s->channel, NS_OPEN_CONNECT_FAILED, msg);
	ns_watch_close(s->h->epfd, &s->out);
	s->fwd->connecting = 0;
	s->dead = 1;
}

void ns_session_fwd_io(ns_session *s)
{
	int err = 0, fd;
	socklen_t len = sizeof(err);

	if (getsockopt(s->out.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
		err = errno;
	}
	if (err == EINPROGRESS || err == EALREADY) {
		return;
	}
	if (err == 0) {
		connected(s);
		return;
	}
	ns_watch_close(s->h->epfd, &s->out);
	if (s->fwd->ai != NULL && next_addr(s->fwd, &fd) == 0) {
		watch_connect(s, fd);
		return;
	}
	connect_failed(s, err);
}

/* Resolve host:port (a DNS name blocks the loop while the resolver works;
 * addresses and /etc/hosts names do not) and start the first connect that
 * starts: 0 with *fd, else an errno (-1: unknown host). */
static int tcp_start(ns_session_fwd *f, const ns_chan_open_info *o, int *fd)
{
	struct addrinfo hints;
	char host[NS_CHAN_HOST_MAX + 1], port[8];

	memcpy(host, o->host.p, o->host.len);
	host[o->host.len] = '\0';
	snprintf(port, sizeof(port), "%u", o->port);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG;
	if (getaddrinfo(host[0] ? host : "localhost", port, &hints, &f->ai) != 0) {
		f->ai = NULL;
		return -1;
	}
	f->next = f->ai;
	return next_addr(f, fd);
}

static int unix_start(const ns_chan_open_info *o, int *fd)
{
	struct sockaddr_un sun;

	*fd = -1;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (o->host.len == 0 || o->host.len >= sizeof(sun.sun_path)) {
		return ENAMETOOLONG;
	}
	memcpy(sun.sun_path, o->host.p, o->host.len);
	return start_connect(AF_UNIX, (const struct sockaddr *)&sun, sizeof(sun), fd);
}

/* The open is refused: *reason and msg set, the refusal logged. */
static int refuse(ns_session_host *h, const char *kind, const char *target, const char *why,
                  uint32_t code, uint32_t *reason, char *msg, size_t cap, const char *text)
{
	refused(h, kind, target, why);
	*reason = code;
	snprintf(msg, cap, "%s", text);
	return NS_ERR_IO;
}

int ns_session_fwd_new(ns_session_host *h, uint32_t channel, const ns_event *ev, ns_session **out,
                       uint32_t *reason, char *msg, size_t cap)
{
	int tcp = ns_str_eq(ev->channel_type, NS_CHAN_DIRECT_TCPIP), fd = -1, err, rc;
	const char *kind = tcp ? NS_CHAN_DIRECT_TCPIP : NS_CHAN_DIRECT_STREAMLOCAL;
	char target[TARGET_MAX], host[NS_CHAN_HOST_MAX + 1], text[TARGET_MAX + 64];
	ns_chan_open_info o;
	ns_session_fwd *f;
	ns_session *s;

	*out = NULL;
	if ((rc = ns_channel_open_parse(ev->channel_type, ev->open_data, &o)) != 0) {
		return refuse(h, kind, "-", rc == NS_ERR_TOOBIG ? "target-too-long" : "malformed",
		              NS_OPEN_CONNECT_FAILED, reason, msg, cap,
		              rc == NS_ERR_TOOBIG ? "forward target too long"
		                                  : "malformed forward request");
	}
	ns_log_str(o.host, host, sizeof(host));
	if (tcp) {
		snprintf(target, sizeof(target), "%s:%u", host, o.port);
	} else {
		snprintf(target, sizeof(target), "%s", host);
	}
	if (h->no_port_fwd) {
		return refuse(h, kind, target, "no-permit-port-forwarding",
		              NS_OPEN_ADMINISTRATIVELY_PROHIBITED, reason, msg, cap,
		              FWD_REFUSED_MSG);
	}
	if ((f = calloc(1, sizeof(*f))) == NULL || ns_session_new(h, channel, &s) != 0) {
		free(f);
		return refuse(h, kind, target, "no-memory", NS_OPEN_RESOURCE_SHORTAGE, reason, msg,
		              cap, "agent out of memory");
	}
	f->kind = kind;
	f->connecting = 1;
	f->started = ns_clock_ms();
	snprintf(f->target, sizeof(f->target), "%s", target);
	s->fwd = f;
	err = tcp ? tcp_start(f, &o, &fd) : unix_start(&o, &fd);
	if (err != 0) {
		f->connecting = 0;
		s->dead = 1;
		ns_session_free(s);
		if (err < 0) {
			snprintf(text, sizeof(text), "unknown host %s", host);
			return refuse(h, kind, target, "unknown-host", NS_OPEN_CONNECT_FAILED,
			              reason, msg, cap, text);
		}
		snprintf(text, sizeof(text), "connect to %s failed: %s", target, strerror(err));
		return refuse(h, kind, target, "connect-failed", NS_OPEN_CONNECT_FAILED, reason,
		              msg, cap, text);
	}
	watch_connect(s, fd);
	*out = s;
	return 0;
}
