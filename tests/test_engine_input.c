/* The engine's zero-copy input (ns_engine_input_space / _commit /
 * _pending): engine pairs whose bytes are "read" straight into the
 * receiver's buffer, in chunks from 1 byte (partial packets) to everything
 * at once (several packets a read), through a rekey, against a bad MAC, and
 * with the buffer full while an event waits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine_int.h"
#include "lib_pair.h"

#define STEPS 200000

/* Client -> server bulk: the client writes a pattern, the server checks it. */
typedef struct bulk {
	uint32_t cid, sid;
	int open;
	uint64_t total, sent, received;
	int bad;
	uint32_t data_events;
} bulk;

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 9));
}

static void send_some(ns_pair *p, bulk *b)
{
	uint8_t buf[4096];
	size_t w, i, acc;

	while (b->open && b->sent < b->total && (w = ns_channel_writable(p->e[0], b->cid)) > 0) {
		w = w < sizeof(buf) ? w : sizeof(buf);
		w = w < b->total - b->sent ? w : b->total - b->sent;
		for (i = 0; i < w; i++) {
			buf[i] = pattern(b->sent + i);
		}
		assert_int_equal(ns_channel_write(p->e[0], b->cid, 0, buf, w, &acc), 0);
		b->sent += acc;
		if (acc < w) {
			break;
		}
	}
}

static int cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	bulk *b = ud;
	size_t i;

	if (side == 1 && ev->type == NS_EV_CHANNEL_OPEN) {
		b->sid = ev->channel;
		assert_int_equal(ns_channel_accept(p->e[1], ev->channel), 0);
	} else if (side == 0 && ev->type == NS_EV_CHANNEL_OPENED) {
		b->open = 1;
	} else if (side == 1 && ev->type == NS_EV_CHANNEL_DATA) {
		for (i = 0; i < ev->data.len; i++) {
			b->bad |= ev->data.p[i] != pattern(b->received + i);
		}
		b->received += ev->data.len;
		b->data_events++;
		assert_int_equal(ns_channel_consumed(p->e[1], ev->channel, ev->data.len), 0);
	}
	if (side == 0 || ev->type == NS_EV_CHANNEL_DATA) {
		send_some(p, b);
	}
	return 0;
}

static int authed(ns_pair *p, int side, ns_event *ev, void *ud)
{
	(void)p;
	(void)side;
	(void)ud;
	return ev->type == NS_EV_AUTH_SUCCESS || ev->type == NS_EV_DISCONNECT;
}

static void setup_pair(ns_pair *p, bulk *b, size_t chunk)
{
	memset(b, 0, sizeof(*b));
	assert_int_equal(ns_pair_init(p, NULL, NULL), 0);
	p->zero_copy = 1;
	p->chunk = chunk;
	/* the handshake too, in chunks (ns_pair_connect's steps are too few
	 * for single bytes) */
	assert_true(ns_pair_pump(p, authed, NULL, STEPS) > 0);
	assert_true(p->authed);
	assert_int_equal(ns_channel_open_session(p->e[0], &b->cid), 0);
	assert_true(ns_pair_pump(p, cb, b, STEPS) > 0);
	assert_true(b->open);
}

/* Everything through the new API at every chunk size: the handshake, then
 * a stream; each byte arrives intact. */
static void test_chunks(void **state)
{
	static const size_t chunks[] = {1, 3, 7, 100, 4096, 40000, 0};
	ns_pair p;
	bulk b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		setup_pair(&p, &b, chunks[i]);
		b.total = chunks[i] != 0 && chunks[i] < 100 ? 30000 : 3 * 1024 * 1024;
		send_some(&p, &b);
		assert_true(ns_pair_pump(&p, cb, &b, STEPS) > 0);
		assert_int_equal(b.received, b.total);
		assert_false(b.bad);
		assert_false(p.disconnected[0] || p.disconnected[1]);
		assert_true(p.reads[1] > 0);
		ns_pair_free(&p);
	}
}

/* Partial packets: one byte at a time, nothing is pending (whole) until the
 * last byte of the packet is in. */
static void test_partial_packet(void **state)
{
	ns_pair p;
	bulk b;
	const uint8_t *out;
	uint8_t *space;
	size_t n, room, i, acc;
	ns_event ev = NS_EVENT_INIT;

	(void)state;
	setup_pair(&p, &b, 0);
	assert_int_equal(ns_channel_write(p.e[0], b.cid, 0, (const uint8_t *)"hello", 5, &acc), 0);
	out = ns_engine_output(p.e[0], &n);
	assert_true(n > 5);
	for (i = 0; i < n; i++) {
		assert_int_equal(ns_engine_input_pending(p.e[1]), 0);
		assert_int_equal(ns_engine_event(p.e[1], &ev), 0);
		assert_int_equal(ev.type, NS_EV_NONE);
		space = ns_engine_input_space(p.e[1], &room);
		assert_non_null(space);
		assert_true(room >= 1);
		space[0] = out[i];
		assert_int_equal(ns_engine_input_commit(p.e[1], 1), 0);
	}
	ns_engine_output_ack(p.e[0], n);
	assert_int_equal(ns_engine_event(p.e[1], &ev), 0);
	assert_int_equal(ev.type, NS_EV_CHANNEL_DATA);
	assert_int_equal(ev.data.len, 5);
	assert_memory_equal(ev.data.p, "hello", 5);
	ns_pair_free(&p);
}

/* Several packets in one read: one commit, one event at a time, the rest
 * pending (whole) until the events are pulled, then handled in place by
 * commits of 0 bytes. */
static void test_several_packets_per_read(void **state)
{
	ns_pair p;
	bulk b;
	const uint8_t *out;
	uint8_t *space, msg[10][40];
	size_t n, room, acc, pending;
	ns_event ev = NS_EVENT_INIT;
	int i, events = 0;

	(void)state;
	setup_pair(&p, &b, 0);
	for (i = 0; i < 10; i++) {
		memset(msg[i], 'a' + i, sizeof(msg[i]));
		assert_int_equal(ns_channel_write(p.e[0], b.cid, 0, msg[i], sizeof(msg[i]), &acc),
		                 0);
	}
	out = ns_engine_output(p.e[0], &n);
	space = ns_engine_input_space(p.e[1], &room);
	assert_true(room >= n && room <= NS_INPUT_MAX);
	memcpy(space, out, n);
	ns_engine_output_ack(p.e[0], n);
	assert_int_equal(ns_engine_input_commit(p.e[1], n), 0);
	pending = ns_engine_input_pending(p.e[1]);
	assert_true(pending > 0 && pending < n); /* one packet handled, nine wait */
	for (;;) {
		assert_int_equal(ns_engine_event(p.e[1], &ev), 0);
		if (ev.type == NS_EV_NONE) {
			if (ns_engine_input_pending(p.e[1]) == 0) {
				break;
			}
			assert_int_equal(ns_engine_input_commit(p.e[1], 0), 0);
			continue;
		}
		assert_int_equal(ev.type, NS_EV_CHANNEL_DATA);
		assert_true(events < 10);
		assert_int_equal(ev.data.len, sizeof(msg[0]));
		assert_memory_equal(ev.data.p, msg[events], sizeof(msg[0]));
		/* the view is inside the engine's own buffer: decrypted in place */
		assert_true(ev.data.p > p.e[1]->in.p && ev.data.p < p.e[1]->in.p + p.e[1]->in.cap);
		events++;
	}
	assert_int_equal(events, 10);
	ns_pair_free(&p);
}

/* The data views of several packets stay valid while the caller pulls
 * the later ones (commits of 0 bytes), reports data consumed and writes
 * output: the agent gathers them and writes them to a child in one writev
 * before it asks for input space again (engine.h). */
static void test_views_gathered(void **state)
{
	ns_pair p;
	bulk b;
	const uint8_t *out;
	uint8_t *space, msg[10][3000];
	ns_str got[10];
	size_t n, room, acc;
	ns_event ev = NS_EVENT_INIT;
	int i, events = 0;

	(void)state;
	setup_pair(&p, &b, 0);
	for (i = 0; i < 10; i++) {
		memset(msg[i], 'a' + i, sizeof(msg[i]));
		assert_int_equal(ns_channel_write(p.e[0], b.cid, 0, msg[i], sizeof(msg[i]), &acc),
		                 0);
	}
	out = ns_engine_output(p.e[0], &n);
	space = ns_engine_input_space(p.e[1], &room);
	assert_true(room >= n);
	memcpy(space, out, n);
	ns_engine_output_ack(p.e[0], n);
	assert_int_equal(ns_engine_input_commit(p.e[1], n), 0);
	for (;;) {
		assert_int_equal(ns_engine_event(p.e[1], &ev), 0);
		if (ev.type == NS_EV_NONE) {
			if (ns_engine_input_pending(p.e[1]) == 0) {
				break;
			}
			assert_int_equal(ns_engine_input_commit(p.e[1], 0), 0);
			continue;
		}
		assert_int_equal(ev.type, NS_EV_CHANNEL_DATA);
		assert_true(events < 10);
		got[events++] = ev.data;
		/* output in between: a window adjust, data the other way */
		assert_int_equal(ns_channel_consumed(p.e[1], ev.channel, ev.data.len), 0);
		assert_int_equal(
		    ns_channel_write(p.e[1], ev.channel, 0, (const uint8_t *)"x", 1, &acc), 0);
	}
	assert_int_equal(events, 10);
	for (i = 0; i < 10; i++) {
		assert_int_equal(got[i].len, sizeof(msg[i]));
		assert_memory_equal(got[i].p, msg[i], sizeof(msg[i]));
	}
	ns_pair_free(&p);
}

/* A rekey in the middle of a stream: KEXINIT, the kex replies, NEWKEYS and
 * packets under the new keys share reads; every byte still arrives. */
static void test_rekey_in_the_middle(void **state)
{
	static const size_t chunks[] = {0, 5000, 13};
	ns_pair p;
	bulk b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		setup_pair(&p, &b, chunks[i]);
		b.total = 600000;
		send_some(&p, &b);
		assert_int_equal(ns_engine_rekey(p.e[0]), 0);
		send_some(&p, &b);
		assert_true(ns_pair_pump(&p, cb, &b, STEPS) > 0);
		assert_int_equal(ns_engine_kex_count(p.e[1]), 2);
		assert_int_equal(b.received, b.total);
		assert_false(b.bad);
		assert_false(p.disconnected[0] || p.disconnected[1]);
		ns_pair_free(&p);
	}
}

/* A bad MAC in the third of five packets read at once: the first two are
 * delivered, then the connection fails with NS_ERR_MAC. */
static void test_bad_mac(void **state)
{
	ns_pair p;
	bulk b;
	uint8_t *out, *space;
	size_t n, room, acc, one;
	ns_event ev = NS_EVENT_INIT;
	int i, data = 0, disc = 0;

	(void)state;
	setup_pair(&p, &b, 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(
		    ns_channel_write(p.e[0], b.cid, 0, (const uint8_t *)"0123456789", 10, &acc), 0);
		if (i == 0) {
			ns_engine_output(p.e[0], &one); /* all packets are this long */
		}
	}
	out = (uint8_t *)ns_engine_output(p.e[0], &n);
	assert_int_equal(n, 5 * one);
	out[2 * one + 10] ^= 0x20;
	space = ns_engine_input_space(p.e[1], &room);
	memcpy(space, out, n);
	ns_engine_output_ack(p.e[0], n);
	(void)!ns_engine_input_commit(p.e[1], n);
	for (i = 0; i < 20; i++) {
		assert_int_equal(ns_engine_event(p.e[1], &ev), 0);
		if (ev.type == NS_EV_NONE) {
			(void)!ns_engine_input_commit(p.e[1], 0);
			continue;
		}
		if (ev.type == NS_EV_CHANNEL_DATA) {
			assert_int_equal(disc, 0);
			assert_memory_equal(ev.data.p, "0123456789", 10);
			data++;
		} else if (ev.type == NS_EV_DISCONNECT) {
			assert_int_equal(ev.error, NS_ERR_MAC);
			assert_int_equal(ev.reason, NS_DISC_MAC_ERROR);
			disc++;
		}
	}
	assert_int_equal(data, 2);
	assert_int_equal(disc, 1);
	assert_int_equal(ns_engine_input_pending(p.e[1]), 0);
	assert_null(ns_engine_input_space(p.e[1], &room));
	assert_int_equal(room, 0);
	assert_int_equal(ns_engine_input_commit(p.e[1], 0), NS_ERR_CLOSED);
	ns_pair_free(&p);
}

/* While an event waits the buffer fills up to NS_INPUT_MAX and no more;
 * once the events are pulled, the buffered bytes go on in place. */
static void test_buffer_full(void **state)
{
	ns_pair p;
	bulk b;
	const uint8_t *out;
	uint8_t *space;
	size_t n, room, total = 0;
	ns_event ev = NS_EVENT_INIT;

	(void)state;
	setup_pair(&p, &b, 0);
	b.total = 1024 * 1024;
	for (;;) {
		send_some(&p, &b); /* up to the client's output cap for data */
		out = ns_engine_output(p.e[0], &n);
		assert_true(n > 0);
		if ((space = ns_engine_input_space(p.e[1], &room)) == NULL) {
			break;
		}
		room = room < n ? room : n;
		memcpy(space, out, room);
		assert_int_equal(ns_engine_input_commit(p.e[1], room), 0);
		ns_engine_output_ack(p.e[0], room);
		total += room;
	}
	assert_int_equal(room, 0);
	assert_int_equal(total, NS_INPUT_MAX); /* one event out, the rest waits */
	while (ns_engine_input_pending(p.e[1]) > 0 || p.e[1]->ev_count > 0) {
		while (ns_engine_event(p.e[1], &ev) == 0 && ev.type != NS_EV_NONE) {
			assert_int_equal(cb(&p, 1, &ev, &b), 0);
		}
		assert_int_equal(ns_engine_input_commit(p.e[1], 0), 0);
	}
	assert_true(b.received > 0);
	assert_int_equal(p.e[1]->in_dirty, NS_INPUT_MAX); /* what the wipe covers */
	assert_true(ns_pair_pump(&p, cb, &b, STEPS) > 0);
	assert_int_equal(b.received, b.total);
	assert_false(b.bad);
	ns_pair_free(&p);
}

/* The copying API and the zero-copy one on the same engine, alternately. */
static void test_mixed_apis(void **state)
{
	ns_pair p;
	bulk b;
	int i;

	(void)state;
	setup_pair(&p, &b, 1000);
	b.total = 400000;
	for (i = 0; i < 8 && b.received < b.total; i++) {
		p.zero_copy = i % 2;
		send_some(&p, &b);
		ns_pair_pump(&p, cb, &b, 40);
	}
	p.zero_copy = 1;
	assert_true(ns_pair_pump(&p, cb, &b, STEPS) > 0);
	assert_int_equal(b.received, b.total);
	assert_false(b.bad);
	ns_pair_free(&p);
}

/* Buffers stay while the connection is busy and go back once it has been
 * idle for NS_IDLE_RELEASE_MS, which ns_engine_next_timeout asks for. */
static void test_idle_release(void **state)
{
	ns_pair p;
	bulk b;

	(void)state;
	setup_pair(&p, &b, 0);
	b.total = 100000;
	send_some(&p, &b);
	assert_true(ns_pair_pump(&p, cb, &b, STEPS) > 0);
	assert_int_equal(b.received, b.total);
	assert_non_null(p.e[1]->in.p); /* kept across turns while busy */
	assert_true(ns_engine_next_timeout(p.e[1], p.now_ms) <= NS_IDLE_RELEASE_MS);
	p.now_ms += NS_IDLE_RELEASE_MS - 1;
	(void)!ns_engine_tick(p.e[1], p.now_ms);
	assert_non_null(p.e[1]->in.p);
	p.now_ms += 1;
	assert_int_equal(ns_engine_next_timeout(p.e[1], p.now_ms), 0);
	(void)!ns_engine_tick(p.e[1], p.now_ms);
	assert_null(p.e[1]->in.p);
	assert_int_equal(p.e[1]->in_dirty, 0);
	assert_null(p.e[1]->out.p);
	assert_null(p.e[1]->msg.p);
	assert_true(ns_engine_next_timeout(p.e[1], p.now_ms) > NS_IDLE_RELEASE_MS);
	/* and the connection goes on */
	b.total += 50000;
	send_some(&p, &b);
	assert_true(ns_pair_pump(&p, cb, &b, STEPS) > 0);
	assert_int_equal(b.received, b.total);
	assert_false(b.bad);
	ns_pair_free(&p);
}

/* Before authentication a peer gets room for the packet being read (at
 * least NS_INPUT_PREAUTH), never the bulk buffer; after, NS_INPUT_MAX. */
static void test_preauth_room(void **state)
{
	ns_pair p;
	uint8_t *space;
	size_t room;
	ns_key host;
	ns_engine_config s;
	ns_engine *e;

	(void)state;
	ns_engine_config_init(&s);
	ns_key_generate(&host, "host");
	s.role = NS_ROLE_SERVER;
	s.alloc = ns_allocator_libc();
	s.host_key = &host;
	assert_int_equal(ns_engine_new(&s, &e), 0);
	space = ns_engine_input_space(e, &room);
	assert_non_null(space);
	assert_int_equal(room, NS_INPUT_PREAUTH);
	assert_true(e->in.cap < 2 * NS_INPUT_PREAUTH);
	ns_engine_free(e);
	ns_key_wipe(&host);

	/* a whole handshake in reads as large as offered */
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	p.zero_copy = 1;
	assert_true(ns_pair_pump(&p, authed, NULL, STEPS) > 0);
	assert_true(p.authed);
	assert_true(p.e[1]->in.cap <= 2 * 65556); /* one packet at most */
	ns_engine_input_space(p.e[1], &room);
	assert_int_equal(room, NS_INPUT_MAX - p.e[1]->in.len);
	ns_pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chunks),
	    cmocka_unit_test(test_partial_packet),
	    cmocka_unit_test(test_several_packets_per_read),
	    cmocka_unit_test(test_views_gathered),
	    cmocka_unit_test(test_rekey_in_the_middle),
	    cmocka_unit_test(test_bad_mac),
	    cmocka_unit_test(test_buffer_full),
	    cmocka_unit_test(test_mixed_apis),
	    cmocka_unit_test(test_idle_release),
	    cmocka_unit_test(test_preauth_room),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
