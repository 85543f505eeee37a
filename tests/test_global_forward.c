/* Forwarding global requests (global.c, chan_open.c): the data parser; a
 * client's tcpip-forward reaching a server that asked for them
 * (forward_requests) as NS_EV_GLOBAL_REQUEST, its reply with the bound port
 * back as NS_EV_GLOBAL_REPLY; replies kept in request order around the
 * engine's own answers; refused by a server that did not ask; a peer
 * flooding requests without waiting for replies is cut off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chan.h"
#include "lib_pair.h"

#define STEPS 100000

static ns_str S(const char *s)
{
	ns_str v = {(const uint8_t *)s, strlen(s)};
	return v;
}

static size_t fwd_data(uint8_t *out, size_t cap, const char *addr, uint32_t port)
{
	ns_buf b;

	ns_buf_init_fixed(&b, out, cap);
	ns_wr_cstr(&b, addr); /* address to bind */
	ns_wr_u32(&b, port);  /* port to bind */
	assert_int_equal(b.err, 0);
	return b.len;
}

static void test_parse(void **state)
{
	uint8_t buf[256];
	ns_chan_open_info o;
	ns_str d;

	(void)state;
	d.p = buf;
	d.len = fwd_data(buf, sizeof(buf), "localhost", 0);
	assert_int_equal(ns_global_forward_parse(S(NS_GLOBAL_TCPIP_FORWARD), d, &o), 0);
	assert_true(ns_str_eq(o.host, "localhost"));
	assert_int_equal(o.port, 0);
	assert_int_equal(ns_global_forward_parse(S(NS_GLOBAL_CANCEL_TCPIP_FORWARD), d, &o), 0);
	/* streamlocal has only the path: the port is trailing bytes */
	assert_int_equal(ns_global_forward_parse(S(NS_GLOBAL_STREAMLOCAL_FORWARD), d, &o),
	                 NS_ERR_FORMAT);
	d.len -= 4;
	assert_int_equal(ns_global_forward_parse(S(NS_GLOBAL_STREAMLOCAL_FORWARD), d, &o), 0);
	assert_int_equal(ns_global_forward_parse(S(NS_GLOBAL_TCPIP_FORWARD), d, &o), NS_ERR_FORMAT);
	assert_int_equal(o.host.len, 0);
	d.len = fwd_data(buf, sizeof(buf), "h", 70000);
	assert_int_equal(ns_global_forward_parse(S(NS_GLOBAL_TCPIP_FORWARD), d, &o), NS_ERR_FORMAT);
	assert_int_equal(ns_global_forward_parse(S("keepalive@openssh.com"), d, &o),
	                 NS_ERR_UNSUPPORTED);
}

typedef struct tctx {
	int requests, replies;
	int oks[8];
	uint32_t ports[8];
	char host[64];
	uint32_t port, id;
	int answer; /* answer each request at once with this port (0: later) */
} tctx;

static int cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	tctx *t = ud;

	if (side == 1 && ev->type == NS_EV_GLOBAL_REQUEST) {
		t->requests++;
		assert_int_equal(ns_str_copy(ev->fwd.host, t->host, sizeof(t->host)), 0);
		t->port = ev->fwd.port;
		t->id = ev->channel;
		if (t->answer) {
			assert_int_equal(
			    ns_global_reply(p->e[1], ev->channel, 1, (uint32_t)t->answer), 0);
		}
	}
	if (side == 0 && ev->type == NS_EV_GLOBAL_REPLY) {
		t->oks[t->replies] = ev->ok;
		t->ports[t->replies++] = ev->fwd.port;
	}
	return 0;
}

static void test_round_trip(void **state)
{
	ns_engine_config sc;
	uint8_t buf[256];
	size_t n;
	ns_pair p;
	tctx T;

	(void)state;
	memset(&T, 0, sizeof(T));
	ns_engine_config_init(&sc);
	sc.forward_requests = 1;
	assert_int_equal(ns_pair_init(&p, NULL, &sc), 0);
	n = fwd_data(buf, sizeof(buf), "127.0.0.1", 0);
	assert_int_equal(ns_global_request(p.e[0], NS_GLOBAL_TCPIP_FORWARD, buf, n, 1),
	                 NS_ERR_STATE);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_int_equal(ns_global_reply(p.e[1], 0, 1, 0), NS_ERR_STATE); /* none owed */
	T.answer = 43210;
	assert_int_equal(ns_global_request(p.e[0], NS_GLOBAL_TCPIP_FORWARD, buf, n, 1), 0);
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	assert_int_equal(T.requests, 1);
	assert_string_equal(T.host, "127.0.0.1");
	assert_int_equal(T.port, 0);
	assert_int_equal(T.replies, 1);
	assert_int_equal(T.oks[0], 1);
	assert_int_equal(T.ports[0], 43210);

	/* in order: the caller's pending answer holds back the engine's own
	 * FAILURE to a request behind it */
	T.answer = 0;
	assert_int_equal(ns_global_request(p.e[0], NS_GLOBAL_TCPIP_FORWARD, buf, n, 1), 0);
	assert_int_equal(ns_global_request(p.e[0], "other@example.com", NULL, 0, 1), 0);
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	assert_int_equal(T.requests, 2);
	assert_int_equal(T.replies, 1);
	assert_int_equal(ns_global_reply(p.e[1], T.id + 1, 0, 99), NS_ERR_STATE); /* not owed */
	assert_int_equal(ns_global_reply(p.e[1], T.id, 0, 99), 0);
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	assert_int_equal(T.replies, 3);
	assert_int_equal(T.oks[1], 0);
	assert_int_equal(T.ports[1], 0);
	assert_int_equal(T.oks[2], 0);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

/* A server that did not ask refuses them itself. */
static void test_refused(void **state)
{
	uint8_t buf[256];
	size_t n;
	ns_pair p;
	tctx T;

	(void)state;
	memset(&T, 0, sizeof(T));
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	n = fwd_data(buf, sizeof(buf), "127.0.0.1", 8080);
	assert_int_equal(ns_global_request(p.e[0], NS_GLOBAL_TCPIP_FORWARD, buf, n, 1), 0);
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	assert_int_equal(T.requests, 0);
	assert_int_equal(T.replies, 1);
	assert_int_equal(T.oks[0], 0);
	ns_pair_free(&p);
}

/* More than NS_GLOBAL_REPLIES_MAX unanswered: the connection ends. */
static void test_flood(void **state)
{
	ns_engine_config sc;
	uint8_t buf[256];
	size_t n;
	ns_pair p;
	tctx T;
	int i;

	(void)state;
	memset(&T, 0, sizeof(T));
	ns_engine_config_init(&sc);
	sc.forward_requests = 1;
	assert_int_equal(ns_pair_init(&p, NULL, &sc), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	n = fwd_data(buf, sizeof(buf), "127.0.0.1", 0);
	for (i = 0; i < NS_GLOBAL_REPLIES_MAX; i++) {
		assert_int_equal(ns_global_request(p.e[0], NS_GLOBAL_TCPIP_FORWARD, buf, n, 1), 0);
	}
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	assert_false(p.disconnected[1]);
	assert_int_equal(ns_global_request(p.e[0], NS_GLOBAL_TCPIP_FORWARD, buf, n, 1), 0);
	ns_pair_pump(&p, cb, &T, STEPS);
	assert_true(p.disconnected[1]);
	assert_int_equal(p.disc_error[1], NS_ERR_PROTOCOL);
	ns_pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_flood),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
