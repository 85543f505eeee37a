/* A raw HTTP/1.1 client for tests of servers under attack (lib_http.h):
 * plain sockets and poll, so that a test controls every byte and sees the
 * moment the server hangs up. */
#include "lib_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t ns_http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ns_http_sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int ns_http_dial(const char *src, unsigned port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0) {
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	inet_pton(AF_INET, src, &a.sin_addr);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void ns_http_send(int fd, const char *p, size_t n)
{
	ssize_t k;

	while (n > 0 && (k = send(fd, p, n, MSG_NOSIGNAL)) > 0) {
		p += k;
		n -= (size_t)k;
	}
}

int ns_http_closed_within(int fd, int ms, char *buf, size_t cap)
{
	int64_t end = ns_http_now_ms() + ms;
	size_t len = 0;
	struct pollfd p = {fd, POLLIN, 0};
	ssize_t k;
	char junk[512];

	buf[0] = '\0';
	for (;;) {
		int64_t left = end - ns_http_now_ms();

		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			return 0;
		}
		k = len + 1 < cap ? recv(fd, buf + len, cap - 1 - len, 0)
		                  : recv(fd, junk, sizeof(junk), 0);
		if (k <= 0) {
			return 1; /* end of stream or reset */
		}
		if (len + 1 < cap) {
			len += (size_t)k;
			buf[len] = '\0';
		}
	}
}

int ns_http_request(const char *src, unsigned port, const char *text, size_t n, char *out,
                    size_t cap)
{
	int fd = ns_http_dial(src, port), status = -1;

	out[0] = '\0';
	if (fd < 0) {
		return -1;
	}
	ns_http_send(fd, text, n);
	if (ns_http_closed_within(fd, 10000, out, cap) &&
	    sscanf(out, "HTTP/1.1 %d", &status) != 1) {
		status = -1;
	}
	close(fd);
	return status;
}

long ns_http_trickle(int fd, const char *prefix, char drip, int max_ms, char *out, size_t cap)
{
	int64_t t0 = ns_http_now_ms();

	ns_http_send(fd, prefix, strlen(prefix));
	while (ns_http_now_ms() - t0 < max_ms) {
		if (ns_http_closed_within(fd, 100, out, cap)) {
			return (long)(ns_http_now_ms() - t0);
		}
		ns_http_send(fd, &drip, 1);
	}
	return -1;
}
