/* The agent without memory for a command's input (issue 12): the bytes
 * the child cannot take yet must wait in the session's buffer; when that
 * buffer cannot grow, they are never reported taken and dropped. The
 * channel fails instead: a message on stderr, EOF and CLOSE, no exit
 * status, so a command never passes for finished on a cut input. A client
 * and an agent engine in memory; the command's stdin is a pipe that
 * nobody reads, filled beforehand. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib_pair.h"
#include "nullspace/error.h"
#include "session_int.h"
#include "wire.h"

#define INPUT 1000

typedef struct world {
	ns_pair p;
	ns_session_host h;
	ns_session *s;
	uint32_t chan[2];
	int opened, eof, closed, exit_status;
	size_t err_bytes;
} world;

static int reallocs;

static void *no_memory(void *ptr, size_t size)
{
	(void)ptr;
	(void)size;
	reallocs++;
	return NULL;
}

static int cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	world *w = ud;

	if (ev->type == NS_EV_CHANNEL_OPEN) {
		w->chan[side] = ev->channel;
		assert_int_equal(ns_channel_accept(p->e[side], ev->channel), 0);
		w->opened = 1;
	} else if (side == 1 && ev->type == NS_EV_CHANNEL_DATA && w->s != NULL) {
		ns_session_data(w->s, ev->ext, ev->data);
	} else if (side == 0 && ev->type == NS_EV_CHANNEL_DATA && ev->ext == 1) {
		w->err_bytes += ev->data.len;
		assert_int_equal(ns_channel_consumed(p->e[0], ev->channel, ev->data.len), 0);
	} else if (side == 0 && ev->type == NS_EV_CHANNEL_EOF) {
		w->eof = 1;
	} else if (side == 0 && ev->type == NS_EV_CHANNEL_REQUEST &&
	           ns_str_eq(ev->req.type, "exit-status")) {
		w->exit_status = 1;
	} else if (side == 0 && ev->type == NS_EV_CHANNEL_CLOSED) {
		w->closed = 1;
	}
	return 0;
}

static void test_no_memory_for_input_fails_the_channel(void **state)
{
	static uint8_t input[INPUT];
	int fds[2], i;
	size_t took;
	world w;

	(void)state;
	memset(&w, 0, sizeof(w));
	assert_int_equal(ns_pair_init(&w.p, NULL, NULL), 0);
	assert_int_equal(ns_pair_connect(&w.p), 0);
	assert_int_equal(ns_channel_open_session(w.p.e[0], &w.chan[0]), 0);
	ns_pair_pump(&w.p, cb, &w, 100);
	assert_true(w.opened);
	w.h.e = w.p.e[1];
	w.h.epfd = -1;
	w.h.log = stderr;
	w.h.pend_realloc = no_memory;
	assert_int_equal(ns_session_new(&w.h, w.chan[1], &w.s), 0);
	/* a running command whose stdin is full */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
	while (write(fds[1], input, sizeof(input)) > 0) {
	}
	assert_int_equal(errno, EAGAIN);
	w.s->kind = "exec";
	ns_watch_init(&w.s->in, fds[1], 0);
	w.s->out_eof = w.s->err_eof = 1; /* only its input matters here */
	assert_int_equal(ns_channel_write(w.p.e[0], w.chan[0], 0, input, sizeof(input), &took), 0);
	assert_int_equal(took, sizeof(input));
	for (i = 0; i < 50 && !w.closed; i++) {
		ns_pair_pump(&w.p, cb, &w, 10);
		ns_session_sync(w.s);
	}
	assert_true(reallocs > 0);
	assert_true(w.err_bytes > 0); /* the user is told */
	assert_true(w.eof);
	assert_true(w.closed);       /* the channel fails ... */
	assert_false(w.exit_status); /* ... with no exit status */
	ns_session_free(w.s);
	close(fds[0]);
	ns_pair_free(&w.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_memory_for_input_fails_the_channel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
