/* nullspace-session@nullspace.dev, the relay's request to the agent that
 * carries the user's certificate key id, serial and address for the agent's
 * log: the parser (fields, limits, malformed bodies) and a round trip over
 * the in-memory pair (ns_channel_session_info, the peer's event's info). */
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

/* A request body: type, want reply, then key id, serial, source (the
 * source left out when NULL), then extra trailing bytes. */
static size_t body(uint8_t *out, size_t cap, const char *key_id, size_t key_len, uint64_t serial,
                   const char *source, size_t trailing)
{
	ns_buf b;

	ns_buf_init_fixed(&b, out, cap);
	ns_wr_cstr(&b, NS_CHAN_SESSION_INFO); /* request type */
	ns_wr_bool(&b, 0);                    /* want reply */
	ns_wr_string(&b, key_id, key_len);    /* key id */
	ns_wr_u64(&b, serial);                /* serial */
	if (source != NULL) {
		ns_wr_cstr(&b, source); /* source address */
	}
	while (trailing-- > 0) {
		ns_wr_u8(&b, 0);
	}
	assert_int_equal(b.err, 0);
	return b.len;
}

static ns_session_info I; /* the last parse's fields */

static int parse(const uint8_t *p, size_t n, ns_chan_request *q)
{
	ns_rd r;

	ns_rd_init(&r, p, n);
	return ns_chan_request_parse(&r, q, &I);
}

static void test_parse(void **state)
{
	static uint8_t buf[4096];
	static char big[NS_CHAN_KEY_ID_MAX + 1];
	ns_chan_request q;
	size_t n;

	(void)state;
	n = body(buf, sizeof(buf), "alice key", 9, 42, "192.0.2.7", 0);
	assert_int_equal(parse(buf, n, &q), 0);
	assert_true(ns_str_eq(q.type, NS_CHAN_SESSION_INFO));
	assert_int_equal(q.want_reply, 0);
	assert_true(ns_str_eq(I.key_id, "alice key"));
	assert_true(I.serial == 42);
	assert_true(ns_str_eq(I.source, "192.0.2.7"));

	/* the largest serial, empty strings */
	n = body(buf, sizeof(buf), "", 0, UINT64_MAX, "", 0);
	assert_int_equal(parse(buf, n, &q), 0);
	assert_true(I.serial == UINT64_MAX);
	assert_int_equal(I.key_id.len, 0);

	/* a key id of exactly the limit is taken; one byte more refuses the
	 * request alone, handing over no field */
	memset(big, 'k', sizeof(big));
	n = body(buf, sizeof(buf), big, NS_CHAN_KEY_ID_MAX, 1, "10.0.0.1", 0);
	assert_int_equal(parse(buf, n, &q), 0);
	assert_int_equal(I.key_id.len, NS_CHAN_KEY_ID_MAX);
	n = body(buf, sizeof(buf), big, NS_CHAN_KEY_ID_MAX + 1, 1, "10.0.0.1", 0);
	assert_int_equal(parse(buf, n, &q), NS_ERR_TOOBIG);
	assert_true(ns_str_eq(q.type, NS_CHAN_SESSION_INFO));
	assert_int_equal(I.key_id.len | I.source.len, 0);
	assert_true(I.serial == 0);
	n = body(buf, sizeof(buf), "id", 2, 1,
	         "01234567890123456789012345678901234567890123456789012345678901234", 0);
	assert_int_equal(parse(buf, n, &q), NS_ERR_TOOBIG);

	/* malformed: no source, trailing bytes, a cut serial; no field kept */
	n = body(buf, sizeof(buf), "id", 2, 7, NULL, 0);
	assert_int_equal(parse(buf, n, &q), NS_ERR_FORMAT);
	n = body(buf, sizeof(buf), "id", 2, 7, "127.0.0.1", 1);
	assert_int_equal(parse(buf, n, &q), NS_ERR_FORMAT);
	n = body(buf, sizeof(buf), "id", 2, 7, NULL, 0);
	assert_int_equal(parse(buf, n - 3, &q), NS_ERR_FORMAT);
	assert_int_equal(I.key_id.len, 0);
	/* another type never carries them */
	n = body(buf, sizeof(buf), "id", 2, 7, "127.0.0.1", 0);
	memcpy(buf + 4, "nullspace-sessioN", 17);
	assert_int_equal(parse(buf, n, &q), 0);
	assert_int_equal(I.key_id.len | I.source.len, 0);
	assert_true(I.serial == 0);
}

typedef struct tctx {
	int requests;
	char key_id[64], source[64];
	uint64_t serial;
	int want_reply;
} tctx;

static tctx T;

static int cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	tctx *t = ud;

	if (side == 1 && ev->type == NS_EV_CHANNEL_OPEN) {
		assert_int_equal(ns_channel_accept(p->e[1], ev->channel), 0);
	}
	if (side == 1 && ev->type == NS_EV_CHANNEL_REQUEST) {
		t->requests++;
		assert_int_equal(ns_str_copy(ev->info.key_id, t->key_id, sizeof(t->key_id)), 0);
		assert_int_equal(ns_str_copy(ev->info.source, t->source, sizeof(t->source)), 0);
		t->serial = ev->info.serial;
		t->want_reply = ev->req.want_reply;
	}
	return 0;
}

/* Our encoder against our parser, through a real connection. */
static void test_round_trip(void **state)
{
	static char big[NS_CHAN_KEY_ID_MAX + 1];
	ns_session_info q;
	ns_chan_request plain;
	uint32_t id;
	ns_pair p;

	(void)state;
	memset(&T, 0, sizeof(T));
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_int_equal(ns_channel_open_session(p.e[0], &id), 0);
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	memset(&q, 0, sizeof(q));
	q.key_id = S("ci-runner 7");
	q.serial = 1234567890123ULL;
	q.source = S("2001:db8::7");
	assert_int_equal(ns_channel_session_info(p.e[0], id, &q), 0);
	assert_true(ns_pair_pump(&p, cb, &T, STEPS) > 0);
	assert_int_equal(T.requests, 1);
	assert_string_equal(T.key_id, "ci-runner 7");
	assert_string_equal(T.source, "2001:db8::7");
	assert_true(T.serial == 1234567890123ULL);
	assert_int_equal(T.want_reply, 0);
	/* fields over the peer's limits are not sent */
	memset(big, 'k', sizeof(big));
	q.key_id.p = (const uint8_t *)big;
	q.key_id.len = sizeof(big);
	assert_int_equal(ns_channel_session_info(p.e[0], id, &q), NS_ERR_INVALID);
	/* ... nor the type without its fields, through the generic call */
	memset(&plain, 0, sizeof(plain));
	plain.type = S(NS_CHAN_SESSION_INFO);
	assert_int_equal(ns_channel_request(p.e[0], id, &plain), NS_ERR_INVALID);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
