/* Connection messages in the middle of a key re-exchange, as asyncssh
 * sends them (its KEXINIT, then the CHANNEL_DATA and WINDOW_ADJUST that were
 * queued, then the rest of the exchange): the engine takes them as OpenSSH
 * does, from a client or a server peer and whichever side started the
 * rekey, while the first exchange under strict kex still refuses them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "chan.h"
#include "engine_int.h"
#include "lib_pair.h"

#define STEPS 10000
#define CHUNK 1000

typedef struct mctx {
	uint32_t id[2]; /* the channel on each side */
	int open[2];
	size_t got[2]; /* data bytes each side received */
} mctx;

static int cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	mctx *m = ud;

	switch (ev->type) {
	case NS_EV_CHANNEL_OPEN:
		assert_int_equal(ns_channel_accept(p->e[side], ev->channel), 0);
		m->id[side] = ev->channel;
		m->open[side] = 1;
		break;
	case NS_EV_CHANNEL_OPENED: m->open[side] = 1; break;
	case NS_EV_CHANNEL_DATA:
		m->got[side] += ev->data.len;
		assert_int_equal(ns_channel_consumed(p->e[side], ev->channel, ev->data.len), 0);
		break;
	default: break;
	}
	return 0;
}

static void open_channel(ns_pair *p, mctx *m)
{
	memset(m, 0, sizeof(*m));
	assert_int_equal(ns_pair_connect(p), 0);
	assert_int_equal(ns_channel_open_session(p->e[0], &m->id[0]), 0);
	assert_true(ns_pair_pump(p, cb, m, STEPS) >= 0);
	assert_true(m->open[0] && m->open[1]);
}

/* Side `side` sends data now although its KEXINIT is out, as a peer that
 * does not hold its queue back during a re-exchange would. */
static void send_mid_kex(ns_pair *p, mctx *m, int side)
{
	static uint8_t data[CHUNK];
	ns_engine *e = p->e[side];
	int saved = e->kex_state;
	size_t acc = 0;

	assert_int_not_equal(saved, NS_KX_NONE);
	e->kex_state = NS_KX_NONE; /* past the engine's own deferral */
	assert_int_equal(ns_channel_write(e, m->id[side], 0, data, sizeof(data), &acc), 0);
	e->kex_state = saved;
	assert_int_equal(acc, sizeof(data));
}

/* Everything `from` has to send, into the other side. */
static void move(ns_pair *p, int from)
{
	const uint8_t *out;
	size_t n, used = 0;

	out = ns_engine_output(p->e[from], &n);
	assert_int_equal(ns_engine_input(p->e[1 - from], out, n, &used), 0);
	ns_engine_output_ack(p->e[from], used);
}

/* starter begins the rekey; sender puts data on the wire between its own
 * KEXINIT and its NEWKEYS (after seeing the starter's KEXINIT when it is
 * not the starter). Both sides finish the exchange, the data arrives, and
 * data flows both ways under the new keys. */
static void run_case(int starter, int sender)
{
	ns_pair p;
	mctx m;
	uint32_t before;
	size_t acc;
	static const uint8_t after[] = "after the rekey";

	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	open_channel(&p, &m);
	before = ns_engine_kex_count(p.e[0]);
	assert_int_equal(ns_engine_rekey(p.e[starter]), 0);
	if (sender != starter) {
		move(&p, starter); /* its KEXINIT: the sender answers with its own */
	}
	send_mid_kex(&p, &m, sender);
	assert_true(ns_pair_pump(&p, cb, &m, STEPS) >= 0);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	assert_int_equal(m.got[1 - sender], CHUNK);
	assert_int_equal(ns_engine_kex_count(p.e[0]), before + 1);
	assert_int_equal(ns_engine_kex_count(p.e[1]), before + 1);
	assert_int_equal(ns_channel_write(p.e[0], m.id[0], 0, after, sizeof(after), &acc), 0);
	assert_int_equal(ns_channel_write(p.e[1], m.id[1], 0, after, sizeof(after), &acc), 0);
	assert_true(ns_pair_pump(&p, cb, &m, STEPS) >= 0);
	assert_int_equal(m.got[1 - sender], CHUNK + sizeof(after));
	assert_int_equal(m.got[sender], sizeof(after));
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

static void test_client_rekeys_and_sends(void **state)
{
	(void)state;
	run_case(0, 0);
}

static void test_server_rekeys_and_sends(void **state)
{
	(void)state;
	run_case(1, 1);
}

static void test_client_sends_in_server_rekey(void **state)
{
	(void)state;
	run_case(1, 0);
}

static void test_server_sends_in_client_rekey(void **state)
{
	(void)state;
	run_case(0, 1);
}

/* The first exchange is not a re-exchange: a connection message in it
 * still ends the connection (strict kex; and no keys to speak of yet). */
static void test_first_kex_still_strict(void **state)
{
	ns_pair p;
	ns_buf *msg;

	(void)state;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	/* version lines and KEXINITs, then a forged GLOBAL_REQUEST */
	move(&p, 0);
	move(&p, 1);
	move(&p, 0);
	msg = ns_eng_msg(p.e[0], SSH_MSG_GLOBAL_REQUEST);
	ns_wr_cstr(msg, "keepalive@openssh.com"); /* request name */
	ns_wr_u8(msg, 0);                         /* want reply */
	p.e[0]->kex_state = NS_KX_NONE;
	assert_int_equal(ns_eng_send(p.e[0]), 0);
	ns_pair_pump(&p, NULL, NULL, STEPS);
	assert_true(p.disconnected[1]);
	assert_int_equal(p.disc_reason[1], NS_DISC_PROTOCOL_ERROR);
	ns_pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_client_rekeys_and_sends),
	    cmocka_unit_test(test_server_rekeys_and_sends),
	    cmocka_unit_test(test_client_sends_in_server_rekey),
	    cmocka_unit_test(test_server_sends_in_client_rekey),
	    cmocka_unit_test(test_first_kex_still_strict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
