/* ns_channel_write_iov/_commit, the zero-copy channel output: the server
 * fills the room the engine gives it (partly, fully, not at all) on stdout
 * and stderr, through a small window and max packet, across key exchanges,
 * under each cipher family; the client sees every byte in order, no packet
 * over its max packet, nothing past its window. And the refusals: unknown
 * channel, bad ext, no room, a commit past the room. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "chan.h"
#include "lib_pair.h"
#include "nullspace/error.h"

#define WINDOW 32768
#define PACKET 4096
#define BYTES (6u * 1024 * 1024)
#define IOV 8

typedef struct tctx {
	uint32_t sid, cid;
	uint64_t sent[2], received[2], step;
	int bad, opened, writable, big_packet;
	uint32_t flip;
} tctx;

static tctx T;

static uint8_t pattern(int ext, uint64_t off)
{
	return (uint8_t)(off * 131 + (off >> 12) + (off >> 20) + (uint64_t)ext * 77);
}

/* How much of room the "child" gives this time: none, a little, a packet
 * and a bit, all of it. */
static size_t amount(tctx *t, size_t room)
{
	switch (t->step++ % 5) {
	case 0: return 0;
	case 1: return room < 100 ? room : 100;
	case 2: return room < PACKET + 7 ? room : PACKET + 7;
	default: return room;
	}
}

static void fill(ns_pair *p, tctx *t)
{
	struct iovec v[IOV];
	size_t room, want, n, i, k;
	uint8_t *q;
	int ext, nv;

	for (;;) {
		ext = (int)(t->flip++ % 3 == 2); /* stdout twice, then stderr */
		if (t->sent[0] + t->sent[1] >= 2 * (uint64_t)BYTES) {
			return;
		}
		if (t->sent[ext] >= BYTES) {
			ext = !ext;
		}
		nv = ns_channel_write_iov(p->e[1], t->sid, (uint32_t)ext, v, IOV);
		assert_true(nv >= 0 && nv <= IOV);
		if (nv == 0) {
			return;
		}
		for (room = 0, i = 0; i < (size_t)nv; i++) {
			assert_true(v[i].iov_len > 0 && v[i].iov_len <= PACKET);
			room += v[i].iov_len;
		}
		want = amount(t, room);
		if (want > BYTES - t->sent[ext]) {
			want = BYTES - t->sent[ext];
		}
		for (n = 0, i = 0; n < want; i++) {
			k = v[i].iov_len < want - n ? v[i].iov_len : want - n;
			q = v[i].iov_base;
			for (size_t j = 0; j < k; j++) {
				q[j] = pattern(ext, t->sent[ext] + n + j);
			}
			n += k;
		}
		assert_int_equal(ns_channel_write_commit(p->e[1], t->sid, (uint32_t)ext, want), 0);
		t->sent[ext] += want;
		assert_true(p->e[1]->chans[t->sid].remote_window <= WINDOW);
	}
}

static int cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	tctx *t = ud;
	size_t i;

	if (side == 0 && ev->type == NS_EV_CHANNEL_OPENED) {
		t->opened = 1;
	}
	if (side == 1 && ev->type == NS_EV_CHANNEL_OPEN) {
		t->sid = ev->channel;
		assert_int_equal(ns_channel_accept(p->e[1], ev->channel), 0);
	}
	if (side == 0 && ev->type == NS_EV_CHANNEL_DATA) {
		assert_true(ev->ext < 2);
		t->big_packet |= ev->data.len > PACKET;
		for (i = 0; i < ev->data.len; i++) {
			t->bad |= ev->data.p[i] != pattern((int)ev->ext, t->received[ev->ext] + i);
		}
		t->received[ev->ext] += ev->data.len;
		assert_int_equal(ns_channel_consumed(p->e[0], ev->channel, ev->data.len), 0);
	}
	if (side == 1 && ev->type == NS_EV_WRITABLE) {
		t->writable++;
		fill(p, t);
	}
	return 0;
}

static void open_pair(ns_pair *p, const char *cipher)
{
	ns_engine_config c = NS_ENGINE_CONFIG_INIT, s = NS_ENGINE_CONFIG_INIT;

	memset(&T, 0, sizeof(T));
	c.window = WINDOW;
	c.max_packet = PACKET;
	c.rekey_bytes = 2u * 1024 * 1024; /* rekeys mid-transfer */
	c.ciphers = cipher;
	s.ciphers = cipher;
	assert_int_equal(ns_pair_init(p, &c, &s), 0);
	assert_int_equal(ns_pair_connect(p), 0);
	assert_int_equal(ns_channel_open_session(p->e[0], &T.cid), 0);
	assert_true(ns_pair_pump(p, cb, &T, 1000) > 0);
	assert_true(T.opened);
}

static void bulk(const char *cipher)
{
	ns_pair p;

	open_pair(&p, cipher);
	fill(&p, &T);
	assert_true(ns_pair_pump(&p, cb, &T, 2000000) > 0);
	assert_int_equal(T.received[0], BYTES);
	assert_int_equal(T.received[1], BYTES);
	assert_false(T.bad);
	assert_false(T.big_packet);
	assert_true(T.writable > 0);                  /* the window ran out, and reopened */
	assert_true(ns_engine_kex_count(p.e[0]) > 2); /* rekeyed on the way */
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

static void test_bulk_gcm(void **state)
{
	(void)state;
	if (sodium_init() < 0 || !crypto_aead_aes256gcm_is_available()) {
		skip();
	}
	bulk("aes256-gcm@openssh.com");
}

static void test_bulk_chacha(void **state)
{
	(void)state;
	bulk("chacha20-poly1305@openssh.com");
}

static void test_bulk_ctr(void **state)
{
	(void)state;
	bulk("aes256-ctr");
}

static void test_refusals(void **state)
{
	struct iovec v[IOV];
	ns_pair p;
	int nv;

	(void)state;
	open_pair(&p, NULL);
	assert_int_equal(ns_channel_write_iov(p.e[1], T.sid + 7, 0, v, IOV), NS_ERR_CLOSED);
	assert_int_equal(ns_channel_write_iov(p.e[1], T.sid, 2, v, IOV), NS_ERR_INVALID);
	assert_int_equal(ns_channel_write_iov(p.e[1], T.sid, 0, NULL, IOV), NS_ERR_INVALID);
	assert_int_equal(ns_channel_write_iov(p.e[1], T.sid, 0, v, 0), NS_ERR_INVALID);
	/* nothing committed: nothing sent */
	assert_int_equal(ns_channel_write_commit(p.e[1], T.sid, 0, 0), 0);
	/* one span, one packet's data; a commit past the window is refused */
	nv = ns_channel_write_iov(p.e[1], T.sid, 0, v, 1);
	assert_int_equal(nv, 1);
	assert_int_equal(v[0].iov_len, PACKET);
	assert_int_equal(ns_channel_write_commit(p.e[1], T.sid, 0, WINDOW + 1), NS_ERR_INVALID);
	/* the whole window taken: no room, until the client gives it back */
	nv = ns_channel_write_iov(p.e[1], T.sid, 0, v, IOV);
	assert_int_equal(nv, IOV);
	memset(v[0].iov_base, 'x', 1);
	assert_int_equal(ns_channel_write_commit(p.e[1], T.sid, 0, 1), 0);
	assert_int_equal(p.e[1]->chans[T.sid].remote_window, WINDOW - 1);
	assert_int_equal(ns_channel_eof(p.e[1], T.sid), 0);
	assert_int_equal(ns_channel_write_iov(p.e[1], T.sid, 0, v, IOV), NS_ERR_STATE);
	assert_int_equal(ns_channel_write_commit(p.e[1], T.sid, 0, 1), NS_ERR_STATE);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bulk_gcm),
	    cmocka_unit_test(test_bulk_chacha),
	    cmocka_unit_test(test_bulk_ctr),
	    cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
