/* The client's socket pump: moves bytes between a non-blocking socket and
 * the engine, pulls events, waits in poll() with the engine's timers and
 * passes it the time (clock.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "client_int.h"
#include "log_str.h"

int ns_cio_fail(ns_client *c, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	return rc;
}

int ns_cio_flush(ns_client *c)
{
	const uint8_t *p;
	size_t len;
	ssize_t n;

	for (;;) {
		p = ns_engine_output(c->e, &len);
		if (len == 0 || c->fd < 0) {
			return 0;
		}
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return 0;
		}
		if (n < 0) {
			/* The peer is gone: drop what we had to say. */
			ns_engine_output_ack(c->e, len);
			c->sock_eof = 1;
			return ns_cio_fail(c, NS_ERR_IO, "send to %s: %s", c->host,
			                   strerror(errno));
		}
		ns_engine_output_ack(c->e, (size_t)n);
	}
}

static int pull(ns_client *c, ns_event *ev)
{
	int rc = ns_engine_event(c->e, ev);

	if (rc == 0 && ev->type == NS_EV_DISCONNECT) {
		c->gone = 1;
		c->gone_err = ev->error ? ev->error : NS_ERR_CLOSED;
	}
	return rc;
}

int ns_cio_event(ns_client *c, ns_event *ev)
{
	size_t n;
	int rc;

	if ((rc = pull(c, ev)) != 0 || ev->type != NS_EV_NONE) {
		return rc;
	}
	while (c->roff < c->rlen && !ns_engine_closed(c->e)) {
		n = 0;
		ns_engine_input(c->e, c->rbuf + c->roff, c->rlen - c->roff, &n);
		c->roff += n;
		if ((rc = pull(c, ev)) != 0 || ev->type != NS_EV_NONE) {
			return rc;
		}
		if (n == 0) {
			break; /* paused until our output drains */
		}
	}
	if (c->roff == c->rlen) {
		c->roff = c->rlen = 0;
	}
	if (c->sock_eof && c->rlen == 0 && !c->eof_fed) {
		c->eof_fed = 1;
		ns_engine_input_eof(c->e);
		return pull(c, ev);
	}
	return 0;
}

static void read_socket(ns_client *c)
{
	ssize_t n;

	if (c->roff > 0) {
		memmove(c->rbuf, c->rbuf + c->roff, c->rlen - c->roff);
		c->rlen -= c->roff;
		c->roff = 0;
	}
	while (c->rlen < sizeof(c->rbuf)) {
		n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, 0);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		}
		if (n <= 0) {
			if (n < 0) {
				ns_cio_fail(c, NS_ERR_IO, "read from %s: %s", c->host,
				            strerror(errno));
			}
			c->sock_eof = 1;
			return;
		}
		c->rlen += (size_t)n;
	}
}

static int poll_timeout(ns_client *c, uint64_t now, uint64_t deadline_ms)
{
	uint64_t t = ns_engine_next_timeout(c->e, now);

	if (deadline_ms != UINT64_MAX) {
		uint64_t left = deadline_ms > now ? deadline_ms - now : 0;
		t = left < t ? left : t;
	}
	return t > 60000 ? 60000 : (int)t;
}

int ns_cio_wait(ns_client *c, struct pollfd *fds, int n, uint64_t deadline_ms)
{
	uint64_t now = ns_clock_ms();
	size_t pending;
	int r;

	if (deadline_ms != UINT64_MAX && now >= deadline_ms) {
		return NS_ERR_TIMEOUT;
	}
	ns_engine_output(c->e, &pending);
	fds[0].fd = c->sock_eof ? -1 : c->fd;
	fds[0].events = 0;
	fds[0].revents = 0;
	if (c->rlen < sizeof(c->rbuf)) {
		fds[0].events |= POLLIN;
	}
	if (pending > 0) {
		fds[0].events |= POLLOUT;
	}
	r = poll(fds, (nfds_t)n, poll_timeout(c, now, deadline_ms));
	if (r < 0 && errno != EINTR) {
		return ns_cio_fail(c, NS_ERR_IO, "poll: %s", strerror(errno));
	}
	if (r > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
		read_socket(c);
	}
	if (r > 0 && (fds[0].revents & POLLOUT)) {
		ns_cio_flush(c);
	}
	/* A failed tick (keepalives unanswered) arrives as NS_EV_DISCONNECT. */
	ns_engine_tick(c->e, ns_clock_ms());
	return 0;
}

int ns_cio_disconnected(ns_client *c, const ns_event *ev)
{
	int rc = ev->error ? ev->error : NS_ERR_CLOSED;
	char msg[NS_CLIENT_ERR_MAX]; /* a failed negotiation quotes both lists */

	ns_log_text(ev->message, msg, sizeof(msg));
	if (ev->by_peer) {
		return ns_cio_fail(c, NS_ERR_DISCONNECTED, "%s closed the connection: %s", c->host,
		                   msg);
	}
	if (c->err[0] != '\0' && rc == NS_ERR_CLOSED) {
		return rc; /* a socket error already said more */
	}
	return ns_cio_fail(c, rc, "connection to %s ended: %s (%s)", c->host, msg, ns_strerror(rc));
}
