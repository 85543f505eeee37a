/* Channel types beyond "session" (chan_open.c): the parser of their open
 * data (direct-tcpip, forwarded-tcpip, the two streamlocal ones: fields,
 * limits, malformed bodies) and ns_channel_open through the in-memory pair,
 * both ways (a server opening to a client that accepts channels, and a
 * client that does not). */
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

/* direct-tcpip / forwarded-tcpip data; port_extra bytes after it. */
static size_t tcpip(uint8_t *out, size_t cap, const char *host, size_t host_len, uint32_t port,
                    size_t trailing)
{
	ns_buf b;

	ns_buf_init_fixed(&b, out, cap);
	ns_wr_string(&b, host, host_len); /* host to connect */
	ns_wr_u32(&b, port);              /* port to connect */
	ns_wr_cstr(&b, "127.0.0.1");      /* originator IP address */
	ns_wr_u32(&b, 51000);             /* originator port */
	while (trailing-- > 0) {
		ns_wr_u8(&b, 0);
	}
	assert_int_equal(b.err, 0);
	return b.len;
}

static int parse(const char *type, const uint8_t *p, size_t n, ns_chan_open_info *o)
{
	ns_str d = {p, n};

	return ns_channel_open_parse(S(type), d, o);
}

static void test_parse_tcpip(void **state)
{
	static uint8_t buf[4096];
	static char big[NS_CHAN_HOST_MAX + 1];
	ns_chan_open_info o;
	size_t n;

	(void)state;
	n = tcpip(buf, sizeof(buf), "localhost", 9, 8080, 0);
	assert_int_equal(parse(NS_CHAN_DIRECT_TCPIP, buf, n, &o), 0);
	assert_true(ns_str_eq(o.host, "localhost"));
	assert_int_equal(o.port, 8080);
	assert_true(ns_str_eq(o.orig_host, "127.0.0.1"));
	assert_int_equal(o.orig_port, 51000);
	assert_int_equal(parse(NS_CHAN_FORWARDED_TCPIP, buf, n, &o), 0);
	assert_int_equal(o.port, 8080);
	/* a port over 65535, trailing bytes, a short body: malformed */
	n = tcpip(buf, sizeof(buf), "h", 1, 65536, 0);
	assert_int_equal(parse(NS_CHAN_DIRECT_TCPIP, buf, n, &o), NS_ERR_FORMAT);
	assert_int_equal(o.host.len, 0);
	n = tcpip(buf, sizeof(buf), "h", 1, 22, 1);
	assert_int_equal(parse(NS_CHAN_DIRECT_TCPIP, buf, n, &o), NS_ERR_FORMAT);
	assert_int_equal(parse(NS_CHAN_DIRECT_TCPIP, buf, n - 3, &o), NS_ERR_FORMAT);
	assert_int_equal(parse(NS_CHAN_DIRECT_TCPIP, buf, 0, &o), NS_ERR_FORMAT);
	/* a host over the limit or with a NUL: too big, nothing handed over */
	memset(big, 'a', sizeof(big));
	n = tcpip(buf, sizeof(buf), big, sizeof(big), 22, 0);
	assert_int_equal(parse(NS_CHAN_DIRECT_TCPIP, buf, n, &o), NS_ERR_TOOBIG);
	assert_int_equal(o.host.len, 0);
	n = tcpip(buf, sizeof(buf), big, sizeof(big) - 1, 22, 0);
	assert_int_equal(parse(NS_CHAN_DIRECT_TCPIP, buf, n, &o), 0);
	n = tcpip(buf, sizeof(buf), "a\0b", 3, 22, 0);
	assert_int_equal(parse(NS_CHAN_DIRECT_TCPIP, buf, n, &o), NS_ERR_TOOBIG);
	/* another type is not read */
	assert_int_equal(parse("session", buf, n, &o), NS_ERR_UNSUPPORTED);
	assert_int_equal(parse("x11", buf, n, &o), NS_ERR_UNSUPPORTED);
}

static void test_parse_streamlocal(void **state)
{
	uint8_t buf[256];
	ns_chan_open_info o;
	ns_buf b;

	(void)state;
	ns_buf_init_fixed(&b, buf, sizeof(buf));
	ns_wr_cstr(&b, "/run/app.sock"); /* socket path */
	ns_wr_cstr(&b, "");              /* reserved */
	ns_wr_u32(&b, 0);                /* reserved */
	assert_int_equal(parse(NS_CHAN_DIRECT_STREAMLOCAL, buf, b.len, &o), 0);
	assert_true(ns_str_eq(o.host, "/run/app.sock"));
	/* forwarded-streamlocal has no reserved uint32: four bytes too many */
	assert_int_equal(parse(NS_CHAN_FORWARDED_STREAMLOCAL, buf, b.len, &o), NS_ERR_FORMAT);
	assert_int_equal(parse(NS_CHAN_FORWARDED_STREAMLOCAL, buf, b.len - 4, &o), 0);
	/* and direct-streamlocal needs it */
	assert_int_equal(parse(NS_CHAN_DIRECT_STREAMLOCAL, buf, b.len - 4, &o), NS_ERR_FORMAT);
}

typedef struct tctx {
	int opens[2], opened, failed;
	char type[64], host[64];
	uint32_t port, reason;
	int accept;
} tctx;

static int cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	tctx *t = ud;
	ns_chan_open_info o;

	if (ev->type == NS_EV_CHANNEL_OPEN) {
		t->opens[side]++;
		assert_int_equal(ns_str_copy(ev->channel_type, t->type, sizeof(t->type)), 0);
		if (ns_str_eq(ev->channel_type, NS_CHAN_AGENT_FWD)) {
			assert_int_equal(ns_channel_open_agent_parse(ev->open_data, &t->port), 0);
		} else if (ns_channel_open_parse(ev->channel_type, ev->open_data, &o) == 0) {
			assert_int_equal(ns_str_copy(o.host, t->host, sizeof(t->host)), 0);
			t->port = o.port;
		}
		if (t->accept) {
			assert_int_equal(ns_channel_accept(p->e[side], ev->channel), 0);
		} else {
			assert_int_equal(ns_channel_reject(p->e[side], ev->channel,
			                                   NS_OPEN_CONNECT_FAILED, "refused"),
			                 0);
		}
	}
	t->opened += ev->type == NS_EV_CHANNEL_OPENED;
	if (ev->type == NS_EV_CHANNEL_OPEN_FAILED) {
		t->failed++;
		t->reason = ev->reason;
	}
	return 0;
}

/* A client's direct-tcpip reaches the server with its data; refused with
 * the server's reason. */
static void test_client_opens(void **state)
{
	uint8_t buf[256];
	uint32_t id;
	size_t n;
	ns_pair p;
	tctx T;

	(void)state;
	memset(&T, 0, sizeof(T));
	T.accept = 1;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	/* not before authentication */
	n = tcpip(buf, sizeof(buf), "localhost", 9, 3000, 0);
	assert_int_equal(ns_channel_open(p.e[0], NS_CHAN_DIRECT_TCPIP, buf, n, &id), NS_ERR_STATE);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_int_equal(ns_channel_open(p.e[0], NS_CHAN_DIRECT_TCPIP, buf, n, &id), 0);
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	assert_int_equal(T.opens[1], 1);
	assert_string_equal(T.type, NS_CHAN_DIRECT_TCPIP);
	assert_string_equal(T.host, "localhost");
	assert_int_equal(T.port, 3000);
	assert_int_equal(T.opened, 1);
	T.accept = 0;
	assert_int_equal(ns_channel_open(p.e[0], NS_CHAN_DIRECT_TCPIP, buf, n, &id), 0);
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	assert_int_equal(T.failed, 1);
	assert_int_equal(T.reason, NS_OPEN_CONNECT_FAILED);
	/* data over the limit is not sent */
	assert_int_equal(
	    ns_channel_open(p.e[0], NS_CHAN_DIRECT_TCPIP, buf, NS_CHAN_OPEN_DATA_MAX + 1, &id),
	    NS_ERR_INVALID);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

/* A server's forwarded-tcpip: refused by a plain client, passed to one
 * that accepts channels; a server still cannot open a session. */
static void test_server_opens(void **state)
{
	ns_engine_config cc;
	uint8_t buf[256];
	uint32_t id;
	size_t n;
	ns_pair p;
	tctx T;

	(void)state;
	memset(&T, 0, sizeof(T));
	T.accept = 1;
	n = tcpip(buf, sizeof(buf), "127.0.0.1", 9, 4000, 0);
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_int_equal(ns_channel_open_session(p.e[1], &id), NS_ERR_STATE);
	assert_int_equal(ns_channel_open(p.e[1], NS_CHAN_FORWARDED_TCPIP, buf, n, &id), 0);
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	assert_int_equal(T.opens[0], 0);
	assert_int_equal(T.failed, 1);
	assert_int_equal(T.reason, NS_OPEN_ADMINISTRATIVELY_PROHIBITED);
	ns_pair_free(&p);

	memset(&T, 0, sizeof(T));
	T.accept = 1;
	ns_engine_config_init(&cc);
	cc.accept_channels = 1;
	assert_int_equal(ns_pair_init(&p, &cc, NULL), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_int_equal(ns_channel_open(p.e[1], NS_CHAN_FORWARDED_TCPIP, buf, n, &id), 0);
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	assert_int_equal(T.opens[0], 1);
	assert_string_equal(T.type, NS_CHAN_FORWARDED_TCPIP);
	assert_int_equal(T.port, 4000);
	assert_int_equal(T.opened, 1);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

/* auth-agent@nullspace.dev: exactly one uint32; nothing handed over
 * otherwise. */
static void test_parse_agent(void **state)
{
	static const uint8_t ok[] = {0, 0, 1, 2}, longer[] = {0, 0, 1, 2, 0}, shorter[] = {0, 1};
	ns_str d;
	uint32_t v = 7;

	(void)state;
	d.p = ok;
	d.len = sizeof(ok);
	assert_int_equal(ns_channel_open_agent_parse(d, &v), 0);
	assert_int_equal(v, 258);
	d.p = longer;
	d.len = sizeof(longer);
	assert_int_equal(ns_channel_open_agent_parse(d, &v), NS_ERR_FORMAT);
	assert_int_equal(v, 0);
	v = 7;
	d.p = shorter;
	d.len = sizeof(shorter);
	assert_int_equal(ns_channel_open_agent_parse(d, &v), NS_ERR_FORMAT);
	assert_int_equal(v, 0);
	d.len = 0;
	assert_int_equal(ns_channel_open_agent_parse(d, &v), NS_ERR_FORMAT);
	/* not one of the forwarding types */
	assert_int_equal(parse(NS_CHAN_AGENT_FWD, ok, sizeof(ok), &(ns_chan_open_info){0}),
	                 NS_ERR_UNSUPPORTED);
}

/* The server opens auth-agent@nullspace.dev for a session the client
 * opened: the data names that session as the client numbers it; a
 * channel that is not open is refused before anything is sent. */
static void test_server_opens_agent(void **state)
{
	ns_engine_config cc;
	uint32_t a, b, id;
	ns_pair p;
	tctx T;

	(void)state;
	memset(&T, 0, sizeof(T));
	T.accept = 1;
	ns_engine_config_init(&cc);
	cc.accept_channels = 1;
	assert_int_equal(ns_pair_init(&p, &cc, NULL), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_int_equal(ns_channel_open_agent(p.e[1], 0, &id), NS_ERR_CLOSED);
	assert_int_equal(ns_channel_open_session(p.e[0], &a), 0);
	assert_int_equal(ns_channel_open_session(p.e[0], &b), 0);
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	assert_int_equal(T.opens[1], 2);
	assert_int_equal(ns_channel_open_agent(p.e[1], 1, &id), 0);
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	assert_int_equal(T.opens[0], 1);
	assert_string_equal(T.type, NS_CHAN_AGENT_FWD);
	assert_int_equal(T.port, b);
	assert_int_equal(ns_channel_open_agent(p.e[1], 9, &id), NS_ERR_CLOSED);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_tcpip),  cmocka_unit_test(test_parse_streamlocal),
	    cmocka_unit_test(test_client_opens), cmocka_unit_test(test_server_opens),
	    cmocka_unit_test(test_parse_agent),  cmocka_unit_test(test_server_opens_agent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
