/* The relay's timer scan (ns_relay_conn_tick): a connection's timers run
 * when the time its last pump or tick computed has come, not at every scan
 * (with 2,000 connections held, asking every engine at every scan was most
 * of the relay's CPU during a new login). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib_pair.h"
#include "nullspace/engine.h"
#include "nullspace/error.h"
#include "relay_int.h"

typedef struct world {
	ns_pair up; /* user <-> the relay's front engine */
	ns_relay r;
	uint32_t dirty[4];
	uint64_t due[1];
	ns_relay_conn *c;
} world;

static void world_init(world *w)
{
	memset(w, 0, sizeof(*w));
	assert_int_equal(ns_pair_init(&w->up, NULL, NULL), 0);
	assert_int_equal(ns_pair_connect(&w->up), 0);
	w->r.log = tmpfile();
	assert_non_null(w->r.log);
	w->r.dirty = w->dirty;
	w->r.due = w->due;
	w->c = calloc(1, sizeof(*w->c));
	assert_non_null(w->c);
	w->c->r = &w->r;
	w->c->front.e = w->up.e[1];
	snprintf(w->c->peer, sizeof(w->c->peer), "192.0.2.7");
}

static void world_free(world *w)
{
	free(w->c);
	fclose(w->r.log);
	ns_pair_free(&w->up);
}

/* A timer that came since the last computed time waits for that time; then
 * it runs, and the next time is computed anew. */
static void test_tick_waits_for_due(void **state)
{
	world w;
	uint64_t now = 1000000, due;

	(void)state;
	world_init(&w);
	w.c->grace_deadline = now - 1; /* the login grace time is over ... */
	w.r.due[0] = now + 500;        /* ... but the last pump said: in 500 ms */
	assert_int_equal(ns_relay_conn_tick(w.c, now), now + 500);
	assert_int_equal(w.c->grace_deadline, now - 1); /* not judged yet */
	assert_int_equal(w.r.ndirty, 0);
	/* its time: the login timeout fires, the connection is to be pumped */
	due = ns_relay_conn_tick(w.c, now + 500);
	assert_int_equal(w.c->grace_deadline, 0);
	assert_int_equal(ns_engine_disconnect(w.c->front.e, 11, "again"), NS_ERR_CLOSED);
	assert_int_equal(w.r.ndirty, 1);
	assert_int_equal(due, w.r.due[0]);
	assert_true(due >
	            now + 500); /* closed: none (it wrapped to now - 1: a scan at every turn) */
	world_free(&w);
}

/* A new connection (due 0) is ticked at the first scan, which sets its due
 * from the engine: keepalive, rekey or the release of idle buffers. */
static void test_tick_new_connection(void **state)
{
	world w;
	uint64_t now = 1000000, due;

	(void)state;
	world_init(&w);
	assert_int_equal(ns_engine_tick(w.c->front.e, now), 0);
	due = ns_relay_conn_tick(w.c, now);
	assert_int_equal(due, ns_relay_conn_next(w.c, now));
	assert_int_equal(due, now + ns_relay_conn_timeout(w.c, now));
	assert_true(due > now);
	assert_int_equal(w.r.ndirty, 0);
	assert_int_equal(ns_relay_conn_tick(w.c, now + 1), due); /* not due: unchanged */
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tick_waits_for_due),
	    cmocka_unit_test(test_tick_new_connection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
