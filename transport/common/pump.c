/* The engine pump shared by the client, the agent and the relay: flush,
 * read straight into the engine, buffered input, events out, the socket's
 * end (pump.h). */
#include "pump.h"

#include <errno.h>
#include <sys/socket.h>

#include "nullspace/error.h"

static int again(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK;
}

int ns_pump_flush(ns_pump *p, ns_engine *e, const ns_pump_io *io)
{
	const uint8_t *out;
	size_t len;
	ssize_t n;

	for (;;) {
		out = ns_engine_output(e, &len);
		if (len == 0) {
			return 0;
		}
		n = io->write(io->ctx, out, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && again(errno)) {
			p->wblocked = 1;
			return 0;
		}
		if (n <= 0) {
			/* the peer is gone: what we had to say goes nowhere */
			p->err = n < 0 ? errno : EPIPE;
			ns_engine_output_ack(e, len);
			p->sock_eof = 1;
			return NS_ERR_IO;
		}
		p->wblocked = 0;
		ns_engine_output_ack(e, (size_t)n);
	}
}

/* The engine could not take bytes: unless it is closing already, the
 * connection ends (the engine's own failures come as its DISCONNECT). */
static void commit_failed(ns_engine *e)
{
	if (!ns_engine_closed(e)) {
		/* NS_ERR_CLOSED only: then it is closing already */
		(void)!ns_engine_disconnect(e, NS_DISC_PROTOCOL_ERROR, "protocol error");
	}
}

int ns_pump_read(ns_pump *p, ns_engine *e, const ns_pump_io *io)
{
	uint8_t *space;
	size_t room;
	ssize_t n;

	while (p->readable && !p->sock_eof) {
		if ((space = ns_engine_input_space(e, &room)) == NULL) {
			return 0; /* full until the engine's output drains */
		}
		n = io->read(io->ctx, space, room);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && again(errno)) {
			p->readable = 0;
			return 0;
		}
		if (n <= 0) {
			p->err = n < 0 ? errno : 0;
			p->sock_eof = 1;
			return 0;
		}
		if (ns_engine_input_commit(e, (size_t)n) != 0) {
			commit_failed(e);
		}
		return 1;
	}
	return 0;
}

int ns_pump_buffered(ns_pump *p, ns_engine *e)
{
	size_t before = ns_engine_input_pending(e);

	(void)p;
	if (before == 0) {
		return 0;
	}
	if (ns_engine_input_commit(e, 0) != 0) {
		commit_failed(e);
	}
	return ns_engine_input_pending(e) != before;
}

int ns_pump_pull(ns_pump *p, ns_engine *e, ns_pump_handler h, void *ctx, uint64_t now)
{
	ns_event ev = NS_EVENT_INIT;
	int n = 0, rc;

	while (!p->done) {
		rc = ns_engine_event(e, &ev); /* fills all of ev but its size */
		if (rc != 0) {
			ns_event_init(&ev);
			ev.type = NS_EV_DISCONNECT;
			ev.error = rc;
		} else if (ev.type == NS_EV_NONE) {
			break;
		}
		h(ctx, &ev, now);
		p->done |= ev.type == NS_EV_DISCONNECT;
		n += rc == 0;
	}
	return n;
}

int ns_pump_eof(ns_pump *p, ns_engine *e)
{
	if (!p->sock_eof || p->eof_fed || p->done || ns_engine_input_pending(e) > 0) {
		return 0;
	}
	p->eof_fed = 1;
	ns_engine_input_eof(e);
	return 1;
}

int ns_pump_feed(ns_pump *p, ns_engine *e, const ns_pump_io *io, int max_reads, ns_pump_handler h,
                 void *ctx, uint64_t now)
{
	int did = 0, reads = 0;

	for (;;) {
		did |= ns_pump_pull(p, e, h, ctx, now) > 0;
		if (p->done) {
			break;
		}
		if (ns_pump_buffered(p, e)) {
			did = 1;
			continue;
		}
		if (reads >= max_reads) {
			break;
		}
		if (p->before_read != NULL) {
			p->before_read(p->before_read_arg);
		}
		if (!ns_pump_read(p, e, io)) {
			break; /* nothing to read, or the engine waits for its output */
		}
		reads++;
		did = 1;
	}
	if (p->before_read != NULL) {
		p->before_read(p->before_read_arg);
	}
	if (ns_pump_eof(p, e)) {
		did |= ns_pump_pull(p, e, h, ctx, now) > 0;
	}
	return did;
}

ssize_t ns_pump_sock_read(void *ctx, uint8_t *buf, size_t cap)
{
	return recv(*(const int *)ctx, buf, cap, 0);
}

ssize_t ns_pump_sock_write(void *ctx, const uint8_t *buf, size_t len)
{
	return send(*(const int *)ctx, buf, len, MSG_NOSIGNAL);
}
