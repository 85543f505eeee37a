/* Socket helpers (transport/net.h): TCP and unix listen/connect, address
 * parsing, non-blocking mode, peer names. Returned sockets are blocking and
 * close-on-exec; callers switch them with ns_net_set_nonblock(). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "net.h"
#include "nullspace/error.h"

#define LISTEN_BACKLOG 1024
#define HOST_MAX 256
#define UNIX_PREFIX "unix:"
#define FD_PREFIX "fd:"
#define FD_MAX 65535

static void seterr(char *err, size_t cap, const char *fmt, const char *a, const char *b)
{
	if (err != NULL && cap > 0) {
		snprintf(err, cap, fmt, a, b);
	}
}

static int parse_port(const char *s, unsigned *port)
{
	char *end = NULL;
	long v;

	if (*s < '0' || *s > '9') {
		return NS_ERR_INVALID;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > 65535) {
		return NS_ERR_INVALID;
	}
	*port = (unsigned)v;
	return 0;
}

/* "HOST:PORT" or "[V6]:PORT" into host (empty or "*" means any) and port. */
static int split_spec(const char *spec, char host[HOST_MAX], unsigned *port)
{
	const char *colon;
	size_t hlen;

	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');
		if (close == NULL || close[1] != ':') {
			return NS_ERR_INVALID;
		}
		hlen = (size_t)(close - spec - 1);
		if (hlen == 0 || hlen >= HOST_MAX) {
			return NS_ERR_INVALID;
		}
		memcpy(host, spec + 1, hlen);
		host[hlen] = '\0';
		return parse_port(close + 2, port);
	}
	colon = strrchr(spec, ':');
	if (colon == NULL || memchr(spec, ':', (size_t)(colon - spec)) != NULL) {
		return NS_ERR_INVALID;
	}
	hlen = (size_t)(colon - spec);
	if (hlen >= HOST_MAX) {
		return NS_ERR_INVALID;
	}
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	return parse_port(colon + 1, port);
}

static int unix_addr(const char *path, struct sockaddr_un *sa, char *err, size_t cap)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (path[0] == '\0' || strlen(path) >= sizeof(sa->sun_path)) {
		seterr(err, cap, "unix socket path '%s'%s is empty or too long", path, "");
		return NS_ERR_INVALID;
	}
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/* A socket file nobody listens on is stale: remove it. A live one is in use. */
static int remove_stale(const struct sockaddr_un *sa, char *err, size_t cap)
{
	struct stat st;
	int fd, r;

	if (lstat(sa->sun_path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
		return 0; /* absent, or not a socket: bind reports it */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		return 0;
	}
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	if (r == 0) {
		seterr(err, cap, "unix socket %s%s is in use by a running server", sa->sun_path,
		       "");
		return NS_ERR_IO;
	}
	if (errno == ECONNREFUSED) {
		unlink(sa->sun_path);
	}
	return 0;
}

static int listen_unix(const char *path, char *err, size_t cap)
{
	struct sockaddr_un sa;
	int fd, r;

	if ((r = unix_addr(path, &sa, err, cap)) != 0 || (r = remove_stale(&sa, err, cap)) != 0) {
		return r;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		seterr(err, cap, "socket: %s%s", strerror(errno), "");
		return NS_ERR_IO;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		seterr(err, cap, "listen on unix:%s: %s", path, strerror(errno));
		close(fd);
		return NS_ERR_IO;
	}
	return fd;
}

static int listen_ai(const struct addrinfo *ai, int *saved_errno)
{
	int one = 1;
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);

	if (fd < 0) {
		*saved_errno = errno;
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, LISTEN_BACKLOG) != 0) {
		*saved_errno = errno;
		close(fd);
		return -1;
	}
	return fd;
}

/* "fd:N": a listening stream socket the parent opened for us (the sandbox
 * runtime binds the agent's socket where the sandbox cannot replace it). */
static int listen_inherited(const char *num, char *err, size_t cap)
{
	int fd = 0, on = 0, type = 0;
	socklen_t len = sizeof(on);
	const char *c;

	for (c = num; *c >= '0' && *c <= '9' && fd <= FD_MAX; c++) {
		fd = fd * 10 + (*c - '0');
	}
	if (c == num || *c != '\0' || fd > FD_MAX || fd < 3) {
		seterr(err, cap, "bad listen address 'fd:%s'%s (want fd:N with N from 3)", num, "");
		return NS_ERR_INVALID;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) != 0 || !on ||
	    (len = sizeof(type), getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len)) != 0 ||
	    type != SOCK_STREAM) {
		seterr(err, cap, "listen on fd:%s: %s", num, "not a listening stream socket");
		return NS_ERR_INVALID;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
		seterr(err, cap, "listen on fd:%s: %s", num, strerror(errno));
		return NS_ERR_IO;
	}
	return fd;
}

int ns_net_listen(const char *spec, char *err, size_t cap)
{
	struct addrinfo hints, *res = NULL, *ai;
	char host[HOST_MAX], portstr[8];
	unsigned port = 0;
	int fd = NS_ERR_IO, gai, saved = 0;

	if (spec == NULL) {
		return NS_ERR_INVALID;
	}
	if (strncmp(spec, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0) {
		return listen_unix(spec + strlen(UNIX_PREFIX), err, cap);
	}
	if (strncmp(spec, FD_PREFIX, strlen(FD_PREFIX)) == 0) {
		return listen_inherited(spec + strlen(FD_PREFIX), err, cap);
	}
	if (split_spec(spec, host, &port) != 0) {
		seterr(err, cap,
		       "bad listen address '%s'%s (want HOST:PORT, [V6]:PORT, unix:PATH or fd:N)",
		       spec, "");
		return NS_ERR_INVALID;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%u", port);
	gai = getaddrinfo((host[0] == '\0' || strcmp(host, "*") == 0) ? NULL : host, portstr,
	                  &hints, &res);
	if (gai != 0) {
		seterr(err, cap, "listen on %s: %s", spec, gai_strerror(gai));
		return NS_ERR_NOTFOUND;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = listen_ai(ai, &saved);
		if (fd >= 0) {
			goto out;
		}
	}
	fd = NS_ERR_IO;
	seterr(err, cap, "listen on %s: %s", spec, strerror(saved));
out:
	freeaddrinfo(res);
	return fd;
}

static int connect_unix(const char *path, char *err, size_t cap)
{
	struct sockaddr_un sa;
	int fd, r;

	if ((r = unix_addr(path, &sa, err, cap)) != 0) {
		return r;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		seterr(err, cap, "socket: %s%s", strerror(errno), "");
		return NS_ERR_IO;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		seterr(err, cap, "connect to unix:%s: %s", path, strerror(errno));
		close(fd);
		return NS_ERR_IO;
	}
	return fd;
}

/* Wait for a non-blocking connect; 0, or an errno value (ETIMEDOUT). */
static int wait_connect(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};
	socklen_t len = sizeof(int);
	int r, soerr = 0;

	do {
		r = poll(&p, 1, timeout_ms < 0 ? -1 : timeout_ms);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		return errno;
	}
	if (r == 0) {
		return ETIMEDOUT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0) {
		return errno;
	}
	return soerr;
}

/* One address; the socket comes back blocking. -1 with *saved_errno set. */
static int connect_ai(const struct addrinfo *ai, int timeout_ms, int *saved_errno)
{
	int one = 1, e = 0;
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);

	if (fd < 0) {
		*saved_errno = errno;
		return -1;
	}
	ns_net_set_nonblock(fd, 1);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		e = (errno == EINPROGRESS) ? wait_connect(fd, timeout_ms) : errno;
	}
	if (e != 0) {
		*saved_errno = e;
		close(fd);
		return -1;
	}
	ns_net_set_nonblock(fd, 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int ns_net_connect_ms(const char *host, unsigned port, int timeout_ms, char *err, size_t cap)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[8];
	int fd = NS_ERR_IO, gai, saved = 0;

	if (host == NULL || port > 65535) {
		return NS_ERR_INVALID;
	}
	if (strncmp(host, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0) {
		return connect_unix(host + strlen(UNIX_PREFIX), err, cap);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(portstr, sizeof(portstr), "%u", port);
	gai = getaddrinfo(host, portstr, &hints, &res);
	if (gai != 0) {
		seterr(err, cap, "cannot resolve %s: %s", host, gai_strerror(gai));
		return NS_ERR_NOTFOUND;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = connect_ai(ai, timeout_ms, &saved);
		if (fd >= 0) {
			goto out;
		}
	}
	fd = saved == ETIMEDOUT ? NS_ERR_TIMEOUT : NS_ERR_IO;
	if (err != NULL && cap > 0) {
		snprintf(err, cap, "connect to %s port %u: %s", host, port,
		         saved == ETIMEDOUT ? "connection timed out" : strerror(saved));
	}
out:
	freeaddrinfo(res);
	return fd;
}

int ns_net_connect(const char *host, unsigned port, char *err, size_t cap)
{
	return ns_net_connect_ms(host, port, -1, err, cap);
}

int ns_net_set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0) {
		return NS_ERR_IO;
	}
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	if (fcntl(fd, F_SETFL, fl) != 0) {
		return NS_ERR_IO;
	}
	return 0;
}

/* The address of ss as text (IPv4-mapped IPv6 shown as IPv4) and its port;
 * "?" and 0 for what is not IP. */
static void addr_text(const struct sockaddr_storage *ss, char *ip, size_t cap, unsigned *port)
{
	snprintf(ip, cap, "?");
	*port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &a->sin_addr, ip, (socklen_t)cap);
		*port = ntohs(a->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)ss;
		if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
			inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], ip, (socklen_t)cap);
		} else {
			inet_ntop(AF_INET6, &a6->sin6_addr, ip, (socklen_t)cap);
		}
		*port = ntohs(a6->sin6_port);
	}
}

void ns_net_peer_name(int fd, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char ip[INET6_ADDRSTRLEN];
	unsigned port;

	if (out == NULL || cap == 0) {
		return;
	}
	memset(&ss, 0, sizeof(ss));
	if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0) {
		snprintf(out, cap, "?");
		return;
	}
	if (ss.ss_family == AF_UNIX) {
		snprintf(out, cap, "unix");
		return;
	}
	addr_text(&ss, ip, sizeof(ip), &port);
	snprintf(out, cap, "%s", ip);
}

void ns_net_conn_addr(int fd, char *out, size_t cap)
{
	struct sockaddr_storage peer, local;
	socklen_t plen = sizeof(peer), llen = sizeof(local);
	char pip[INET6_ADDRSTRLEN], lip[INET6_ADDRSTRLEN];
	unsigned pport, lport;

	if (out == NULL || cap == 0) {
		return;
	}
	memset(&peer, 0, sizeof(peer));
	memset(&local, 0, sizeof(local));
	if (getpeername(fd, (struct sockaddr *)&peer, &plen) != 0 ||
	    getsockname(fd, (struct sockaddr *)&local, &llen) != 0 ||
	    (peer.ss_family != AF_INET && peer.ss_family != AF_INET6)) {
		snprintf(out, cap, "UNKNOWN 65535 UNKNOWN 65535"); /* as sshd, e.g. a Unix socket */
		return;
	}
	addr_text(&peer, pip, sizeof(pip), &pport);
	addr_text(&local, lip, sizeof(lip), &lport);
	snprintf(out, cap, "%s %u %s %u", pip, pport, lip, lport);
}
