/* The one engine pump of the client, the agent and the relay (issue 12):
 * bytes from a socket straight into the engine's receive buffer, bytes the
 * engine has out to the socket, and the engine's events to a handler, in
 * the order it raises them. The socket is behind two calls (ns_pump_io),
 * so a WebSocket framing or a test's script can stand in for it. */
#ifndef NS_PUMP_H
#define NS_PUMP_H

#include <stdint.h>
#include <sys/types.h>

#include "nullspace/engine.h"

typedef struct ns_pump_io {
	/* Read at most cap bytes into buf: how many (> 0), 0 at EOF, or -1
	 * with errno set (EAGAIN/EWOULDBLOCK: nothing now; EINTR: again). */
	ssize_t (*read)(void *ctx, uint8_t *buf, size_t cap);
	/* Write len bytes of buf: how many went (> 0), or -1 with errno set
	 * (EAGAIN/EWOULDBLOCK: full now; EINTR: again; else: the peer is
	 * gone). */
	ssize_t (*write)(void *ctx, const uint8_t *buf, size_t len);
	void *ctx;
} ns_pump_io;

/* Handles one event of the engine (NS_EV_DISCONNECT included). */
typedef void (*ns_pump_handler)(void *ctx, const ns_event *ev, uint64_t now);

/* A connection's pump state; zeroed to start. */
typedef struct ns_pump {
	int readable; /* the socket may have bytes (the caller sets it on
	                 readiness); cleared at EAGAIN */
	int wblocked; /* the last write hit EAGAIN; cleared by one that writes */
	int sock_eof; /* the socket ended: EOF or an error reading or writing */
	int eof_fed;  /* the engine was told (ns_engine_input_eof) */
	int done;     /* the engine reported NS_EV_DISCONNECT */
	int err;      /* errno of the read or write that ended the socket, or 0 */
	/* Optional: called before each read (which may move the engine's
	 * input) and once at the end of ns_pump_feed, so a caller holding
	 * views into that input (the agent's gathered stdin writes) uses them
	 * while they are valid. */
	void (*before_read)(void *arg);
	void *before_read_arg;
} ns_pump;

/* Write what the engine has out until it is empty or the socket is full:
 * 0, or NS_ERR_IO once the peer is gone (the output is dropped then,
 * sock_eof set, err says why). */
int ns_pump_flush(ns_pump *p, ns_engine *e, const ns_pump_io *io);
/* One read into the engine's receive buffer, handled at once: 1 if bytes
 * came; 0 when the engine's buffer is full, the socket has nothing
 * (readable cleared) or ended (sock_eof set; err for an error). */
int ns_pump_read(ns_pump *p, ns_engine *e, const ns_pump_io *io);
/* Bytes the engine buffered while an event was out, handled now: 1 if
 * any were (an event may be out again), 0 if none could be. */
int ns_pump_buffered(ns_pump *p, ns_engine *e);
/* Pull every event out to h until there is none or the engine reported
 * NS_EV_DISCONNECT (done set); an error pulling becomes that event. How
 * many were handled. */
int ns_pump_pull(ns_pump *p, ns_engine *e, ns_pump_handler h, void *ctx, uint64_t now);
/* Tell the engine the socket ended, once, when it holds no whole packet
 * it has not handled: 1 if told now (pull its events). */
int ns_pump_eof(ns_pump *p, ns_engine *e);
/* Events, buffered bytes and at most max_reads reads while readable, in
 * that order, until nothing moves or done; then the socket's end. 1 if
 * anything happened. */
int ns_pump_feed(ns_pump *p, ns_engine *e, const ns_pump_io *io, int max_reads, ns_pump_handler h,
                 void *ctx, uint64_t now);

/* ns_pump_io over a socket: ctx points to the int file descriptor. */
ssize_t ns_pump_sock_read(void *ctx, uint8_t *buf, size_t cap);
ssize_t ns_pump_sock_write(void *ctx, const uint8_t *buf, size_t len);

#endif
