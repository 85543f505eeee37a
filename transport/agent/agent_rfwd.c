/* Remote forwarding in the agent (ssh -R through the relay): tcpip-forward
 * binds a listener inside the sandbox, on loopback unless the deployment
 * allows more (--forward-bind-any), port 0 answered with the port bound;
 * streamlocal-forward@openssh.com binds a Unix socket path. Each connection
 * accepted opens a forwarded-tcpip / forwarded-streamlocal@openssh.com
 * channel back to the peer (session_fwd.c moves its bytes). The cancels
 * close them; so does the end of the connection. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent_int.h"
#include "buf.h"
#include "nullspace/error.h"
#include "wire.h"

#define FWD_REFUSED_MSG "port forwarding is not permitted by this certificate"

typedef struct ns_agent_listen {
	ns_watch w;
	int is_unix;
	char addr[NS_CHAN_PATH_MAX + 1]; /* as the peer asked: address or path */
	uint32_t port;                   /* bound (TCP) */
} ns_agent_listen;

static void reply(ns_agent_conn *c, const ns_event *ev, int ok, uint32_t port)
{
	if (ev->req.want_reply) {
		ns_call_check(c->host.e, c->host.log, "agent", c->host.conn_id, "global_reply",
		              ns_global_reply(c->host.e, ev->channel, ok, port));
	}
}

static void refused(ns_agent_conn *c, const char *kind, const char *target, const char *why)
{
	fprintf(c->host.log, "agent event=forward-refused conn=%u kind=%s target=%s reason=%s\n",
	        c->host.conn_id, kind, target, why);
}

/* Loopback names: what is bound without --forward-bind-any. "" and
 * "localhost" mean loopback here, as sshd does without GatewayPorts. */
static int loopback_addr(const char *a, int *v6)
{
	*v6 = strcmp(a, "::1") == 0;
	return *v6 || a[0] == '\0' || strcmp(a, "localhost") == 0 || strcmp(a, "127.0.0.1") == 0;
}

/* Bind and listen: 0 with *fd and *bound, else an errno. */
static int tcp_listen(const char *addr, uint32_t port, int any, int *fd, uint32_t *bound)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int v6 = 0, s, one = 1, err;

	memset(&ss, 0, sizeof(ss));
	if (loopback_addr(addr, &v6) || !any) {
		if (v6) {
			in6->sin6_family = AF_INET6;
			in6->sin6_addr = in6addr_loopback;
		} else {
			in4->sin_family = AF_INET;
			in4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		}
	} else if (strcmp(addr, "*") == 0 || strcmp(addr, "0.0.0.0") == 0) {
		in4->sin_family = AF_INET;
		in4->sin_addr.s_addr = htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
	} else {
		return EADDRNOTAVAIL;
	}
	if (ss.ss_family == AF_INET) {
		in4->sin_port = htons((uint16_t)port);
		len = sizeof(*in4);
	} else {
		in6->sin6_port = htons((uint16_t)port);
		len = sizeof(*in6);
	}
	if ((s = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		return errno;
	}
	(void)setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&ss, len) != 0 || listen(s, 128) != 0 ||
	    getsockname(s, (struct sockaddr *)&ss, &len) != 0) {
		err = errno;
		close(s);
		return err;
	}
	*bound = ntohs(ss.ss_family == AF_INET ? in4->sin_port : in6->sin6_port);
	*fd = s;
	return 0;
}

static int unix_listen(const char *path, int *fd)
{
	struct sockaddr_un sun;
	int s, err;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (path[0] == '\0' || strlen(path) >= sizeof(sun.sun_path)) {
		return ENAMETOOLONG;
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		return errno;
	}
	if (bind(s, (struct sockaddr *)&sun, sizeof(sun)) != 0 || listen(s, 128) != 0) {
		err = errno;
		close(s);
		return err;
	}
	*fd = s;
	return 0;
}

static void close_listener(ns_agent_conn *c, uint32_t i)
{
	ns_agent_listen *l = c->lis[i];

	if (l == NULL) {
		return;
	}
	ns_watch_close(c->host.epfd, &l->w);
	if (l->is_unix) {
		(void)unlink(l->addr); /* the socket file we made */
	}
	free(l);
	c->lis[i] = NULL;
}

static void bind_forward(ns_agent_conn *c, const ns_event *ev, int is_unix, const char *addr,
                         const char *target)
{
	const char *kind = is_unix ? NS_GLOBAL_STREAMLOCAL_FORWARD : NS_GLOBAL_TCPIP_FORWARD;
	ns_agent_listen *l;
	uint32_t i, bound = 0;
	int fd = -1, v6, err;

	for (i = 0; i < NS_AGENT_RFWD_MAX && c->lis[i] != NULL; i++) {
	}
	if (i == NS_AGENT_RFWD_MAX) {
		refused(c, kind, target, "max-remote-forwards");
		reply(c, ev, 0, 0);
		return;
	}
	if (!is_unix && !c->agent->cfg->forward_bind_any && !loopback_addr(addr, &v6)) {
		refused(c, kind, target, "not-loopback");
		reply(c, ev, 0, 0);
		return;
	}
	err = is_unix
	          ? unix_listen(addr, &fd)
	          : tcp_listen(addr, ev->fwd.port, c->agent->cfg->forward_bind_any, &fd, &bound);
	if (err != 0 || (l = calloc(1, sizeof(*l))) == NULL) {
		fprintf(c->host.log,
		        "agent event=forward-refused conn=%u kind=%s target=%s reason=bind-failed "
		        "error=\"%s\"\n",
		        c->host.conn_id, kind, target, strerror(err ? err : ENOMEM));
		if (fd >= 0) {
			close(fd);
		}
		reply(c, ev, 0, 0);
		return;
	}
	l->is_unix = is_unix;
	l->port = bound;
	snprintf(l->addr, sizeof(l->addr), "%s", addr);
	ns_watch_init(&l->w, fd, ns_watch_token(NS_WATCH_FWD_LISTEN, c->host.slot, c->host.gen, i));
	ns_watch_set(c->host.epfd, &l->w, EPOLLIN);
	c->lis[i] = l;
	fprintf(c->host.log, "agent event=forward-listen conn=%u kind=%s target=%s bound=%u\n",
	        c->host.conn_id, kind, target, bound);
	reply(c, ev, 1, ev->fwd.port == 0 ? bound : 0);
}

static void cancel_forward(ns_agent_conn *c, const ns_event *ev, int is_unix, const char *addr)
{
	uint32_t i;

	for (i = 0; i < NS_AGENT_RFWD_MAX; i++) {
		ns_agent_listen *l = c->lis[i];
		if (l != NULL && l->is_unix == is_unix && strcmp(l->addr, addr) == 0 &&
		    (is_unix || l->port == ev->fwd.port)) {
			close_listener(c, i);
			reply(c, ev, 1, 0);
			return;
		}
	}
	reply(c, ev, 0, 0);
}

void ns_agent_rfwd_request(ns_agent_conn *c, const ns_event *ev)
{
	ns_str t = ev->req.type;
	int is_unix = ns_str_eq(t, NS_GLOBAL_STREAMLOCAL_FORWARD) ||
	              ns_str_eq(t, NS_GLOBAL_CANCEL_STREAMLOCAL_FORWARD);
	int cancel = ns_str_eq(t, NS_GLOBAL_CANCEL_TCPIP_FORWARD) ||
	             ns_str_eq(t, NS_GLOBAL_CANCEL_STREAMLOCAL_FORWARD);
	char addr[NS_CHAN_PATH_MAX + 1], shown[NS_CHAN_PATH_MAX + 1], target[NS_CHAN_PATH_MAX + 16];

	memcpy(addr, ev->fwd.host.p, ev->fwd.host.len); /* no NUL: the parser checked */
	addr[ev->fwd.host.len] = '\0';
	ns_log_str(ev->fwd.host, shown, sizeof(shown));
	if (is_unix) {
		snprintf(target, sizeof(target), "%s", shown);
	} else {
		snprintf(target, sizeof(target), "%s:%u", shown, ev->fwd.port);
	}
	if (cancel) {
		cancel_forward(c, ev, is_unix, addr);
	} else if (c->host.no_port_fwd) {
		refused(c, is_unix ? NS_GLOBAL_STREAMLOCAL_FORWARD : NS_GLOBAL_TCPIP_FORWARD,
		        target, "no-permit-port-forwarding");
		reply(c, ev, 0, 0);
	} else {
		bind_forward(c, ev, is_unix, addr, target);
	}
}

/* The forwarded channel's open data (RFC 4254 7.2, OpenSSH PROTOCOL 2.4). */
static size_t open_data(const ns_agent_listen *l, int fd, uint8_t *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char ip[INET6_ADDRSTRLEN] = "";
	uint32_t port = 0;
	ns_buf b;

	if (!l->is_unix && getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof(ip));
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip,
			          sizeof(ip));
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		}
	}
	ns_buf_init_fixed(&b, out, cap);
	ns_wr_cstr(&b, l->addr); /* address that was connected / socket path */
	if (!l->is_unix) {
		ns_wr_u32(&b, l->port); /* port that was connected */
		ns_wr_cstr(&b, ip);     /* originator IP address */
		ns_wr_u32(&b, port);    /* originator port */
	} else {
		ns_wr_cstr(&b, ""); /* reserved */
	}
	return b.err ? 0 : b.len;
}

void ns_agent_rfwd_accept(ns_agent_conn *c, uint32_t idx)
{
	ns_agent_listen *l = idx < NS_AGENT_RFWD_MAX ? c->lis[idx] : NULL;
	uint8_t data[NS_CHAN_PATH_MAX + 64];
	char target[NS_CHAN_PATH_MAX + 16];
	ns_session *s;
	uint32_t id;
	size_t n;
	int i, fd;

	if (l == NULL || c->closing) {
		return;
	}
	if (l->is_unix) {
		snprintf(target, sizeof(target), "%s", l->addr);
	} else {
		snprintf(target, sizeof(target), "%s:%u", l->addr, l->port);
	}
	for (i = 0; i < NS_AGENT_RFWD_ACCEPTS; i++) {
		if ((fd = accept4(l->w.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
			return; /* EAGAIN, or an error the next wakeup sees again */
		}
		if (c->nsess >= c->agent->max_chans ||
		    (n = open_data(l, fd, data, sizeof(data))) == 0 ||
		    ns_session_fwd_accepted(&c->host, fd,
		                            l->is_unix ? NS_CHAN_FORWARDED_STREAMLOCAL
		                                       : NS_CHAN_FORWARDED_TCPIP,
		                            target, data, n, &s, &id) != 0) {
			refused(
			    c, l->is_unix ? NS_CHAN_FORWARDED_STREAMLOCAL : NS_CHAN_FORWARDED_TCPIP,
			    target,
			    c->nsess >= c->agent->max_chans ? "max-channels" : "open-failed");
			close(fd);
			continue;
		}
		ns_agent_conn_sess_put(c, id, s);
	}
}

void ns_agent_rfwd_free_all(ns_agent_conn *c)
{
	uint32_t i;

	for (i = 0; i < NS_AGENT_RFWD_MAX; i++) {
		close_listener(c, i);
	}
}
