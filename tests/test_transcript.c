/* Randomness comes from the caller (issue 12): with every random byte
 * drawn from a seed (keys, KEXINIT cookies, kex secrets, padding), a whole
 * connection — handshake, auth, a session with data both ways, a rekey from
 * each side, close — gives byte-identical transcripts run after run; another
 * seed gives another transcript; and the engine draws nothing from
 * elsewhere (a source that counts its calls sees every kex). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "lib_pair.h"
#include "nullspace/engine.h"
#include "nullspace/error.h"

#define STEPS 10000
#define DATA_LEN 100000

typedef struct run_state {
	crypto_generichash_state h[2]; /* of what each side sent */
	uint64_t bytes[2];
	uint32_t server_chan;
	int server_has_chan;
	size_t got[2]; /* data bytes each side received */
} run_state;

static void tap(void *ud, int side, const uint8_t *p, size_t n)
{
	run_state *st = ud;

	crypto_generichash_update(&st->h[side], p, n);
	st->bytes[side] += n;
}

static int cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	run_state *st = ud;

	switch (ev->type) {
	case NS_EV_CHANNEL_OPEN:
		st->server_chan = ev->channel;
		st->server_has_chan = 1;
		assert_int_equal(ns_channel_accept(p->e[1], ev->channel), 0);
		break;
	case NS_EV_CHANNEL_REQUEST:
		if (ev->req.want_reply) {
			assert_int_equal(ns_channel_reply(p->e[side], ev->channel, 1), 0);
		}
		break;
	case NS_EV_CHANNEL_DATA:
		st->got[side] += ev->data.len;
		assert_int_equal(ns_channel_consumed(p->e[side], ev->channel, ev->data.len), 0);
		break;
	default: break;
	}
	return 0;
}

/* Write what the window takes of len bytes of a fixed pattern; pumps. */
static void send_all(ns_pair *p, run_state *st, int side, uint32_t ch, size_t len)
{
	static uint8_t buf[16384];
	size_t sent = 0, n, w;
	int guard = 0;

	for (size_t i = 0; i < sizeof(buf); i++) {
		buf[i] = (uint8_t)(i * 7 + side);
	}
	while (sent < len && guard++ < STEPS) {
		n = len - sent < sizeof(buf) ? len - sent : sizeof(buf);
		w = 0;
		if (ns_channel_write(p->e[side], ch, 0, buf, n, &w) < 0) {
			fail_msg("channel write failed");
		}
		sent += w;
		assert_true(ns_pair_pump(p, cb, st, STEPS) > 0);
	}
	assert_int_equal(sent, len);
}

/* One whole connection; digest[side] is the hash of what side sent. */
static void run_once(uint64_t seed, uint8_t digest[2][32], uint64_t bytes[2])
{
	ns_pair p;
	run_state st;
	ns_chan_request req;
	uint32_t ch;

	memset(&st, 0, sizeof(st));
	crypto_generichash_init(&st.h[0], NULL, 0, 32);
	crypto_generichash_init(&st.h[1], NULL, 0, 32);
	assert_int_equal(ns_pair_init_seeded(&p, NULL, NULL, seed), 0);
	p.tap = tap;
	p.tap_ud = &st;
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_int_equal(ns_channel_open_session(p.e[0], &ch), 0);
	assert_true(ns_pair_pump(&p, cb, &st, STEPS) > 0);
	assert_true(st.server_has_chan);
	memset(&req, 0, sizeof(req));
	req.type = (ns_str){(const uint8_t *)"exec", 4};
	req.want_reply = 1;
	req.command = (ns_str){(const uint8_t *)"cat", 3};
	assert_int_equal(ns_channel_request(p.e[0], ch, &req), 0);
	assert_true(ns_pair_pump(&p, cb, &st, STEPS) > 0);
	send_all(&p, &st, 0, ch, DATA_LEN);
	assert_int_equal(ns_engine_rekey(p.e[0]), 0);
	send_all(&p, &st, 1, st.server_chan, DATA_LEN);
	assert_int_equal(ns_engine_rekey(p.e[1]), 0);
	send_all(&p, &st, 0, ch, DATA_LEN);
	assert_int_equal(st.got[1], 2 * DATA_LEN);
	assert_int_equal(st.got[0], DATA_LEN);
	assert_int_equal(ns_channel_exit_status(p.e[1], st.server_chan, 3), 0);
	assert_int_equal(ns_channel_close(p.e[1], st.server_chan), 0);
	assert_true(ns_pair_pump(&p, cb, &st, STEPS) > 0);
	assert_int_equal(ns_engine_disconnect(p.e[0], NS_DISC_BY_APPLICATION, "bye"), 0);
	assert_true(ns_pair_pump(&p, cb, &st, STEPS) > 0);
	assert_true(p.disconnected[1]);
	crypto_generichash_final(&st.h[0], digest[0], 32);
	crypto_generichash_final(&st.h[1], digest[1], 32);
	bytes[0] = st.bytes[0];
	bytes[1] = st.bytes[1];
	ns_pair_free(&p);
}

static void test_same_seed_same_transcript(void **state)
{
	uint8_t a[2][32], b[2][32];
	uint64_t na[2], nb[2];

	(void)state;
	run_once(42, a, na);
	run_once(42, b, nb);
	assert_true(na[0] > 3 * DATA_LEN / 2 && na[1] > DATA_LEN);
	assert_int_equal(na[0], nb[0]);
	assert_int_equal(na[1], nb[1]);
	assert_memory_equal(a[0], b[0], 32); /* client -> server, byte for byte */
	assert_memory_equal(a[1], b[1], 32); /* server -> client */
}

static void test_other_seed_other_transcript(void **state)
{
	uint8_t a[2][32], b[2][32];
	uint64_t na[2], nb[2];

	(void)state;
	run_once(42, a, na);
	run_once(43, b, nb);
	assert_memory_not_equal(a[0], b[0], 32);
	assert_memory_not_equal(a[1], b[1], 32);
}

typedef struct counting {
	ns_test_rng rng;
	unsigned calls;
} counting;

static void count_fill(void *ctx, uint8_t *buf, size_t len)
{
	counting *c = ctx;

	c->calls++;
	ns_test_rng_fill(&c->rng, buf, len);
}

static void test_source_is_used(void **state)
{
	ns_engine_config cfg = NS_ENGINE_CONFIG_INIT;
	counting cnt;
	ns_pair p;
	unsigned before;

	(void)state;
	memset(&cnt, 0, sizeof(cnt));
	ns_test_rng_init(&cnt.rng, 7, 9);
	cfg.random = count_fill;
	cfg.random_ctx = &cnt;
	assert_int_equal(ns_pair_init(&p, &cfg, NULL), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	/* cookie, kex secret, padding of the clear packets, two pad keys */
	assert_true(cnt.calls >= 5);
	before = cnt.calls;
	assert_int_equal(ns_engine_rekey(p.e[0]), 0);
	assert_true(ns_pair_pump(&p, NULL, NULL, STEPS) > 0);
	assert_true(cnt.calls >= before + 4); /* cookie, secret, two pad keys */
	ns_pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_seed_same_transcript),
	    cmocka_unit_test(test_other_seed_other_transcript),
	    cmocka_unit_test(test_source_is_used),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
