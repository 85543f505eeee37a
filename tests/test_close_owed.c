/* CLOSEs that the engine cannot take at once (its output full: it answers
 * NS_ERR_AGAIN) are owed and sent later, never dropped (issue 12):
 *   - the relay, when a user's channel ends, owes the agent the inner
 *     channel's CLOSE (ns_relay_mux_close; sent by the agent connection's
 *     next pump), else the agent's session runs on with nobody there;
 *   - the agent, for a session refused before it started (a subsystem),
 *     owes the client EOF and CLOSE (sent by ns_session_sync), else the
 *     client waits for a close forever.
 * Each fills one engine's output with small channel requests until it
 * refuses more, then checks that the peer sees the channel closed once
 * the output drains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib_pair.h"
#include "nullspace/error.h"
#include "relay_int.h"
#include "session.h"

#define ROUNDS 50
#define BIG_VALUE 30000

/* Fill e's output with requests on channel id (not sent: nobody pumps)
 * until even an 11-byte one does not fit: then a CLOSE (16 bytes of room
 * asked) does not fit either. */
static void fill_output(ns_engine *e, uint32_t id)
{
	static char value[BIG_VALUE + 1];
	ns_chan_request q;
	int n = 0;

	memset(value, 'v', BIG_VALUE);
	memset(&q, 0, sizeof(q));
	q.type.p = (const uint8_t *)"env";
	q.type.len = 3;
	q.name.p = (const uint8_t *)"FILL";
	q.name.len = 4;
	q.value.p = (const uint8_t *)value;
	q.value.len = BIG_VALUE;
	while (ns_channel_request(e, id, &q) == 0) {
		n++;
	}
	memset(&q, 0, sizeof(q));
	q.type.p = (const uint8_t *)"x";
	q.type.len = 1;
	while (ns_channel_request(e, id, &q) == 0) {
		n++;
	}
	assert_true(n > 0);
	assert_int_equal(ns_channel_close(e, id), NS_ERR_AGAIN);
}

typedef struct watch {
	uint32_t chan[2]; /* the channel on each side */
	int opened, closed[2], eof[2];
} watch;

static int cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	watch *w = ud;

	if (ev->type == NS_EV_CHANNEL_OPEN) {
		w->chan[side] = ev->channel;
		assert_int_equal(ns_channel_accept(p->e[side], ev->channel), 0);
		w->opened = 1;
	} else if (ev->type == NS_EV_CHANNEL_EOF && ev->channel == w->chan[side]) {
		w->eof[side] = 1;
	} else if (ev->type == NS_EV_CHANNEL_CLOSED && ev->channel == w->chan[side]) {
		w->closed[side] = 1;
	}
	return 0;
}

/* Connected, with one session channel open from the client (side 0). */
static void open_one(ns_pair *p, watch *w)
{
	memset(w, 0, sizeof(*w));
	assert_int_equal(ns_pair_init(p, NULL, NULL), 0);
	assert_int_equal(ns_pair_connect(p), 0);
	assert_int_equal(ns_channel_open_session(p->e[0], &w->chan[0]), 0);
	ns_pair_pump(p, cb, w, 100);
	assert_true(w->opened);
}

/* The relay's side: its agent connection is the client of the pair. */
static void test_relay_owes_the_inner_close(void **state)
{
	uint32_t dirty[4 * ROUNDS + 8];
	ns_relay_inner in;
	ns_relay r;
	ns_pair p;
	watch w;
	int i;

	(void)state;
	open_one(&p, &w);
	memset(&r, 0, sizeof(r));
	r.log = stderr;
	r.epfd = -1;
	r.dirty = dirty;
	memset(&in, 0, sizeof(in));
	ns_relay_pipe_init(&in.p); /* no socket: the pair moves the bytes */
	in.p.e = p.e[0];
	in.r = &r;
	in.state = NS_IN_READY;
	fill_output(p.e[0], w.chan[0]);
	ns_relay_mux_close(&in, w.chan[0]); /* the user's channel ended */
	for (i = 0; i < ROUNDS && !w.closed[1]; i++) {
		ns_pair_pump(&p, cb, &w, 10);
		r.ndirty = 0;
		in.dirty = 0;
		(void)ns_relay_inner_pump(&in, 1);
	}
	assert_true(w.closed[1]); /* the agent's session ends */
	in.p.e = NULL;            /* the pair frees it */
	ns_relay_pipe_free(-1, &in.p);
	free(in.close_owed);
	ns_pair_free(&p);
}

/* The agent's side: the server of the pair; a subsystem refused while its
 * output is full. */
static void test_agent_closes_a_refused_session(void **state)
{
	ns_session_host h;
	ns_chan_request q;
	ns_session *s;
	ns_pair p;
	watch w;
	int i;

	(void)state;
	open_one(&p, &w);
	memset(&h, 0, sizeof(h));
	h.e = p.e[1];
	h.epfd = -1;
	h.log = stderr;
	assert_int_equal(ns_session_new(&h, w.chan[1], &s), 0);
	fill_output(p.e[1], w.chan[1]);
	memset(&q, 0, sizeof(q));
	q.type.p = (const uint8_t *)"subsystem";
	q.type.len = 9;
	q.command.p = (const uint8_t *)"sftp";
	q.command.len = 4;
	ns_session_request(s, &q, NULL);
	for (i = 0; i < ROUNDS && !w.closed[0]; i++) {
		ns_pair_pump(&p, cb, &w, 10);
		ns_session_sync(s);
	}
	assert_true(w.eof[0]);
	assert_true(w.closed[0]); /* the client is not left waiting */
	ns_session_free(s);
	ns_pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_relay_owes_the_inner_close),
	    cmocka_unit_test(test_agent_closes_a_refused_session),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
