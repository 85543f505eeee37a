/* Non-blocking connect (transport/net.h): parse the endpoint spec,
 * resolve it (numeric hosts never block), start connect() on a
 * non-blocking socket and read SO_ERROR once it is writable. */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "net.h"
#include "nullspace/error.h"

#define HOST_MAX 256
#define UNIX_PREFIX "unix:"

/* "HOST:PORT" or "[V6]:PORT" into host and port text. */
static int split(const char *spec, char host[HOST_MAX], char port[8])
{
	const char *end, *colon;
	size_t hlen;

	if (spec[0] == '[') {
		end = strchr(spec, ']');
		if (end == NULL || end[1] != ':') {
			return NS_ERR_INVALID;
		}
		hlen = (size_t)(end - spec - 1);
		spec++;
		colon = end + 1;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL || memchr(spec, ':', (size_t)(colon - spec)) != NULL) {
			return NS_ERR_INVALID;
		}
		hlen = (size_t)(colon - spec);
	}
	if (hlen == 0 || hlen >= HOST_MAX || strlen(colon + 1) == 0 || strlen(colon + 1) > 5 ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1)) {
		return NS_ERR_INVALID;
	}
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	snprintf(port, 8, "%s", colon + 1);
	return 0;
}

static int start_unix(const char *path, char *err, size_t cap)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (path[0] == '\0' || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, cap, "bad unix socket path");
		return NS_ERR_INVALID;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, cap, "socket: %s", strerror(errno));
		return NS_ERR_IO;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 && errno != EINPROGRESS &&
	    errno != EAGAIN) {
		snprintf(err, cap, "connect: %s", strerror(errno));
		close(fd);
		return NS_ERR_IO;
	}
	return fd;
}

static int resolve(const char *host, const char *port, struct addrinfo **res)
{
	struct addrinfo hints;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	if (getaddrinfo(host, port, &hints, res) == 0) {
		return 0;
	}
	hints.ai_flags = AI_NUMERICSERV;
	return getaddrinfo(host, port, &hints, res);
}

int ns_net_connect_start(const char *spec, char *err, size_t cap)
{
	struct addrinfo *res = NULL;
	char host[HOST_MAX], port[8];
	int fd, one = 1, gai;

	if (spec == NULL) {
		return NS_ERR_INVALID;
	}
	if (strncmp(spec, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0) {
		return start_unix(spec + strlen(UNIX_PREFIX), err, cap);
	}
	if (split(spec, host, port) != 0) {
		snprintf(err, cap, "bad endpoint");
		return NS_ERR_INVALID;
	}
	if ((gai = resolve(host, port, &res)) != 0) {
		snprintf(err, cap, "resolve: %s", gai_strerror(gai));
		return NS_ERR_NOTFOUND;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	            res->ai_protocol);
	if (fd < 0) {
		snprintf(err, cap, "socket: %s", strerror(errno));
		fd = NS_ERR_IO;
		goto out;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, res->ai_addr, res->ai_addrlen) != 0 && errno != EINPROGRESS) {
		snprintf(err, cap, "connect: %s", strerror(errno));
		close(fd);
		fd = NS_ERR_IO;
	}
out:
	freeaddrinfo(res);
	return fd;
}

int ns_net_connect_finish(int fd)
{
	socklen_t len = sizeof(int);
	int soerr = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0) {
		return errno;
	}
	return soerr;
}
