/* Tests for core/packet.c, sealing: round trips of every size with and
 * without chacha20-poly1305@openssh.com, packets back to back, sequence
 * wrap, rekeying and wiping, a full buffer, random padding, and the partial
 * input a reader sees before a whole packet is there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "buf.h"
#include "lib_packet.h"
#include "nullspace/error.h"
#include "wire.h"

/* Seal len bytes, check the framing, open it again and compare. */
static void round_trip(ns_pkt_dir *tx, ns_pkt_dir *rx, ns_buf *b, const uint8_t *pl, size_t len)
{
	size_t need, total, plen;
	uint32_t seq = tx->seq;
	ns_str out;

	ns_buf_reset(b);
	assert_int_equal(ns_pkt_seal(tx, pl, len, b), 0);
	assert_int_equal(tx->seq, seq + 1);
	total = b->len;
	plen = total - 4 - (tx->encrypted ? NS_POLY_TAG_LEN : 0);
	assert_true(total <= len + NS_PACKET_OVERHEAD);
	if (!tx->encrypted) {
		assert_int_equal(ns_load32(b->p), plen);
		assert_int_equal((4 + plen) % 8, 0);
		assert_in_range(b->p[4], 4, 11);
		assert_memory_equal(b->p + 5, pl, len);
	} else {
		assert_int_equal(plen % 8, 0);
	}
	assert_int_equal(ns_pkt_open(rx, b->p, b->len, &need, &out), 0);
	assert_int_equal(need, total);
	assert_int_equal(out.len, len);
	assert_memory_equal(out.p, pl, len);
	assert_ptr_equal(out.p, b->p + 5);
	assert_int_equal(rx->seq, tx->seq);
}

static void sizes(int keyed)
{
	static const size_t big[] = {
	    1000, 4095, 4096, 4097, 16384, 32768, 32769, 35000, 65000 - 8, NS_PAYLOAD_MAX,
	};
	uint8_t *pl = malloc(NS_PAYLOAD_MAX + 16);
	ns_pkt_dir tx, rx;
	ns_buf b;
	size_t i, n;

	assert_non_null(pl);
	tp_fill(pl, NS_PAYLOAD_MAX + 16, 1);
	ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
	tp_pair(&tx, &rx, keyed);
	for (n = 1; n <= 300; n++) {
		round_trip(&tx, &rx, &b, pl, n);
	}
	for (i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		round_trip(&tx, &rx, &b, pl, big[i]);
	}
	assert_int_equal(tx.packets, 300 + sizeof(big) / sizeof(big[0]));
	assert_int_equal(rx.packets, tx.packets);
	assert_int_equal(rx.bytes, tx.bytes);

	/* Nothing to send, or too much: refused, nothing written, seq kept. */
	ns_buf_reset(&b);
	n = tx.seq;
	assert_int_equal(ns_pkt_seal(&tx, pl, 0, &b), NS_ERR_INVALID);
	assert_int_equal(ns_pkt_seal(&tx, pl, NS_PAYLOAD_MAX + 1, &b), NS_ERR_TOOBIG);
	assert_int_equal(ns_pkt_seal(&tx, pl, 70000 - 16, &b), NS_ERR_TOOBIG);
	assert_int_equal(b.len, 0);
	assert_int_equal(tx.seq, n);
	ns_buf_free(&b);
	free(pl);
}

static void test_round_trip_plain(void **state)
{
	(void)state;
	sizes(0);
}

static void test_round_trip_keyed(void **state)
{
	(void)state;
	sizes(1);
}

/* A head and a body sealed apart (ns_pkt_seal2, as channel data is: the
 * body encrypted straight from the caller's buffer) give the very bytes of
 * the same payload sealed whole, for heads of every length the block
 * arithmetic cares about and bodies around the block and size edges; and
 * they open again. */
static void test_seal2_same_bytes(void **state)
{
	static const size_t heads[] = {1, 9, 13, 62};
	static const size_t bodies[] = {1,    100,  1023, 1024,  1025,  1087,
	                                1088, 1089, 4096, 32768, 32769, 65000 - 62};
	uint8_t *pl = malloc(NS_PAYLOAD_MAX);
	ns_pkt_dir tx, tx2, rx;
	ns_buf a, b;
	size_t h, i, need;
	ns_str out;

	(void)state;
	assert_non_null(pl);
	tp_fill(pl, NS_PAYLOAD_MAX, 5);
	ns_buf_init(&a, ns_allocator_libc(), TP_BUF_MAX);
	ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
	tp_pair(&tx, &rx, 1);
	for (h = 0; h < sizeof(heads) / sizeof(heads[0]); h++) {
		for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
			ns_buf_reset(&a);
			ns_buf_reset(&b);
			tx2 = tx; /* the same keys, sequence number and padding stream */
			assert_int_equal(
			    ns_pkt_seal2(&tx, pl, heads[h], pl + heads[h], bodies[i], &a), 0);
			assert_int_equal(ns_pkt_seal(&tx2, pl, heads[h] + bodies[i], &b), 0);
			assert_int_equal(a.len, b.len);
			assert_memory_equal(a.p, b.p, a.len);
			assert_int_equal(ns_pkt_open(&rx, a.p, a.len, &need, &out), 0);
			assert_int_equal(out.len, heads[h] + bodies[i]);
			assert_memory_equal(out.p, pl, out.len);
		}
	}
	ns_buf_free(&a);
	ns_buf_free(&b);
	free(pl);
}

/* Several packets back to back in one buffer, opened one after the other. */
static void test_stream(void **state)
{
	uint8_t pl[100];
	ns_pkt_dir tx, rx;
	ns_buf b;
	size_t off = 0, need;
	ns_str out;
	int i, keyed;

	(void)state;
	for (keyed = 0; keyed < 2; keyed++) {
		tp_pair(&tx, &rx, keyed);
		ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
		for (i = 0; i < 20; i++) {
			tp_fill(pl, sizeof(pl), (uint32_t)i);
			assert_int_equal(ns_pkt_seal(&tx, pl, (size_t)i + 1, &b), 0);
		}
		for (off = 0, i = 0; i < 20; i++) {
			tp_fill(pl, sizeof(pl), (uint32_t)i);
			assert_int_equal(ns_pkt_open(&rx, b.p + off, b.len - off, &need, &out), 0);
			assert_int_equal(out.len, (size_t)i + 1);
			assert_memory_equal(out.p, pl, out.len);
			off += need;
		}
		assert_int_equal(off, b.len);
		assert_int_equal(rx.seq, 20);
		ns_buf_free(&b);
	}
}

static void test_seq_wrap(void **state)
{
	uint8_t pl[] = {94, 1, 2, 3};
	ns_pkt_dir tx, rx;
	ns_buf b;
	int i, keyed;

	(void)state;
	for (keyed = 0; keyed < 2; keyed++) {
		tp_pair(&tx, &rx, keyed);
		tx.seq = rx.seq = UINT32_MAX - 2;
		ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
		for (i = 0; i < 5; i++) {
			round_trip(&tx, &rx, &b, pl, sizeof(pl));
		}
		assert_int_equal(tx.seq, 2);
		assert_int_equal(rx.seq, 2);
		ns_buf_free(&b);
	}
}

static void test_set_key_wipe(void **state)
{
	uint8_t pl[] = {21};
	ns_pkt_dir d;
	ns_buf b;
	size_t i;

	(void)state;
	memset(&d, 0, sizeof(d));
	ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
	assert_int_equal(ns_pkt_seal(&d, pl, 1, &b), 0);
	assert_int_equal(d.packets, 1);
	assert_int_equal(d.bytes, b.len);
	ns_pkt_set_key(&d, tp_key64);
	assert_int_equal(d.encrypted, 1);
	assert_int_equal(d.seq, 1); /* only strict kex resets it, and the caller does */
	assert_int_equal(d.packets, 0);
	assert_int_equal(d.bytes, 0);
	assert_memory_equal(d.key, tp_key64, sizeof(tp_key64));
	ns_pkt_wipe(&d);
	for (i = 0; i < sizeof(d.key); i++) {
		assert_int_equal(d.key[i], 0);
	}
	assert_int_equal(d.encrypted, 0);
	ns_buf_free(&b);
}

/* A buffer that cannot hold the packet: error, nothing consumed. */
static void test_seal_no_room(void **state)
{
	uint8_t store[40], pl[30] = {94};
	ns_pkt_dir d;
	ns_buf b;

	(void)state;
	memset(&d, 0, sizeof(d));
	ns_pkt_set_key(&d, tp_key64);
	ns_buf_init_fixed(&b, store, sizeof(store));
	assert_int_equal(ns_pkt_seal(&d, pl, sizeof(pl), &b), NS_ERR_NOMEM);
	assert_int_equal(b.len, 0);
	assert_int_equal(d.seq, 0);
	assert_int_equal(d.packets, 0);
}

/* Padding is random: the same payload sealed twice differs. */
static void test_padding_random(void **state)
{
	uint8_t pl[3] = {2, 0, 0};
	ns_pkt_dir d;
	ns_buf b;

	(void)state;
	memset(&d, 0, sizeof(d));
	ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
	assert_int_equal(ns_pkt_seal(&d, pl, 3, &b), 0);
	assert_int_equal(ns_pkt_seal(&d, pl, 3, &b), 0);
	assert_int_equal(b.len, 32);
	assert_int_equal(b.p[4], 8); /* 4 + 1 + 3 + 8 = 16 */
	assert_memory_equal(b.p, b.p + 16, 8);
	assert_memory_not_equal(b.p + 8, b.p + 24, 8);
	ns_buf_free(&b);
}

/* Partial input: AGAIN with *need 4 until the length is there, then the
 * packet size; the buffer is not touched until the packet is complete. */
static void test_partial(void **state)
{
	uint8_t pl[300], copy[512];
	ns_pkt_dir tx, rx;
	size_t avail, need;
	ns_buf b;
	ns_str out;
	int keyed;

	(void)state;
	tp_fill(pl, sizeof(pl), 4);
	for (keyed = 0; keyed < 2; keyed++) {
		tp_pair(&tx, &rx, keyed);
		ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
		assert_int_equal(ns_pkt_seal(&tx, pl, sizeof(pl), &b), 0);
		memcpy(copy, b.p, b.len);
		for (avail = 0; avail < b.len; avail++) {
			assert_int_equal(ns_pkt_open(&rx, b.p, avail, &need, &out), NS_ERR_AGAIN);
			assert_int_equal(need, avail < 4 ? 4 : b.len);
			assert_null(out.p);
			assert_memory_equal(b.p, copy, b.len);
		}
		assert_int_equal(rx.seq, 0);
		assert_int_equal(ns_pkt_open(&rx, b.p, b.len, &need, &out), 0);
		assert_memory_equal(out.p, pl, sizeof(pl));
		ns_buf_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_plain), cmocka_unit_test(test_round_trip_keyed),
	    cmocka_unit_test(test_stream),           cmocka_unit_test(test_seal2_same_bytes),
	    cmocka_unit_test(test_seq_wrap),         cmocka_unit_test(test_set_key_wipe),
	    cmocka_unit_test(test_seal_no_room),     cmocka_unit_test(test_padding_random),
	    cmocka_unit_test(test_partial),
	};

	return cmocka_run_group_tests(tests, tp_setup, NULL);
}
