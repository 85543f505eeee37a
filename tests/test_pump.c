/* The one engine pump (transport/common/pump.c) over scripted sockets: a
 * client and a server engine joined by two byte queues whose writes take a
 * few bytes at a time and answer EAGAIN every other call, whose reads can
 * end (EOF) or fail. Events come out in the engine's order; EOF, a write
 * error and an engine error each end as one NS_EV_DISCONNECT. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib_pair.h"
#include "nullspace/error.h"
#include "pump.h"

#define QUEUE_MAX (1024 * 1024)
#define EVENTS_MAX 64
#define ROUNDS 2000

/* One direction of the wire. */
typedef struct queue {
	uint8_t buf[QUEUE_MAX];
	size_t off, len;
	int closed;       /* the writer is gone: EOF after what is left */
	int read_error;   /* errno the next read fails with, 0: none */
	int write_error;  /* errno every write fails with, 0: none */
	size_t write_cap; /* at most this much per write, 0: all */
	int flip;         /* writes answer EAGAIN every other call */
	int calls;
} queue;

/* One side: its engine, pump, queues and the events it saw. */
typedef struct side {
	ns_pair *pair;
	int idx; /* 0 client, 1 server */
	ns_engine *e;
	ns_pump pump;
	queue *in, *out;
	ns_pump_io io;
	int types[EVENTS_MAX];
	int nev, disc_error;
} side;

static ssize_t q_read(void *ctx, uint8_t *buf, size_t cap)
{
	side *s = ctx;
	queue *q = s->in;
	size_t n;

	if (q->read_error != 0) {
		errno = q->read_error;
		return -1;
	}
	if (q->len == 0) {
		if (q->closed) {
			return 0;
		}
		errno = EAGAIN;
		return -1;
	}
	n = q->len < cap ? q->len : cap;
	memcpy(buf, q->buf + q->off, n);
	q->off += n;
	q->len -= n;
	if (q->len == 0) {
		q->off = 0;
	}
	return (ssize_t)n;
}

static ssize_t q_write(void *ctx, const uint8_t *buf, size_t len)
{
	side *s = ctx;
	queue *q = s->out;

	if (q->write_error != 0) {
		errno = q->write_error;
		return -1;
	}
	if (q->flip && (q->calls++ & 1) == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (q->write_cap != 0 && len > q->write_cap) {
		len = q->write_cap;
	}
	assert_true(q->off + q->len + len <= QUEUE_MAX);
	memcpy(q->buf + q->off + q->len, buf, len);
	q->len += len;
	return (ssize_t)len;
}

static void handler(void *ctx, const ns_event *ev, uint64_t now)
{
	side *s = ctx;
	ns_pair *p = s->pair;

	(void)now;
	if (s->nev < EVENTS_MAX) {
		s->types[s->nev++] = ev->type;
	}
	switch (ev->type) {
	case NS_EV_HOSTKEY:
		assert_int_equal(
		    ns_engine_hostkey_verdict(s->e, memcmp(ev->hostkey, p->host_key.pk, 32) == 0),
		    0);
		break;
	case NS_EV_AUTH_READY:
		assert_int_equal(ns_engine_auth_publickey(s->e, "user", &p->user_key, 0), 0);
		break;
	case NS_EV_AUTH_REQUEST:
		assert_int_equal(ns_engine_auth_verdict(s->e, ev->key_parsed), 0);
		break;
	case NS_EV_DISCONNECT: s->disc_error = ev->error; break;
	default: break;
	}
}

typedef struct wire {
	ns_pair pair;
	queue c2s, s2c;
	side s[2];
} wire;

static wire *wire_new(void)
{
	wire *w = calloc(1, sizeof(*w));
	int i;

	assert_non_null(w);
	assert_int_equal(ns_pair_init(&w->pair, NULL, NULL), 0);
	for (i = 0; i < 2; i++) {
		side *s = &w->s[i];
		s->pair = &w->pair;
		s->idx = i;
		s->e = w->pair.e[i];
		s->in = i == 0 ? &w->s2c : &w->c2s;
		s->out = i == 0 ? &w->c2s : &w->s2c;
		s->io.read = q_read;
		s->io.write = q_write;
		s->io.ctx = s;
	}
	return w;
}

static void wire_free(wire *w)
{
	ns_pair_free(&w->pair);
	free(w);
}

/* One turn of each side: flush, then feed what came. */
static void turn(wire *w)
{
	int i;

	for (i = 0; i < 2; i++) {
		side *s = &w->s[i];
		(void)ns_pump_flush(&s->pump, s->e, &s->io);
		s->pump.readable = 1;
		(void)ns_pump_feed(&s->pump, s->e, &s->io, 16, handler, s, 0);
		(void)ns_pump_flush(&s->pump, s->e, &s->io);
	}
}

static int seen(const side *s, int type)
{
	int i;

	for (i = 0; i < s->nev; i++) {
		if (s->types[i] == type) {
			return i;
		}
	}
	return -1;
}

/* Writes of 7 bytes at most, EAGAIN every other call, both ways: the
 * handshake and the login complete, the client's events in order. */
static void test_partial_writes_and_eagain(void **state)
{
	wire *w = wire_new();
	int i;

	(void)state;
	w->c2s.write_cap = w->s2c.write_cap = 7;
	w->c2s.flip = w->s2c.flip = 1;
	for (i = 0; i < ROUNDS && !ns_engine_authenticated(w->s[1].e); i++) {
		turn(w);
	}
	for (i = 0; i < 20; i++) {
		turn(w);
	}
	assert_true(ns_engine_authenticated(w->s[1].e));
	assert_true(seen(&w->s[0], NS_EV_HOSTKEY) >= 0);
	assert_true(seen(&w->s[0], NS_EV_HOSTKEY) < seen(&w->s[0], NS_EV_AUTH_READY));
	assert_true(seen(&w->s[0], NS_EV_AUTH_READY) < seen(&w->s[0], NS_EV_AUTH_SUCCESS));
	assert_true(seen(&w->s[1], NS_EV_AUTH_REQUEST) >= 0);
	assert_int_equal(seen(&w->s[0], NS_EV_DISCONNECT), -1);
	assert_int_equal(w->s[0].pump.sock_eof, 0);
	assert_int_equal(w->s[1].pump.done, 0);
	wire_free(w);
}

/* A write that hits EAGAIN keeps the output and says so; one that goes
 * clears it. */
static void test_eagain_keeps_output(void **state)
{
	wire *w = wire_new();
	size_t before, after;
	side *c = &w->s[0];

	(void)state;
	ns_engine_output(c->e, &before);
	assert_true(before > 0); /* the version line */
	w->c2s.flip = 1;
	assert_int_equal(ns_pump_flush(&c->pump, c->e, &c->io), 0);
	assert_int_equal(c->pump.wblocked, 1);
	ns_engine_output(c->e, &after);
	assert_int_equal(after, before);
	assert_int_equal(ns_pump_flush(&c->pump, c->e, &c->io), 0);
	assert_int_equal(c->pump.wblocked, 0);
	ns_engine_output(c->e, &after);
	assert_int_equal(after, 0);
	assert_int_equal(w->c2s.len, before);
	wire_free(w);
}

/* The peer is gone (EPIPE): NS_ERR_IO, the output dropped, the socket
 * ended; the engine then learns it and reports one DISCONNECT. */
static void test_write_error_ends_the_socket(void **state)
{
	wire *w = wire_new();
	side *c = &w->s[0];
	size_t left;

	(void)state;
	w->c2s.write_error = EPIPE;
	assert_int_equal(ns_pump_flush(&c->pump, c->e, &c->io), NS_ERR_IO);
	assert_int_equal(c->pump.sock_eof, 1);
	assert_int_equal(c->pump.err, EPIPE);
	ns_engine_output(c->e, &left);
	assert_int_equal(left, 0);
	(void)ns_pump_feed(&c->pump, c->e, &c->io, 16, handler, c, 0);
	assert_int_equal(c->pump.eof_fed, 1);
	assert_int_equal(c->pump.done, 1);
	assert_int_equal(c->nev, 1);
	assert_int_equal(c->types[0], NS_EV_DISCONNECT);
	wire_free(w);
}

/* EOF from the peer after the login: the engine hears it once it has
 * handled every whole packet, and the pump stops at its DISCONNECT. */
static void test_eof_after_login(void **state)
{
	wire *w = wire_new();
	side *s = &w->s[1];
	int i, n;

	(void)state;
	for (i = 0; i < ROUNDS && !ns_engine_authenticated(s->e); i++) {
		turn(w);
	}
	assert_true(ns_engine_authenticated(s->e));
	n = s->nev;
	w->c2s.closed = 1;
	s->pump.readable = 1;
	assert_int_equal(ns_pump_feed(&s->pump, s->e, &s->io, 16, handler, s, 0), 1);
	assert_int_equal(s->pump.sock_eof, 1);
	assert_int_equal(s->pump.eof_fed, 1);
	assert_int_equal(s->pump.done, 1);
	assert_int_equal(s->nev, n + 1);
	assert_int_equal(s->types[n], NS_EV_DISCONNECT);
	assert_int_equal(s->disc_error, NS_ERR_CLOSED);
	/* nothing more after it */
	assert_int_equal(ns_pump_feed(&s->pump, s->e, &s->io, 16, handler, s, 0), 0);
	assert_int_equal(s->nev, n + 1);
	wire_free(w);
}

/* Bytes the engine refuses (a corrupted packet after the login): its
 * error comes out as the one DISCONNECT, with the error. */
static void test_engine_error(void **state)
{
	wire *w = wire_new();
	side *s = &w->s[1];
	int i;

	(void)state;
	for (i = 0; i < ROUNDS && !ns_engine_authenticated(s->e); i++) {
		turn(w);
	}
	assert_true(ns_engine_authenticated(s->e));
	memset(w->c2s.buf, 0xA5, 256); /* not a packet of this key */
	w->c2s.off = 0;
	w->c2s.len = 256;
	s->pump.readable = 1;
	(void)ns_pump_feed(&s->pump, s->e, &s->io, 16, handler, s, 0);
	assert_int_equal(s->pump.done, 1);
	assert_int_equal(s->types[s->nev - 1], NS_EV_DISCONNECT);
	assert_true(s->disc_error < 0);
	assert_int_not_equal(s->disc_error, NS_ERR_CLOSED);
	wire_free(w);
}

/* A read error ends the socket like EOF, its errno kept. */
static void test_read_error(void **state)
{
	wire *w = wire_new();
	side *s = &w->s[1];

	(void)state;
	w->c2s.read_error = ECONNRESET;
	s->pump.readable = 1;
	assert_int_equal(ns_pump_read(&s->pump, s->e, &s->io), 0);
	assert_int_equal(s->pump.sock_eof, 1);
	assert_int_equal(s->pump.err, ECONNRESET);
	assert_int_equal(ns_pump_eof(&s->pump, s->e), 1);
	assert_int_equal(ns_pump_eof(&s->pump, s->e), 0); /* once */
	wire_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_partial_writes_and_eagain),
	    cmocka_unit_test(test_eagain_keeps_output),
	    cmocka_unit_test(test_write_error_ends_the_socket),
	    cmocka_unit_test(test_eof_after_login),
	    cmocka_unit_test(test_engine_error),
	    cmocka_unit_test(test_read_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
