/* Tests for core/packet.c, opening what a peer must not send: every bit
 * flip of an encrypted packet, the wrong sequence number, and plaintext
 * packets with bad lengths or padding, all refused before the buffer is
 * touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "buf.h"
#include "lib_packet.h"
#include "nullspace/error.h"
#include "wire.h"

#define SLACK (NS_PACKET_MAX + 64) /* room for any length a flipped bit claims */

/* Every single-bit flip of an encrypted packet is refused before the buffer
 * is touched. Flips in the length field may be caught by the length checks
 * instead (FORMAT/TOOBIG); everywhere else it is the tag. */
static void test_bit_flips(void **state)
{
	uint8_t pl[40], *work, *copy;
	ns_pkt_dir tx, rx;
	size_t total, bit, need;
	ns_buf b;
	ns_str out;
	int rc, macs = 0;

	(void)state;
	tp_fill(pl, sizeof(pl), 9);
	tp_pair(&tx, &rx, 1);
	tx.seq = rx.seq = 1000;
	ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
	assert_int_equal(ns_pkt_seal(&tx, pl, sizeof(pl), &b), 0);
	total = b.len;
	work = calloc(1, total + SLACK);
	copy = calloc(1, total + SLACK);
	assert_non_null(work);
	assert_non_null(copy);
	for (bit = 0; bit < total * 8; bit++) {
		memcpy(work, b.p, total);
		work[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		memcpy(copy, work, total + SLACK);
		rc = ns_pkt_open(&rx, work, total + SLACK, &need, &out);
		if (bit < 32) {
			assert_true(rc == NS_ERR_MAC || rc == NS_ERR_FORMAT || rc == NS_ERR_TOOBIG);
		} else {
			assert_int_equal(rc, NS_ERR_MAC);
		}
		macs += rc == NS_ERR_MAC;
		assert_memory_equal(work, copy, total + SLACK);
		assert_null(out.p);
		assert_int_equal(out.len, 0);
		assert_int_equal(rx.seq, 1000);
		assert_int_equal(rx.packets, 0);
	}
	assert_true(macs > (int)(total - 4) * 8);
	/* And the untouched packet still opens. */
	assert_int_equal(ns_pkt_open(&rx, b.p, total, &need, &out), 0);
	assert_memory_equal(out.p, pl, sizeof(pl));
	free(work);
	free(copy);
	ns_buf_free(&b);
}

/* Re-encrypt the length field of a packet sealed under seq_from so that it
 * decrypts to the same value under seq_to (the tag is left alone). */
static void move_length(uint8_t *pkt, uint32_t seq_from, uint32_t seq_to)
{
	uint8_t n[8], ks[4];
	int i;

	ns_store64(n, seq_from);
	crypto_stream_chacha20(ks, 4, n, tp_key64 + 32);
	for (i = 0; i < 4; i++) {
		pkt[i] ^= ks[i];
	}
	ns_store64(n, seq_to);
	crypto_stream_chacha20(ks, 4, n, tp_key64 + 32);
	for (i = 0; i < 4; i++) {
		pkt[i] ^= ks[i];
	}
}

static void test_wrong_seq(void **state)
{
	uint8_t pl[64], copy[256];
	ns_pkt_dir tx, rx;
	size_t need;
	ns_buf b;
	ns_str out;
	int rc;

	(void)state;
	tp_fill(pl, sizeof(pl), 3);
	tp_pair(&tx, &rx, 1);
	tx.seq = 5;
	rx.seq = 6;
	ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
	assert_int_equal(ns_pkt_seal(&tx, pl, sizeof(pl), &b), 0);
	assert_true(b.len <= sizeof(copy));
	memcpy(copy, b.p, b.len);
	/* As received: the length decrypts to garbage and is refused. */
	rc = ns_pkt_open(&rx, b.p, b.len, &need, &out);
	assert_true(rc == NS_ERR_MAC || rc == NS_ERR_FORMAT || rc == NS_ERR_TOOBIG ||
	            rc == NS_ERR_AGAIN);
	assert_memory_equal(b.p, copy, b.len);
	/* With a length that decrypts fine under seq 6, the tag still fails:
	 * the sequence number is in the Poly1305 key and the body keystream. */
	move_length(b.p, 5, 6);
	memcpy(copy, b.p, b.len);
	assert_int_equal(ns_pkt_open(&rx, b.p, b.len, &need, &out), NS_ERR_MAC);
	assert_int_equal(need, b.len);
	assert_memory_equal(b.p, copy, b.len);
	assert_int_equal(rx.seq, 6);
	ns_buf_free(&b);
}

/* Build a plaintext packet by hand: length, padding length, payload, padding. */
static size_t plain_packet(uint8_t *p, uint32_t plen, uint8_t pad, size_t fill_len)
{
	ns_store32(p, plen);
	p[4] = pad;
	memset(p + 5, 0x5e, fill_len);
	return 4 + fill_len + 1;
}

static void test_lengths_plain(void **state)
{
	static uint8_t p[4 + NS_PACKET_MAX + 64];
	ns_pkt_dir rx;
	size_t need;
	ns_str out;

	(void)state;
	memset(&rx, 0, sizeof(rx));
	/* Over the limit, at 4 bytes already. */
	ns_store32(p, NS_PACKET_MAX + 4);
	assert_int_equal(ns_pkt_open(&rx, p, 4, &need, &out), NS_ERR_TOOBIG);
	ns_store32(p, UINT32_MAX);
	assert_int_equal(ns_pkt_open(&rx, p, 4, &need, &out), NS_ERR_TOOBIG);
	ns_store32(p, 0x80000004u);
	assert_int_equal(ns_pkt_open(&rx, p, 4, &need, &out), NS_ERR_TOOBIG);
	/* Too short or not aligned: (4 + packet_length) % 8 != 0. */
	ns_store32(p, 0);
	assert_int_equal(ns_pkt_open(&rx, p, 4, &need, &out), NS_ERR_FORMAT);
	ns_store32(p, 4);
	assert_int_equal(ns_pkt_open(&rx, p, 4, &need, &out), NS_ERR_FORMAT);
	ns_store32(p, 16);
	assert_int_equal(ns_pkt_open(&rx, p, 4, &need, &out), NS_ERR_FORMAT);
	ns_store32(p, 13);
	assert_int_equal(ns_pkt_open(&rx, p, 4, &need, &out), NS_ERR_FORMAT);
	/* The largest aligned length under the limit is accepted. */
	plain_packet(p, NS_PACKET_MAX - 4, 4, NS_PACKET_MAX - 4 - 1);
	assert_int_equal(ns_pkt_open(&rx, p, sizeof(p), &need, &out), 0);
	assert_int_equal(need, NS_PACKET_MAX);
	assert_int_equal(out.len, NS_PACKET_MAX - 4 - 1 - 4);
	/* Smallest valid: 12 = 1 + 1 payload byte + 10 padding. */
	plain_packet(p, 12, 10, 11);
	assert_int_equal(ns_pkt_open(&rx, p, 16, &need, &out), 0);
	assert_int_equal(out.len, 1);
	assert_int_equal(rx.seq, 2);
}

static void test_padding_plain(void **state)
{
	uint8_t p[64];
	ns_pkt_dir rx;
	size_t need;
	ns_str out;

	(void)state;
	memset(&rx, 0, sizeof(rx));
	plain_packet(p, 12, 3, 11); /* padding under 4 */
	assert_int_equal(ns_pkt_open(&rx, p, 16, &need, &out), NS_ERR_FORMAT);
	plain_packet(p, 12, 0, 11);
	assert_int_equal(ns_pkt_open(&rx, p, 16, &need, &out), NS_ERR_FORMAT);
	plain_packet(p, 12, 11, 11); /* empty payload: no message number */
	assert_int_equal(ns_pkt_open(&rx, p, 16, &need, &out), NS_ERR_FORMAT);
	plain_packet(p, 12, 12, 11); /* padding past the packet */
	assert_int_equal(ns_pkt_open(&rx, p, 16, &need, &out), NS_ERR_FORMAT);
	plain_packet(p, 12, 255, 11);
	assert_int_equal(ns_pkt_open(&rx, p, 16, &need, &out), NS_ERR_FORMAT);
	assert_null(out.p);
	assert_int_equal(rx.seq, 0);
	plain_packet(p, 12, 4, 11); /* 7 bytes of payload: fine */
	assert_int_equal(ns_pkt_open(&rx, p, 16, &need, &out), 0);
	assert_int_equal(out.len, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bit_flips),
	    cmocka_unit_test(test_wrong_seq),
	    cmocka_unit_test(test_lengths_plain),
	    cmocka_unit_test(test_padding_plain),
	};

	return cmocka_run_group_tests(tests, tp_setup, NULL);
}
