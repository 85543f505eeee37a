/* The client's socket pump: moves bytes between a non-blocking socket and
 * the engine (read straight into its receive buffer), pulls events, waits in
 * poll() with the engine's timers and passes it the time (clock.c). */
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

static ns_pump_io sock_io(ns_client *c)
{
	ns_pump_io io = {ns_pump_sock_read, ns_pump_sock_write, &c->fd};

	return io;
}

int ns_cio_flush(ns_client *c)
{
	ns_pump_io io = sock_io(c);

	if (c->fd < 0 || ns_pump_flush(&c->pump, c->e, &io) == 0) {
		return 0;
	}
	/* The peer is gone: what we had to say was dropped. */
	return ns_cio_fail(c, NS_ERR_IO, "send to %s: %s", c->host, strerror(c->pump.err));
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
	int rc, moved;

	if ((rc = pull(c, ev)) != 0 || ev->type != NS_EV_NONE) {
		return rc;
	}
	/* what waited in the engine's buffer while an event was out */
	while (ns_engine_input_pending(c->e) > 0 && !ns_engine_closed(c->e)) {
		moved = ns_pump_buffered(&c->pump, c->e);
		if ((rc = pull(c, ev)) != 0 || ev->type != NS_EV_NONE) {
			return rc;
		}
		if (!moved) {
			break; /* paused until our output drains */
		}
	}
	if (ns_pump_eof(&c->pump, c->e)) {
		return pull(c, ev);
	}
	return 0;
}

/* Read the socket straight into the engine's buffer, where its packets
 * are decrypted in place: until the socket is drained, the buffer is full
 * or NS_CLIENT_READS reads were made. */
static void read_socket(ns_client *c)
{
	ns_pump_io io = sock_io(c);
	int reads = 0, ended = c->pump.sock_eof;

	c->pump.readable = 1;
	while (reads < NS_CLIENT_READS && ns_pump_read(&c->pump, c->e, &io)) {
		reads++;
		if (ns_engine_input_pending(c->e) > 0) {
			return; /* an event is out: the caller pulls it first */
		}
	}
	if (!ended && c->pump.sock_eof && c->pump.err != 0) {
		ns_cio_fail(c, NS_ERR_IO, "read from %s: %s", c->host, strerror(c->pump.err));
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
	fds[0].fd = c->pump.sock_eof ? -1 : c->fd;
	fds[0].events = 0;
	fds[0].revents = 0;
	if (ns_engine_input_pending(c->e) == 0) {
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
	ns_call_check(c->e, NULL, "client", 0, "engine_tick", ns_engine_tick(c->e, ns_clock_ms()));
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
