/* Tests for core/packet.c: seal/open round trips with and without
 * chacha20-poly1305@openssh.com, sequence numbers, tampering, length and
 * padding checks, partial input, and a packet built independently here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "buf.h"
#include "nullspace/error.h"
#include "packet.h"
#include "wire.h"

#define BUF_MAX (1u << 20)
#define SLACK (NS_PACKET_MAX + 64) /* room for any length a flipped bit claims */

static uint8_t key64[NS_CHACHA_KEY_LEN];

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 8));
	}
}

static void pair(ns_pkt_dir *tx, ns_pkt_dir *rx, int keyed)
{
	memset(tx, 0, sizeof(*tx));
	memset(rx, 0, sizeof(*rx));
	if (keyed) {
		ns_pkt_set_key(tx, key64);
		ns_pkt_set_key(rx, key64);
	}
}

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
	fill(pl, NS_PAYLOAD_MAX + 16, 1);
	ns_buf_init(&b, ns_allocator_libc(), BUF_MAX);
	pair(&tx, &rx, keyed);
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
		pair(&tx, &rx, keyed);
		ns_buf_init(&b, ns_allocator_libc(), BUF_MAX);
		for (i = 0; i < 20; i++) {
			fill(pl, sizeof(pl), (uint32_t)i);
			assert_int_equal(ns_pkt_seal(&tx, pl, (size_t)i + 1, &b), 0);
		}
		for (off = 0, i = 0; i < 20; i++) {
			fill(pl, sizeof(pl), (uint32_t)i);
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
		pair(&tx, &rx, keyed);
		tx.seq = rx.seq = UINT32_MAX - 2;
		ns_buf_init(&b, ns_allocator_libc(), BUF_MAX);
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
	ns_buf_init(&b, ns_allocator_libc(), BUF_MAX);
	assert_int_equal(ns_pkt_seal(&d, pl, 1, &b), 0);
	assert_int_equal(d.packets, 1);
	assert_int_equal(d.bytes, b.len);
	ns_pkt_set_key(&d, key64);
	assert_int_equal(d.encrypted, 1);
	assert_int_equal(d.seq, 1); /* only strict kex resets it, and the caller does */
	assert_int_equal(d.packets, 0);
	assert_int_equal(d.bytes, 0);
	assert_memory_equal(d.key, key64, sizeof(key64));
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
	ns_pkt_set_key(&d, key64);
	ns_buf_init_fixed(&b, store, sizeof(store));
	assert_int_equal(ns_pkt_seal(&d, pl, sizeof(pl), &b), NS_ERR_NOMEM);
	assert_int_equal(b.len, 0);
	assert_int_equal(d.seq, 0);
	assert_int_equal(d.packets, 0);
}

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
	fill(pl, sizeof(pl), 9);
	pair(&tx, &rx, 1);
	tx.seq = rx.seq = 1000;
	ns_buf_init(&b, ns_allocator_libc(), BUF_MAX);
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
	crypto_stream_chacha20(ks, 4, n, key64 + 32);
	for (i = 0; i < 4; i++) {
		pkt[i] ^= ks[i];
	}
	ns_store64(n, seq_to);
	crypto_stream_chacha20(ks, 4, n, key64 + 32);
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
	fill(pl, sizeof(pl), 3);
	pair(&tx, &rx, 1);
	tx.seq = 5;
	rx.seq = 6;
	ns_buf_init(&b, ns_allocator_libc(), BUF_MAX);
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
	fill(pl, sizeof(pl), 4);
	for (keyed = 0; keyed < 2; keyed++) {
		pair(&tx, &rx, keyed);
		ns_buf_init(&b, ns_allocator_libc(), BUF_MAX);
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

/* An independent chacha20-poly1305@openssh.com, written the long way: one
 * keystream from counter 0 whose first 32 bytes are the Poly1305 key and
 * whose bytes from 64 on cover the body, XORed by hand. */
static size_t kat_seal(const uint8_t key[64], uint32_t seq, const uint8_t *plain, size_t plen4,
                       uint8_t *out)
{
	const uint8_t *k_main = key, *k_len = key + 32;
	uint8_t nonce[8] = {
	    0,           0, 0, 0, (uint8_t)(seq >> 24), (uint8_t)(seq >> 16), (uint8_t)(seq >> 8),
	    (uint8_t)seq};
	uint8_t *ks = malloc(64 + plen4);
	uint8_t lks[4];
	size_t i;

	assert_non_null(ks);
	crypto_stream_chacha20(lks, sizeof(lks), nonce, k_len);
	crypto_stream_chacha20(ks, 64 + plen4 - 4, nonce, k_main);
	for (i = 0; i < 4; i++) {
		out[i] = plain[i] ^ lks[i];
	}
	for (i = 4; i < plen4; i++) {
		out[i] = plain[i] ^ ks[64 + i - 4];
	}
	crypto_onetimeauth_poly1305(out + plen4, out, plen4, ks);
	free(ks);
	return plen4 + 16;
}

/* The same packet (key bytes i*13+1, seq 0x01020304, padding 9 x 0xaa)
 * computed once with OpenSSL's ChaCha20 and Poly1305 (Python cryptography,
 * counter || nonce block layout), independent of libsodium. */
static const uint8_t openssl_vector[44] = {
    0xff, 0x81, 0xde, 0xbd, 0x6c, 0x5f, 0x3f, 0x6d, 0x1f, 0x0f, 0xfb, 0x95, 0xa9, 0x2f, 0xdc,
    0xc2, 0x76, 0x15, 0x62, 0x16, 0xc6, 0x16, 0xab, 0xca, 0xfb, 0x0a, 0x34, 0x81, 0xb8, 0x12,
    0x4f, 0x3a, 0x5f, 0x50, 0xb3, 0x93, 0xb9, 0x69, 0x52, 0xae, 0x91, 0x61, 0x8e, 0x9e,
};

static void test_known_answer(void **state)
{
	static const uint8_t payload[] = "\x5e\x00\x00\x00\x00\x00\x00\x00\x05hello";
	uint8_t plain[64], mine[96], clear[4];
	ns_pkt_dir tx, rx;
	size_t n, len = sizeof(payload) - 1, need;
	uint32_t plen;
	ns_buf b;
	ns_str out;
	uint8_t nonce[8] = {0};
	int i;

	(void)state;
	/* Their packet, rebuilt here from its own decrypted plaintext. */
	pair(&tx, &rx, 1);
	tx.seq = rx.seq = 0x01020304;
	ns_buf_init(&b, ns_allocator_libc(), BUF_MAX);
	assert_int_equal(ns_pkt_seal(&tx, payload, len, &b), 0);
	ns_store64(nonce, 0x01020304);
	crypto_stream_chacha20(clear, 4, nonce, key64 + 32); /* K_1 is the second half */
	for (i = 0; i < 4; i++) {
		clear[i] ^= b.p[i];
	}
	plen = ns_load32(clear);
	assert_int_equal(plen, 24); /* 1 + 14 + 9 */
	assert_int_equal(b.len, 4 + plen + 16);
	{
		uint8_t ks[64 + 24];

		crypto_stream_chacha20(ks, sizeof(ks), nonce, key64);
		memcpy(plain, clear, 4);
		for (n = 4; n < 4 + plen; n++) {
			plain[n] = b.p[n] ^ ks[64 + n - 4];
		}
	}
	assert_int_equal(plain[4], 9);
	assert_memory_equal(plain + 5, payload, len);
	n = kat_seal(key64, 0x01020304, plain, 4 + plen, mine);
	assert_int_equal(n, b.len);
	assert_memory_equal(mine, b.p, n);

	/* Our packet, built from scratch with fixed padding, opened by them. */
	ns_store32(plain, 24);
	plain[4] = 9;
	memcpy(plain + 5, payload, len);
	memset(plain + 5 + len, 0xaa, 9);
	n = kat_seal(key64, 0x01020304, plain, 28, mine);
	assert_int_equal(n, sizeof(openssl_vector));
	assert_memory_equal(mine, openssl_vector, n);
	assert_int_equal(ns_pkt_open(&rx, mine, n, &need, &out), 0);
	assert_int_equal(need, n);
	assert_int_equal(out.len, len);
	assert_memory_equal(out.p, payload, len);

	/* Swapped key halves interoperate with nobody. */
	{
		uint8_t swapped[64];

		memcpy(swapped, key64 + 32, 32);
		memcpy(swapped + 32, key64, 32);
		n = kat_seal(swapped, 0x01020305, plain, 28, mine);
		assert_int_not_equal(ns_pkt_open(&rx, mine, n, &need, &out), 0);
	}
	ns_buf_free(&b);
}

/* Encrypted packets whose lengths or padding are wrong but whose tags are
 * right: the length checks (before the tag) and padding checks (after). */
static void test_lengths_keyed(void **state)
{
	static uint8_t plain[4 + NS_PACKET_MAX + 8 + 16], pkt[sizeof(plain) + 16];
	ns_pkt_dir rx;
	size_t n, need;
	ns_str out;

	(void)state;
	memset(&rx, 0, sizeof(rx));
	ns_pkt_set_key(&rx, key64);
	memset(plain, 0x5e, sizeof(plain));

	ns_store32(plain, NS_PACKET_MAX + 8);
	plain[4] = 4;
	n = kat_seal(key64, 0, plain, 4 + NS_PACKET_MAX + 8, pkt);
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), NS_ERR_TOOBIG);

	ns_store32(plain, 20); /* not a multiple of 8 */
	n = kat_seal(key64, 0, plain, 24, pkt);
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), NS_ERR_FORMAT);

	ns_store32(plain, 16);
	plain[4] = 3; /* padding under 4 */
	n = kat_seal(key64, 0, plain, 20, pkt);
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), NS_ERR_FORMAT);
	plain[4] = 15; /* no payload */
	n = kat_seal(key64, 0, plain, 20, pkt);
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), NS_ERR_FORMAT);
	assert_int_equal(rx.seq, 0);

	ns_store32(plain, NS_PACKET_MAX); /* the limit itself is fine */
	plain[4] = 7;
	n = kat_seal(key64, 0, plain, 4 + NS_PACKET_MAX, pkt);
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), 0);
	assert_int_equal(out.len, NS_PACKET_MAX - 8);
	assert_int_equal(rx.seq, 1);
}

/* Padding is random: the same payload sealed twice differs. */
static void test_padding_random(void **state)
{
	uint8_t pl[3] = {2, 0, 0};
	ns_pkt_dir d;
	ns_buf b;

	(void)state;
	memset(&d, 0, sizeof(d));
	ns_buf_init(&b, ns_allocator_libc(), BUF_MAX);
	assert_int_equal(ns_pkt_seal(&d, pl, 3, &b), 0);
	assert_int_equal(ns_pkt_seal(&d, pl, 3, &b), 0);
	assert_int_equal(b.len, 32);
	assert_int_equal(b.p[4], 8); /* 4 + 1 + 3 + 8 = 16 */
	assert_memory_equal(b.p, b.p + 16, 8);
	assert_memory_not_equal(b.p + 8, b.p + 24, 8);
	ns_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip_plain), cmocka_unit_test(test_round_trip_keyed),
	    cmocka_unit_test(test_stream),           cmocka_unit_test(test_seq_wrap),
	    cmocka_unit_test(test_set_key_wipe),     cmocka_unit_test(test_seal_no_room),
	    cmocka_unit_test(test_bit_flips),        cmocka_unit_test(test_wrong_seq),
	    cmocka_unit_test(test_lengths_plain),    cmocka_unit_test(test_padding_plain),
	    cmocka_unit_test(test_partial),          cmocka_unit_test(test_known_answer),
	    cmocka_unit_test(test_lengths_keyed),    cmocka_unit_test(test_padding_random),
	};
	size_t i;

	if (sodium_init() < 0) {
		return 1;
	}
	for (i = 0; i < sizeof(key64); i++) {
		key64[i] = (uint8_t)(i * 13 + 1);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
