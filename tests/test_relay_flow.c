/* The relay's data path in memory (issue 10): a user engine pair and an
 * agent engine pair joined by the relay's own splice code (relay_flow.c),
 * the agent echoing like a remote `cat`, a stream both ways at once. Once
 * this stalled: every engine stopped reading while its output was full of
 * data, so neither side's WINDOW_ADJUST was ever read. Also: one channel
 * whose reader stalls holds no more than its window and does not stall
 * another channel of the same connection; an engine pair echoing directly. */
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

#define STREAM_BYTES (8u * 1024 * 1024)
#define NCHAN 2
#define STEPS 200000
#define MAX_CHANNELS 4
/* What the relay may hold for a channel whose reader stalled: a few
 * packets, not a window (it held up to 2 MiB before window passing). */
#define STALL_HELD_MAX (64 * 1024)
#define SETTLE_STEPS 3000

/* One end of a stream: the user writes a pattern and checks what comes
 * back; the agent echoes what it gets, holding what its output refused. */
typedef struct end {
	uint32_t id;
	uint64_t sent, got;
	int bad, stalled; /* stalled: the reader consumes nothing */
	uint8_t *echo;
	size_t echo_len;
} end;

typedef struct world {
	ns_pair up, down; /* user <-> relay front, relay inner <-> agent */
	ns_relay r;
	ns_relay_conn *c;
	ns_relay_inner in;
	end user[NCHAN], agent[NCHAN];
	int relay_chans;
} world;

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 131 + (off >> 12) + (off >> 20));
}

static void user_write(ns_engine *e, end *u)
{
	uint8_t buf[32768];
	size_t w, i, took;

	while (u->sent < STREAM_BYTES && (w = ns_channel_writable(e, u->id)) > 0) {
		w = w < sizeof(buf) ? w : sizeof(buf);
		w = w < STREAM_BYTES - u->sent ? w : STREAM_BYTES - u->sent;
		for (i = 0; i < w; i++) {
			buf[i] = pattern(u->sent + i);
		}
		assert_int_equal(ns_channel_write(e, u->id, 0, buf, w, &took), 0);
		u->sent += took;
		if (took < w) {
			break;
		}
	}
}

static void user_read(ns_engine *e, end *u, ns_str d)
{
	size_t i;

	if (u->stalled) {
		return;
	}
	for (i = 0; i < d.len; i++) {
		u->bad |= d.p[i] != pattern(u->got + i);
	}
	u->got += d.len;
	(void)!ns_channel_consumed(e, u->id, d.len);
}

/* The agent's `cat`: write back what the output takes, keep the rest
 * unconsumed (its window stays closed meanwhile). */
static void agent_echo(ns_engine *e, end *a)
{
	size_t took = 0;

	if (a->echo_len == 0) {
		return;
	}
	(void)!ns_channel_write(e, a->id, 0, a->echo, a->echo_len, &took);
	memmove(a->echo, a->echo + took, a->echo_len - took);
	a->echo_len -= took;
	(void)!ns_channel_consumed(e, a->id, took);
}

static void agent_read(ns_engine *e, end *a, ns_str d)
{
	a->echo = realloc(a->echo, a->echo_len + d.len);
	assert_non_null(a->echo);
	memcpy(a->echo + a->echo_len, d.p, d.len);
	a->echo_len += d.len;
	a->got += d.len;
	agent_echo(e, a);
}

static int chan_index(end *ends, uint32_t id)
{
	int i;

	for (i = 0; i < NCHAN; i++) {
		if (ends[i].id == id) {
			return i;
		}
	}
	return -1;
}

/* Events of the user <-> front pair: side 0 user, side 1 relay front. */
static int up_cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	world *w = ud;
	int i;

	(void)p;
	if (ev->type == NS_EV_CHANNEL_OPEN) {
		assert_int_equal(ns_channel_accept(w->up.e[1], ev->channel), 0);
	} else if (ev->type == NS_EV_CHANNEL_DATA && side == 0) {
		i = chan_index(w->user, ev->channel);
		assert_true(i >= 0);
		user_read(w->up.e[0], &w->user[i], ev->data);
	} else if (ev->type == NS_EV_CHANNEL_DATA && side == 1 && w->relay_chans) {
		ns_relay_chan *ch = w->c->chans[ev->channel];
		ns_relay_flow_data(w->c, ch, NS_TO_INNER, ev->ext, ev->data);
	}
	return 0;
}

/* The splice of the relay's inner channel ich. */
static ns_relay_chan *chan_by_inner(world *w, uint32_t ich)
{
	uint32_t i;

	for (i = 0; i < NS_RELAY_SLOTS(&w->r); i++) {
		if (w->c->chans[i] != NULL && w->c->chans[i]->ich == ich) {
			return w->c->chans[i];
		}
	}
	return NULL;
}

/* Events of the inner <-> agent pair: side 0 relay inner, side 1 agent. */
static int down_cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	world *w = ud;
	int i;

	(void)p;
	if (ev->type == NS_EV_CHANNEL_OPEN) {
		assert_int_equal(ns_channel_accept(w->down.e[1], ev->channel), 0);
	} else if (ev->type == NS_EV_CHANNEL_DATA && side == 1) {
		i = chan_index(w->agent, ev->channel);
		assert_true(i >= 0);
		agent_read(w->down.e[1], &w->agent[i], ev->data);
	} else if (ev->type == NS_EV_CHANNEL_DATA && side == 0 && w->relay_chans) {
		ns_relay_chan *ch = chan_by_inner(w, ev->channel);
		assert_non_null(ch);
		ns_relay_flow_data(w->c, ch, NS_TO_FRONT, ev->ext, ev->data);
	}
	return 0;
}

static void world_init(world *w)
{
	int i;

	memset(w, 0, sizeof(*w));
	assert_int_equal(ns_pair_init(&w->up, NULL, NULL), 0);
	assert_int_equal(ns_pair_init(&w->down, NULL, NULL), 0);
	assert_int_equal(ns_pair_connect(&w->up), 0);
	assert_int_equal(ns_pair_connect(&w->down), 0);
	w->r.log = stderr;
	w->r.max_channels = MAX_CHANNELS;
	w->c = calloc(1, sizeof(*w->c) + NS_RELAY_SLOTS(&w->r) * sizeof(w->c->chans[0]));
	assert_non_null(w->c);
	w->c->r = &w->r;
	w->c->front.e = w->up.e[1];
	w->in.p.e = w->down.e[0];
	w->in.state = NS_IN_READY;
	w->in.r = &w->r;
	for (i = 0; i < NCHAN; i++) {
		ns_relay_chan *ch = calloc(1, sizeof(*ch));
		assert_non_null(ch);
		assert_int_equal(ns_channel_open_session(w->up.e[0], &w->user[i].id), 0);
		assert_int_equal(ns_channel_open_session(w->down.e[0], &ch->ich), 0);
		ns_pair_pump(&w->up, up_cb, w, 100);
		ns_pair_pump(&w->down, down_cb, w, 100);
		ch->fch = w->user[i].id; /* the front engine numbers like the user's */
		ch->slot = ch->fch;
		ch->fstate = ch->istate = NS_RS_OPEN;
		ch->in = &w->in;
		w->agent[i].id = ch->ich;
		w->c->chans[ch->slot] = ch;
		w->c->nchans++;
	}
	w->relay_chans = 1;
}

static void world_free(world *w)
{
	int i;

	for (i = 0; i < NCHAN; i++) {
		free(w->agent[i].echo);
		if (w->c->chans[w->user[i].id] != NULL) {
			ns_relay_hold_free(&w->c->chans[w->user[i].id]->hold[0][0]);
			ns_relay_hold_free(&w->c->chans[w->user[i].id]->hold[0][1]);
			ns_relay_hold_free(&w->c->chans[w->user[i].id]->hold[1][0]);
			ns_relay_hold_free(&w->c->chans[w->user[i].id]->hold[1][1]);
			free(w->c->chans[w->user[i].id]);
		}
	}
	free(w->c);
	ns_pair_free(&w->up);
	ns_pair_free(&w->down);
}

/* Bytes the relay holds for a channel, both directions. */
static size_t held(world *w, int i)
{
	ns_relay_chan *ch = w->c->chans[w->user[i].id];
	size_t n = 0;
	int d, x;

	for (d = 0; d < 2; d++) {
		for (x = 0; x < 2; x++) {
			n += ch->hold[d][x].len;
		}
	}
	return n;
}

/* Pump both hops until channel `done` has all its bytes back. */
static int run(world *w, int done, size_t *max_held_other)
{
	int step, i;

	for (step = 0; step < STEPS; step++) {
		for (i = 0; i < NCHAN; i++) {
			user_write(w->up.e[0], &w->user[i]);
			agent_echo(w->down.e[1], &w->agent[i]);
		}
		ns_pair_pump(&w->up, up_cb, w, 1);
		ns_pair_pump(&w->down, down_cb, w, 1);
		ns_relay_flow_sweep(w->c);
		if (max_held_other != NULL && held(w, 1 - done) > *max_held_other) {
			*max_held_other = held(w, 1 - done);
		}
		if (w->user[done].got == STREAM_BYTES) {
			return 0;
		}
		assert_false(w->up.disconnected[0] || w->up.disconnected[1]);
		assert_false(w->down.disconnected[0] || w->down.disconnected[1]);
	}
	return -1;
}

/* 8 MiB up through the relay to an echoing agent while it comes back down:
 * stalled at 0 bytes with more than a window or two in flight. */
static void test_two_way_through_splice(void **state)
{
	world w;

	(void)state;
	world_init(&w);
	w.user[1].sent = STREAM_BYTES; /* the second channel stays quiet */
	assert_int_equal(run(&w, 0, NULL), 0);
	assert_int_equal(w.user[0].bad, 0);
	assert_int_equal(w.agent[0].got, STREAM_BYTES);
	world_free(&w);
}

/* Channel 1's reader takes nothing: the relay holds at most its window of
 * it, and channel 0 streams both ways to the end meanwhile. */
static void test_stalled_channel_does_not_stall_another(void **state)
{
	size_t max_held = 0;
	world w;
	int i;

	(void)state;
	world_init(&w);
	w.user[1].stalled = 1;
	assert_int_equal(run(&w, 0, &max_held), 0);
	assert_int_equal(w.user[0].bad, 0);
	/* let the stalled channel fill every window it can */
	w.user[0].sent = STREAM_BYTES;
	for (i = 0; i < SETTLE_STEPS; i++) {
		user_write(w.up.e[0], &w.user[1]);
		agent_echo(w.down.e[1], &w.agent[1]);
		ns_pair_pump(&w.up, up_cb, &w, 1);
		ns_pair_pump(&w.down, down_cb, &w, 1);
		ns_relay_flow_sweep(w.c);
		max_held = held(&w, 1) > max_held ? held(&w, 1) : max_held;
	}
	assert_true(w.user[1].sent > NS_RELAY_WINDOW); /* its windows are full */
	/* window passing: the stalled reader's bytes wait in the endpoints'
	 * windows, not in the relay */
	fprintf(stderr, "stalled channel: sent %llu, held at most %zu, at the end %zu\n",
	        (unsigned long long)w.user[1].sent, max_held, held(&w, 1));
	assert_true(max_held <= STALL_HELD_MAX);
	assert_true(held(&w, 1) <= STALL_HELD_MAX);
	world_free(&w);
}

static int hold_allocs; /* how many times the holds asked for memory */

static void *no_memory(void *ptr, size_t size)
{
	(void)ptr;
	(void)size;
	hold_allocs++;
	return NULL;
}

/* The hold cannot grow (no memory): the bytes are not reported taken and
 * dropped, the connection ends, the user told why (issue 12). The agent
 * sends 1 MiB while the user's side is not pumped: the front's output fills
 * before its window, so the rest must wait in a hold. */
static void test_hold_without_memory_ends_the_connection(void **state)
{
	const size_t burst = 1024 * 1024;
	world w;
	int i;

	(void)state;
	world_init(&w);
	w.c->front.w.fd = w.in.p.w.fd = -1; /* no socket: the output stays */
	w.r.hold_realloc = no_memory;
	hold_allocs = 0;
	w.agent[1].echo = calloc(1, burst);
	assert_non_null(w.agent[1].echo);
	w.agent[1].echo_len = burst;
	for (i = 0; i < SETTLE_STEPS && hold_allocs == 0; i++) {
		agent_echo(w.down.e[1], &w.agent[1]);
		ns_pair_pump(&w.down, down_cb, &w, 1);
	}
	assert_true(hold_allocs > 0);
	w.user[1].stalled = 1;
	ns_pair_pump(&w.up, up_cb, &w, 100);
	/* the user learns it: no gap in the stream (a MAC error once) */
	assert_true(w.up.disconnected[0]);
	assert_int_equal(w.up.disc_reason[0], NS_DISC_BY_APPLICATION);
	world_free(&w);
}

/* Without a relay: our client and our server echoing, both ways at once. */
typedef struct echo_pair {
	end user, agent;
} echo_pair;

static int echo_cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	echo_pair *t = ud;

	if (ev->type == NS_EV_CHANNEL_OPEN) {
		t->agent.id = ev->channel;
		assert_int_equal(ns_channel_accept(p->e[1], ev->channel), 0);
	} else if (ev->type == NS_EV_CHANNEL_DATA && side == 0) {
		user_read(p->e[0], &t->user, ev->data);
	} else if (ev->type == NS_EV_CHANNEL_DATA && side == 1) {
		agent_read(p->e[1], &t->agent, ev->data);
	}
	return 0;
}

static void test_two_way_engine_pair(void **state)
{
	echo_pair t;
	ns_pair p;
	int step;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_int_equal(ns_channel_open_session(p.e[0], &t.user.id), 0);
	ns_pair_pump(&p, echo_cb, &t, 100);
	for (step = 0; step < STEPS && t.user.got < STREAM_BYTES; step++) {
		user_write(p.e[0], &t.user);
		agent_echo(p.e[1], &t.agent);
		ns_pair_pump(&p, echo_cb, &t, 1);
	}
	assert_int_equal(t.user.got, STREAM_BYTES);
	assert_int_equal(t.user.bad, 0);
	free(t.agent.echo);
	ns_pair_free(&p);
}

/* relay_state.c's table: the orders a direction's end can take. */
static void test_tail_table(void **state)
{
	static const struct {
		int ev, want;
	} path[] = {
	    {NS_TEV_PEER_EOF, NS_TAIL_EOF_DUE},   {NS_TEV_PEER_EOF, NS_TAIL_EOF_DUE},
	    {NS_TEV_END, NS_TAIL_EOF_CLOSE_DUE},  {NS_TEV_EOF_SENT, NS_TAIL_CLOSE_DUE},
	    {NS_TEV_PEER_EOF, NS_TAIL_CLOSE_DUE}, {NS_TEV_CLOSE_SENT, NS_TAIL_DONE},
	    {NS_TEV_END, NS_TAIL_DONE},
	};
	ns_relay_chan ch;
	size_t i;
	int t, ev;

	(void)state;
	memset(&ch, 0, sizeof(ch));
	assert_int_equal(ch.tail[NS_TO_FRONT], NS_TAIL_STREAM);
	for (i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
		ns_relay_tail(&ch, NS_TO_FRONT, path[i].ev);
		assert_int_equal(ch.tail[NS_TO_FRONT], path[i].want);
	}
	assert_int_equal(ch.tail[NS_TO_INNER], NS_TAIL_STREAM); /* the other untouched */
	/* a CLOSE without EOF: the other side closed while data flowed */
	ns_relay_tail(&ch, NS_TO_INNER, NS_TEV_END);
	assert_int_equal(ch.tail[NS_TO_INNER], NS_TAIL_CLOSE_DUE);
	assert_true(ns_relay_tail_ending(&ch, NS_TO_INNER));
	/* EOF sent, the channel stays until the splice ends */
	ch.tail[NS_TO_INNER] = NS_TAIL_EOF_DUE;
	assert_false(ns_relay_tail_ending(&ch, NS_TO_INNER));
	ns_relay_tail(&ch, NS_TO_INNER, NS_TEV_EOF_SENT);
	assert_int_equal(ch.tail[NS_TO_INNER], NS_TAIL_EOF_SENT);
	assert_false(ns_relay_tail_ending(&ch, NS_TO_INNER));
	/* from every state, a receiver gone owes nothing more, and stays so */
	for (t = 0; t < NS_TAIL_COUNT; t++) {
		ch.tail[0] = (uint8_t)t;
		ns_relay_tail(&ch, 0, NS_TEV_GONE);
		assert_int_equal(ch.tail[0], NS_TAIL_DONE);
		for (ev = 0; ev < NS_TEV_COUNT; ev++) {
			ns_relay_tail(&ch, 0, ev);
			assert_int_equal(ch.tail[0], NS_TAIL_DONE);
		}
	}
	/* a side closing ends the other: EOF and CLOSE for the user */
	memset(&ch, 0, sizeof(ch));
	ch.fstate = ch.istate = NS_RS_OPEN;
	ns_relay_tail(&ch, NS_TO_FRONT, NS_TEV_PEER_EOF);
	ns_relay_state_gone(&ch, NS_SIDE_INNER);
	assert_int_equal(ch.istate, NS_RS_GONE);
	assert_int_equal(ch.tail[NS_TO_INNER], NS_TAIL_DONE);
	assert_int_equal(ch.tail[NS_TO_FRONT], NS_TAIL_EOF_CLOSE_DUE);
	assert_false(ns_relay_state_done(&ch));
	ns_relay_state_gone(&ch, NS_SIDE_FRONT);
	assert_true(ns_relay_state_done(&ch));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tail_table),
	    cmocka_unit_test(test_two_way_engine_pair),
	    cmocka_unit_test(test_two_way_through_splice),
	    cmocka_unit_test(test_stalled_channel_does_not_stall_another),
	    cmocka_unit_test(test_hold_without_memory_ends_the_connection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
