/* Small helpers of `nullspace up`: its log lines (UTC time, "nullspace up:"
 * prefix, on stderr), listen addresses ("HOST:PORT", "[V6]:PORT") and the
 * check, before the relay starts, that no one listens on its address. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "up_int.h"

void ns_up_log(const char *fmt, ...)
{
	char line[1024];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	gmtime_r(&now, &tm);
	fprintf(stderr, "%02d:%02d:%02d nullspace up: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
	        line);
}

void ns_up_log_line(void *ud, const char *line)
{
	(void)ud;
	ns_up_log("%s", line);
}

static int is_ip(const char *host, int *v6)
{
	unsigned char buf[sizeof(struct in6_addr)];

	*v6 = 0;
	if (inet_pton(AF_INET, host, buf) == 1) {
		return 1;
	}
	*v6 = 1;
	return inet_pton(AF_INET6, host, buf) == 1;
}

int ns_up_parse_addr(const char *s, char *host, size_t cap, unsigned *port)
{
	const char *colon, *h = s;
	size_t hlen;
	char *end = NULL;
	unsigned long p;
	int v6;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || close[1] != ':') {
			return NS_ERR_INVALID;
		}
		h = s + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		if ((colon = strchr(s, ':')) == NULL || strchr(colon + 1, ':') != NULL) {
			return NS_ERR_INVALID;
		}
		hlen = (size_t)(colon - s);
	}
	if (hlen == 0 || hlen >= cap || colon[1] < '1' || colon[1] > '9') {
		return NS_ERR_INVALID;
	}
	p = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || p > 65535) {
		return NS_ERR_INVALID;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (!is_ip(host, &v6) || v6 != (s[0] == '[')) {
		return NS_ERR_INVALID;
	}
	*port = (unsigned)p;
	return 0;
}

const char *ns_up_local_host(const char *host)
{
	if (strcmp(host, "0.0.0.0") == 0) {
		return "127.0.0.1";
	}
	if (strcmp(host, "::") == 0) {
		return "::1";
	}
	return host;
}

void ns_up_format_addr(const char *host, unsigned port, char *out, size_t cap)
{
	snprintf(out, cap, strchr(host, ':') != NULL ? "[%s]:%u" : "%s:%u", host, port);
}

int ns_up_tcp_accepts(const char *host, unsigned port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd, ok;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		len = sizeof(*a6);
	} else {
		return 0;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		return 0;
	}
	ok = connect(fd, (struct sockaddr *)&ss, len) == 0;
	close(fd);
	return ok;
}
