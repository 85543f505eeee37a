/* Replies to the peer's channel requests (core/chan_req.c) under a full
 * send buffer: a reply is always queued, in request order, however much
 * data and how many requests of ours wait to be sent; and a peer that
 * floods want_reply requests cannot grow our memory: we stop reading it
 * while the output is above NS_OUTPUT_HIGH, and too many unanswered
 * requests end the connection. A request with a field over its limit (a
 * 30,000-byte TERM) is refused alone, in its turn, the connection kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chan.h"
#include "lib_pair.h"

#define STEPS 100000
#define REPLIES_LOG 64
#define ENV_VALUE_LEN 30000

typedef struct tctx {
	int replies;               /* client: CHANNEL_SUCCESS/FAILURE seen */
	int reply_ok[REPLIES_LOG]; /* ... their verdicts, in order */
	int requests;              /* server: requests seen */
	uint64_t data;             /* client: data bytes received */
	int auto_reply;            /* server: answer every want_reply request */
	int refused;               /* server: NS_EV_CHANNEL_REQUEST_REFUSED seen */
	char refused_type[32];     /* ... the last one's type */
	int refused_error, refused_want_reply;
	char disc[2][128];
} tctx;

static tctx T;

static int cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	tctx *t = ud;
	size_t n;

	switch (ev->type) {
	case NS_EV_CHANNEL_OPEN:
		assert_int_equal(ns_channel_accept(p->e[1], ev->channel), 0);
		break;
	case NS_EV_CHANNEL_REQUEST:
		if (side == 1) {
			t->requests++;
			if (t->auto_reply && ev->req.want_reply) {
				assert_int_equal(ns_channel_reply(p->e[1], ev->channel, 1), 0);
			}
		}
		break;
	case NS_EV_CHANNEL_REPLY:
		if (side == 0 && t->replies < REPLIES_LOG) {
			t->reply_ok[t->replies] = ev->ok;
		}
		t->replies += side == 0;
		break;
	case NS_EV_CHANNEL_DATA:
		t->data += ev->data.len;
		assert_int_equal(ns_channel_consumed(p->e[side], ev->channel, ev->data.len), 0);
		break;
	case NS_EV_CHANNEL_REQUEST_REFUSED:
		assert_int_equal(side, 1);
		t->refused++;
		n = ev->req.type.len < sizeof(t->refused_type) - 1 ? ev->req.type.len
		                                                   : sizeof(t->refused_type) - 1;
		memcpy(t->refused_type, ev->req.type.p, n);
		t->refused_type[n] = '\0';
		t->refused_error = ev->error;
		t->refused_want_reply = ev->req.want_reply;
		/* no field of the request is handed over */
		assert_int_equal(ev->req.term.len + ev->req.value.len + ev->req.command.len, 0);
		break;
	case NS_EV_DISCONNECT:
		n = ev->message.len < sizeof(t->disc[side]) - 1 ? ev->message.len
		                                                : sizeof(t->disc[side]) - 1;
		memcpy(t->disc[side], ev->message.p, n);
		t->disc[side][n] = '\0';
		break;
	default: break;
	}
	return 0;
}

static void pump(ns_pair *p)
{
	assert_true(ns_pair_pump(p, cb, &T, STEPS) > 0);
}

static ns_str S(const char *s)
{
	ns_str v = {(const uint8_t *)s, strlen(s)};
	return v;
}

static void connect_pair(ns_pair *p, const ns_engine_config *server)
{
	memset(&T, 0, sizeof(T));
	assert_int_equal(ns_pair_init(p, NULL, server), 0);
	assert_int_equal(ns_pair_connect(p), 0);
	pump(p);
}

/* Open a session from the client; returns the client's id, *sid the server's. */
static uint32_t open_session(ns_pair *p, uint32_t *sid)
{
	uint32_t id;

	assert_int_equal(ns_channel_open_session(p->e[0], &id), 0);
	pump(p);
	*sid = id; /* both tables fill from slot 0 in the same order */
	assert_int_equal(p->e[1]->chans[*sid].state, NS_CH_OPEN);
	return id;
}

/* A want_reply request from the client, built by hand (the keepalive is
 * one the engine answers itself). */
static void client_request(ns_pair *p, uint32_t cid, const char *type)
{
	ns_buf *m = ns_eng_msg(p->e[0], SSH_MSG_CHANNEL_REQUEST);

	ns_wr_u32(m, p->e[0]->chans[cid].remote_id); /* recipient channel */
	ns_wr_cstr(m, type);                         /* request type */
	ns_wr_bool(m, 1);                            /* want reply */
	assert_int_equal(ns_eng_send(p->e[0]), 0);
	p->e[0]->chans[cid].our_requests++;
}

/* Fill the server's output with data, then with requests of its own, until
 * neither is accepted any more; the data bytes written. */
static uint64_t fill_output(ns_pair *p, uint32_t sid)
{
	static uint8_t buf[64 * 1024];
	static char value[ENV_VALUE_LEN + 1];
	ns_chan_request q;
	size_t w, acc;
	uint64_t data = 0;
	int rc;

	while ((w = ns_channel_writable(p->e[1], sid)) > 0) {
		w = w < sizeof(buf) ? w : sizeof(buf);
		assert_int_equal(ns_channel_write(p->e[1], sid, 0, buf, w, &acc), 0);
		assert_int_equal(acc, w);
		data += acc;
	}
	/* data alone stops short of NS_OUTPUT_HIGH: the engine still reads */
	ns_engine_output(p->e[1], &w);
	assert_true(w <= NS_CHAN_DATA_OUT_HIGH);
	assert_true(w > NS_CHAN_DATA_OUT_HIGH - NS_CHAN_DATA_MAX - 1024);
	memset(value, 'v', ENV_VALUE_LEN);
	memset(&q, 0, sizeof(q));
	q.type = S("env");
	q.name = S("FILLER");
	q.value = S(value);
	while ((rc = ns_channel_request(p->e[1], sid, &q)) == 0) {
	}
	assert_int_equal(rc, NS_ERR_AGAIN);
	q.value = S("v"); /* then small ones, to the last byte they may take */
	while ((rc = ns_channel_request(p->e[1], sid, &q)) == 0) {
	}
	assert_int_equal(rc, NS_ERR_AGAIN);
	/* at the soft cap for control messages: only the engine's reserve and
	 * the replies' room are left */
	assert_true(ns_chan_out_free(p->e[1]) < NS_CHAN_CTL_RESERVE + 128);
	return data;
}

static void test_reply_with_full_output(void **state)
{
	uint32_t cid, sid;
	uint64_t data;
	size_t pending;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL);
	cid = open_session(&p, &sid);
	client_request(&p, cid, "env-like@example.com");
	client_request(&p, cid, "keepalive@openssh.com");
	client_request(&p, cid, "shell-like@example.com");
	pump(&p);
	assert_int_equal(T.requests, 2); /* the keepalive is the engine's */
	assert_int_equal(p.e[1]->replies_owed, 3);
	assert_int_equal(T.replies, 0);

	data = fill_output(&p, sid);
	ns_engine_output(p.e[1], &pending);
	assert_true(pending > NS_OUTPUT_HIGH);
	/* the replies are queued, not NS_ERR_AGAIN; the keepalive's FAILURE
	 * goes out right after the first */
	assert_int_equal(ns_channel_reply(p.e[1], sid, 1), 0);
	assert_int_equal(p.e[1]->replies_owed, 1);
	assert_int_equal(ns_channel_reply(p.e[1], sid, 1), 0);
	assert_int_equal(p.e[1]->replies_owed, 0);
	assert_int_equal(ns_channel_reply(p.e[1], sid, 1), NS_ERR_STATE); /* none owed */

	pump(&p);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	assert_int_equal(T.replies, 3);
	assert_int_equal(T.reply_ok[0], 1);
	assert_int_equal(T.reply_ok[1], 0);
	assert_int_equal(T.reply_ok[2], 1);
	assert_int_equal(T.data, data); /* all of it, after the replies' output */
	ns_pair_free(&p);
}

/* The peer never reads: answering at once, we stop reading it once our
 * output passes NS_OUTPUT_HIGH, and read on when it drains. */
static void test_flood_without_reading(void **state)
{
	size_t n, used, pending;
	uint32_t cid, sid;
	const uint8_t *out;
	int i, stalled = 0;
	ns_event ev = NS_EVENT_INIT;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL);
	cid = open_session(&p, &sid);
	T.auto_reply = 1;
	for (i = 0; i < 20000 && !stalled; i++) {
		client_request(&p, cid, "env-like@example.com");
		out = ns_engine_output(p.e[0], &n);
		assert_int_equal(ns_engine_input(p.e[1], out, n, &used), 0);
		ns_engine_output_ack(p.e[0], used);
		while (ns_engine_event(p.e[1], &ev) == 0 && ev.type != NS_EV_NONE) {
			assert_int_equal(cb(&p, 1, &ev, &T), 0);
		}
		stalled = used < n;
	}
	assert_true(stalled);
	assert_false(ns_engine_closed(p.e[1]));
	ns_engine_output(p.e[1], &pending);
	assert_true(pending > NS_OUTPUT_HIGH);
	assert_true(pending < NS_OUTPUT_HIGH + 1024);
	assert_int_equal(p.e[1]->replies_owed, 0);

	pump(&p); /* the client reads: every request is answered, in order */
	assert_false(p.disconnected[0] || p.disconnected[1]);
	assert_int_equal(T.replies, T.requests);
	assert_int_equal(p.e[0]->chans[cid].our_requests, 0);
	ns_pair_free(&p);
}

/* Requests the caller leaves unanswered: 32 per channel at most. */
static void test_unanswered_per_channel(void **state)
{
	uint32_t cid, sid;
	ns_pair p;
	int i;

	(void)state;
	connect_pair(&p, NULL);
	cid = open_session(&p, &sid);
	for (i = 0; i < NS_CHAN_REPLIES_MAX; i++) {
		client_request(&p, cid, "env-like@example.com");
	}
	pump(&p);
	assert_false(p.disconnected[1]);
	assert_int_equal(p.e[1]->replies_owed, NS_CHAN_REPLIES_MAX);
	client_request(&p, cid, "env-like@example.com");
	pump(&p);
	assert_true(p.disconnected[1]);
	assert_int_equal(p.disc_reason[1], NS_DISC_PROTOCOL_ERROR);
	assert_string_equal(T.disc[1], "too many unanswered channel requests");
	ns_pair_free(&p);
}

/* ... and NS_CHAN_REPLIES_CONN_MAX on the connection, whose reserved room
 * the data leaves alone. */
static void test_unanswered_per_connection(void **state)
{
	uint32_t cid[NS_CHAN_REPLIES_CONN_MAX / NS_CHAN_REPLIES_MAX + 1], sid;
	ns_engine_config cfg;
	size_t before;
	uint32_t c;
	ns_pair p;
	int i;

	(void)state;
	ns_engine_config_init(&cfg);
	cfg.max_channels = NS_CHAN_REPLIES_CONN_MAX / NS_CHAN_REPLIES_MAX + 1;
	connect_pair(&p, &cfg);
	for (c = 0; c < cfg.max_channels; c++) {
		cid[c] = open_session(&p, &sid);
	}
	before = ns_chan_out_free(p.e[1]);
	for (c = 0; c + 1 < cfg.max_channels; c++) {
		for (i = 0; i < NS_CHAN_REPLIES_MAX; i++) {
			client_request(&p, cid[c], "env-like@example.com");
		}
		pump(&p);
	}
	assert_false(p.disconnected[1]);
	assert_int_equal(p.e[1]->replies_owed, NS_CHAN_REPLIES_CONN_MAX);
	assert_int_equal(before - ns_chan_out_free(p.e[1]),
	                 (size_t)NS_CHAN_REPLIES_CONN_MAX * NS_CHAN_REPLY_ROOM);
	client_request(&p, cid[cfg.max_channels - 1], "env-like@example.com");
	pump(&p);
	assert_true(p.disconnected[1]);
	assert_string_equal(T.disc[1], "too many unanswered channel requests");
	ns_pair_free(&p);
}

/* A channel that closes with replies owed gives their room back. */
static void test_close_releases_room(void **state)
{
	uint32_t cid, sid;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL);
	cid = open_session(&p, &sid);
	client_request(&p, cid, "env-like@example.com");
	client_request(&p, cid, "env-like@example.com");
	pump(&p);
	assert_int_equal(p.e[1]->replies_owed, 2);
	assert_int_equal(ns_channel_close(p.e[1], sid), 0);
	assert_int_equal(ns_channel_reply(p.e[1], sid, 1), NS_ERR_CLOSED);
	pump(&p);
	assert_int_equal(p.e[1]->chans[sid].state, NS_CH_FREE);
	assert_int_equal(p.e[1]->replies_owed, 0);
	ns_pair_free(&p);
}

/* A request of the client's, with the fields the test sets. */
static void request(ns_pair *p, uint32_t cid, const ns_chan_request *q)
{
	assert_int_equal(ns_channel_request(p->e[0], cid, q), 0);
	pump(p);
}

/* A string of n copies of c (the test's storage, one at a time). */
static ns_str filled(size_t n, char c)
{
	static char buf[40000];
	ns_str v;

	assert_true(n <= sizeof(buf));
	memset(buf, c, n);
	v.p = (const uint8_t *)buf;
	v.len = n;
	return v;
}

/* A pty-req with a 30,000-byte TERM (NS_CHAN_TERM_MAX is 256): FAILURE for
 * that request, an event saying why, and the connection goes on. */
static void test_oversized_term_refused(void **state)
{
	ns_chan_request q;
	uint32_t cid, sid;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL);
	cid = open_session(&p, &sid);
	T.auto_reply = 1;
	memset(&q, 0, sizeof(q));
	q.type = S("pty-req");
	q.want_reply = 1;
	q.term = filled(30000, 'x');
	q.cols = 80;
	q.rows = 24;
	request(&p, cid, &q);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	assert_int_equal(T.requests, 0); /* never handed over as a request */
	assert_int_equal(T.refused, 1);
	assert_string_equal(T.refused_type, "pty-req");
	assert_int_equal(T.refused_error, NS_ERR_TOOBIG);
	assert_true(T.refused_want_reply);
	assert_int_equal(T.replies, 1);
	assert_int_equal(T.reply_ok[0], 0);
	assert_int_equal(p.e[1]->replies_owed, 0);

	/* at the limit it is a request like any other */
	q.term = filled(NS_CHAN_TERM_MAX, 'x');
	request(&p, cid, &q);
	assert_int_equal(T.requests, 1);
	assert_int_equal(T.refused, 1);
	/* and the channel goes on */
	memset(&q, 0, sizeof(q));
	q.type = S("exec");
	q.want_reply = 1;
	q.command = S("true");
	request(&p, cid, &q);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	assert_int_equal(T.requests, 2);
	assert_int_equal(T.replies, 3);
	assert_int_equal(T.reply_ok[1], 1);
	assert_int_equal(T.reply_ok[2], 1);
	ns_pair_free(&p);
}

/* The engine's FAILURE waits its turn behind a reply the caller owes; an
 * oversized env value and exec command are refused the same way, and
 * without want_reply nothing is sent. */
static void test_refused_in_order(void **state)
{
	ns_chan_request q;
	uint32_t cid, sid;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL);
	cid = open_session(&p, &sid);
	client_request(&p, cid, "env-like@example.com"); /* held by the server */
	memset(&q, 0, sizeof(q));
	q.type = S("env");
	q.want_reply = 1;
	q.name = S("LANG");
	q.value = filled(NS_CHAN_ENV_VALUE_MAX + 1, 'v');
	request(&p, cid, &q);
	assert_int_equal(T.refused, 1);
	assert_string_equal(T.refused_type, "env");
	assert_int_equal(T.replies, 0); /* not before the one owed */
	assert_int_equal(ns_channel_reply(p.e[1], sid, 1), 0);
	pump(&p);
	assert_int_equal(T.replies, 2);
	assert_int_equal(T.reply_ok[0], 1);
	assert_int_equal(T.reply_ok[1], 0);

	memset(&q, 0, sizeof(q));
	q.type = S("exec");
	q.want_reply = 0;
	q.command = filled(NS_CHAN_COMMAND_MAX + 1, 'c');
	request(&p, cid, &q);
	assert_int_equal(T.refused, 2);
	assert_string_equal(T.refused_type, "exec");
	assert_false(T.refused_want_reply);
	assert_int_equal(T.replies, 2);
	assert_int_equal(T.requests, 1);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	assert_int_equal(p.e[1]->replies_owed, 0);
	ns_pair_free(&p);
}

/* A TERM whose length runs past the message is malformed: disconnect. */
static void test_truncated_term_malformed(void **state)
{
	uint32_t cid, sid;
	ns_buf *m;
	ns_pair p;

	(void)state;
	connect_pair(&p, NULL);
	cid = open_session(&p, &sid);
	m = ns_eng_msg(p.e[0], SSH_MSG_CHANNEL_REQUEST);
	ns_wr_u32(m, p.e[0]->chans[cid].remote_id); /* recipient channel */
	ns_wr_cstr(m, "pty-req");                   /* request type */
	ns_wr_bool(m, 1);                           /* want reply */
	ns_wr_u32(m, 30000);                        /* TERM length, and 5 bytes of it */
	ns_wr_bytes(m, (const uint8_t *)"xterm", 5);
	assert_int_equal(ns_eng_send(p.e[0]), 0);
	pump(&p);
	assert_true(p.disconnected[1]);
	assert_int_equal(p.disc_reason[1], NS_DISC_PROTOCOL_ERROR);
	assert_string_equal(T.disc[1], "malformed CHANNEL_REQUEST");
	assert_int_equal(T.refused, 0);
	ns_pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reply_with_full_output),
	    cmocka_unit_test(test_flood_without_reading),
	    cmocka_unit_test(test_unanswered_per_channel),
	    cmocka_unit_test(test_unanswered_per_connection),
	    cmocka_unit_test(test_close_releases_room),
	    cmocka_unit_test(test_oversized_term_refused),
	    cmocka_unit_test(test_refused_in_order),
	    cmocka_unit_test(test_truncated_term_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
