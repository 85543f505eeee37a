/* Tests for aes256-gcm@openssh.com in core/packet.c: packets computed with
 * OpenSSL (Python cryptography's AESGCM) opened here, our packets opened by
 * libsodium's one-shot AES-GCM with the IV the RFC says, the invocation
 * counter's carry and wrap, round trips of every size, and the refusals
 * (tag, length, replay) that must leave no plaintext and move nothing on. */
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

/* Key bytes i*13+1 (the first 32 of tp_key64), IV a0 a1 a2 a3 || counter,
 * padding 0xaa, computed with OpenSSL:
 * pkt1: counter 0x00000000ffffffff, payload 5e 00..00 05 "hello" (14), pad 17;
 * pkt2: counter 0x0000000100000000 (the carry), payload 02 00 00 00 00, pad 10;
 * wrapped: counter 0, the same payload (what follows ffffffffffffffff). */
static const uint8_t openssl_pkt1[52] = {
    0x00, 0x00, 0x00, 0x20, 0x0d, 0xe5, 0xcc, 0xf9, 0x92, 0x89, 0xbc, 0x2a, 0xee,
    0x2c, 0x22, 0x6e, 0x90, 0xc5, 0x6d, 0x0c, 0xc7, 0xe9, 0xd2, 0x49, 0x4b, 0x95,
    0x28, 0xce, 0x13, 0xb5, 0x6a, 0x57, 0x0e, 0x4f, 0x30, 0xf4, 0x82, 0x9b, 0xa3,
    0xa8, 0x50, 0x50, 0x23, 0x1a, 0x71, 0xcf, 0x87, 0xc1, 0x6b, 0x8c, 0x11, 0xed,
};
static const uint8_t openssl_pkt2[36] = {
    0x00, 0x00, 0x00, 0x10, 0x1a, 0xec, 0xa6, 0x55, 0x70, 0x1d, 0xb9, 0x0e,
    0xe5, 0xb7, 0xfc, 0x85, 0xb0, 0x91, 0x70, 0xb0, 0x6b, 0x20, 0xcd, 0xf9,
    0x0c, 0x3d, 0xc4, 0xef, 0x27, 0x2d, 0x98, 0xa8, 0xb5, 0xff, 0xee, 0x5c,
};
static const uint8_t openssl_wrapped[36] = {
    0x00, 0x00, 0x00, 0x10, 0xfb, 0x8c, 0x0a, 0x7e, 0x57, 0x7b, 0x56, 0x2d,
    0x2f, 0x97, 0x27, 0xc8, 0xb9, 0x43, 0xeb, 0x5e, 0x0e, 0x61, 0x8d, 0x12,
    0x1b, 0x01, 0x6a, 0x08, 0x52, 0xcf, 0x08, 0x0d, 0xd9, 0xbd, 0x8a, 0x95,
};
static const uint8_t hello[] = "\x5e\x00\x00\x00\x00\x00\x00\x00\x05hello";
static const uint8_t ignore[] = {2, 0, 0, 0, 0};

static int gcm_setup(void **state)
{
	if (tp_setup(state) != 0) {
		return -1;
	}
	if (!crypto_aead_aes256gcm_is_available()) {
		print_message("no AES-NI/PCLMUL: aes256-gcm@openssh.com is not offered here\n");
	}
	return 0;
}

/* Without AES-NI the cipher cannot be keyed: check that, then skip. */
static int no_gcm(void)
{
	ns_pkt_keys k = {.cipher = NS_PKT_AESGCM};
	ns_pkt_dir d;

	if (crypto_aead_aes256gcm_is_available()) {
		return 0;
	}
	memset(&d, 0, sizeof(d));
	assert_int_equal(ns_pkt_set_keys(&d, &k), NS_ERR_UNSUPPORTED);
	return 1;
}

#define NEED_GCM()                                                                                 \
	do {                                                                                       \
		if (no_gcm()) {                                                                    \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

/* The invocation counter + 1, byte by byte from the end (RFC 5647 7.1). */
static void next_iv(uint8_t iv[NS_GCM_IV_LEN])
{
	int i;

	for (i = NS_GCM_IV_LEN - 1; i >= 4; i--) {
		if (++iv[i] != 0) {
			break;
		}
	}
}

static void gcm_keys(ns_pkt_keys *k, uint64_t counter)
{
	memset(k, 0, sizeof(*k));
	k->cipher = NS_PKT_AESGCM;
	memcpy(k->key, tp_key64, NS_GCM_KEY_LEN);
	k->iv[0] = 0xa0;
	k->iv[1] = 0xa1;
	k->iv[2] = 0xa2;
	k->iv[3] = 0xa3;
	ns_store64(k->iv + 4, counter);
}

static void gcm_dir(ns_pkt_dir *d, uint64_t counter)
{
	ns_pkt_keys k;

	memset(d, 0, sizeof(*d));
	gcm_keys(&k, counter);
	assert_int_equal(ns_pkt_set_keys(d, &k), 0);
}

static void open_ok(ns_pkt_dir *rx, const uint8_t *pkt, size_t n, const uint8_t *want,
                    size_t want_len)
{
	uint8_t buf[256];
	size_t need;
	ns_str out;

	assert_true(n <= sizeof(buf));
	memcpy(buf, pkt, n);
	assert_int_equal(ns_pkt_open(rx, buf, n, &need, &out), 0);
	assert_int_equal(need, n);
	assert_int_equal(out.len, want_len);
	assert_memory_equal(out.p, want, want_len);
}

/* OpenSSL's packets open here, across the counter's carry into its upper
 * half and its wrap from all ones to zero; the fixed field never changes. */
static void test_openssl_packets(void **state)
{
	ns_pkt_dir rx, tx;
	ns_buf b;

	(void)state;
	NEED_GCM();
	gcm_dir(&rx, 0xffffffffULL);
	open_ok(&rx, openssl_pkt1, sizeof(openssl_pkt1), hello, sizeof(hello) - 1);
	open_ok(&rx, openssl_pkt2, sizeof(openssl_pkt2), ignore, sizeof(ignore));
	assert_int_equal(rx.seq, 2);

	gcm_dir(&tx, UINT64_MAX);
	gcm_dir(&rx, UINT64_MAX);
	ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
	assert_int_equal(ns_pkt_seal(&tx, ignore, sizeof(ignore), &b), 0);
	assert_int_equal(ns_load32(tx.iv), 0xa0a1a2a3);
	assert_int_equal(ns_load32(tx.iv + 4), 0);
	assert_int_equal(ns_load32(tx.iv + 8), 0);
	open_ok(&rx, b.p, b.len, ignore, sizeof(ignore));
	open_ok(&rx, openssl_wrapped, sizeof(openssl_wrapped), ignore, sizeof(ignore));
	assert_int_equal(ns_load32(rx.iv), 0xa0a1a2a3);
	assert_int_equal(ns_load32(rx.iv + 8), 1);
	ns_buf_free(&b);
	ns_pkt_wipe(&tx);
	ns_pkt_wipe(&rx);
}

/* Our packets, opened by libsodium's one-shot AES-GCM (its own key
 * schedule) with the IV of RFC 5647 7.1 and the clear length as AAD. */
static void test_sealed_as_specified(void **state)
{
	ns_pkt_keys k;
	ns_pkt_dir tx;
	uint8_t payload[300], body[400];
	size_t len, off = 0, i;
	uint32_t plen;
	ns_buf b;

	(void)state;
	NEED_GCM();
	gcm_keys(&k, 0x00000000fffffffeULL);
	gcm_dir(&tx, 0x00000000fffffffeULL);
	ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
	for (i = 0; i < 40; i++) {
		len = 1 + i * 7;
		tp_fill(payload, len, (uint32_t)i);
		assert_int_equal(ns_pkt_seal(&tx, payload, len, &b), 0);
		plen = ns_load32(b.p + off); /* uint32 packet_length, in clear */
		assert_int_equal(plen % 16, 0);
		assert_int_equal(b.len - off, 4 + plen + 16);
		assert_int_equal(crypto_aead_aes256gcm_decrypt_detached(body, NULL, b.p + off + 4,
		                                                        plen, b.p + off + 4 + plen,
		                                                        b.p + off, 4, k.iv, k.key),
		                 0);
		assert_true(body[0] >= 4 && body[0] <= 19); /* padding_length */
		assert_int_equal(1 + len + body[0], plen);
		assert_memory_equal(body + 1, payload, len);
		next_iv(k.iv);
		off = b.len;
	}
	assert_int_equal(tx.seq, 40);
	assert_memory_equal(tx.iv, k.iv, NS_GCM_IV_LEN);
	ns_buf_free(&b);
	ns_pkt_wipe(&tx);
}

/* Every payload size up to 600 and a few large ones, fed in slices. */
static void test_round_trip(void **state)
{
	static uint8_t payload[NS_PAYLOAD_MAX];
	static const size_t big[] = {4096, 32768 + 9, NS_PAYLOAD_MAX};
	ns_pkt_dir tx, rx;
	size_t len, need, fed, i;
	ns_str out;
	ns_buf b;

	(void)state;
	NEED_GCM();
	gcm_dir(&tx, 7);
	gcm_dir(&rx, 7);
	ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
	for (i = 0; i < 600 + sizeof(big) / sizeof(big[0]); i++) {
		len = i < 600 ? i + 1 : big[i - 600];
		tp_fill(payload, len, (uint32_t)i);
		ns_buf_reset(&b);
		assert_int_equal(ns_pkt_seal(&tx, payload, len, &b), 0);
		assert_true(b.len <= len + NS_PACKET_OVERHEAD);
		for (fed = 1; ns_pkt_open(&rx, b.p, fed, &need, &out) == NS_ERR_AGAIN; fed = need) {
			assert_true(need > fed && need <= b.len);
		}
		assert_int_equal(fed, b.len);
		assert_int_equal(out.len, len);
		assert_memory_equal(out.p, payload, len);
		assert_memory_equal(rx.iv, tx.iv, NS_GCM_IV_LEN);
	}
	assert_int_equal(rx.seq, tx.seq);
	ns_buf_free(&b);
	ns_pkt_wipe(&tx);
	ns_pkt_wipe(&rx);
}

/* A refused packet: the error, no byte of its plaintext left in the
 * buffer, and neither seq nor the IV moved (the genuine packet still opens). */
static void refused(ns_pkt_dir *rx, const uint8_t *good, size_t n, size_t at, uint8_t flip,
                    int want)
{
	uint8_t buf[256], iv[NS_GCM_IV_LEN];
	uint32_t seq = rx->seq;
	size_t need;
	ns_str out;

	memcpy(buf, good, n);
	buf[at] ^= flip;
	memcpy(iv, rx->iv, sizeof(iv));
	assert_int_equal(ns_pkt_open(rx, buf, n, &need, &out), want);
	assert_null(out.p);
	assert_null(memmem(buf, n, "hello", 5));
	assert_int_equal(rx->seq, seq);
	assert_memory_equal(rx->iv, iv, sizeof(iv));
	open_ok(rx, good, n, hello, sizeof(hello) - 1);
	gcm_dir(rx, 0xffffffffULL); /* back to before the genuine packet */
	rx->seq = seq;
}

static void test_refusals(void **state)
{
	const uint8_t *p1 = openssl_pkt1;
	size_t n = sizeof(openssl_pkt1), need;
	uint8_t buf[sizeof(openssl_pkt1)];
	ns_pkt_dir rx;
	ns_str out;

	(void)state;
	NEED_GCM();
	gcm_dir(&rx, 0xffffffffULL);
	refused(&rx, p1, n, n - 1, 0x01, NS_ERR_MAC); /* tag */
	refused(&rx, p1, n, 4, 0x01, NS_ERR_MAC);     /* padding_length */
	refused(&rx, p1, n, 12, 0x80, NS_ERR_MAC);    /* payload */
	refused(&rx, p1, n, 3, 0x30, NS_ERR_MAC);     /* length 0x10: AAD and tag wrong */
	refused(&rx, p1, n, 3, 0x01, NS_ERR_FORMAT);  /* length not a multiple of 16 */
	refused(&rx, p1, n, 3, 0x28, NS_ERR_FORMAT);  /* length 8: a multiple of 8 only */
	refused(&rx, p1, n, 1, 0x01, NS_ERR_TOOBIG);  /* length 65568 */
	refused(&rx, p1, n, 0, 0x80, NS_ERR_TOOBIG);  /* length 2^31 + 32 */
	rx.iv[3] ^= 1;                                /* the fixed field counts */
	memcpy(buf, p1, n);
	assert_int_equal(ns_pkt_open(&rx, buf, n, &need, &out), NS_ERR_MAC);
	assert_null(memmem(buf, n, "hello", 5));
	assert_int_equal(rx.seq, 0);
	ns_pkt_wipe(&rx);
}

/* The same packet twice, or packets out of order: the IV has moved on. */
static void test_replay_and_reorder(void **state)
{
	uint8_t buf[sizeof(openssl_pkt1)];
	ns_pkt_dir rx;
	size_t need;
	ns_str out;

	(void)state;
	NEED_GCM();
	gcm_dir(&rx, 0xffffffffULL);
	memcpy(buf, openssl_pkt2, sizeof(openssl_pkt2));
	assert_int_equal(ns_pkt_open(&rx, buf, sizeof(openssl_pkt2), &need, &out), NS_ERR_MAC);
	open_ok(&rx, openssl_pkt1, sizeof(openssl_pkt1), hello, sizeof(hello) - 1);
	memcpy(buf, openssl_pkt1, sizeof(openssl_pkt1));
	assert_int_equal(ns_pkt_open(&rx, buf, sizeof(openssl_pkt1), &need, &out), NS_ERR_MAC);
	open_ok(&rx, openssl_pkt2, sizeof(openssl_pkt2), ignore, sizeof(ignore));
	ns_pkt_wipe(&rx);
}

/* A packet of plen bytes after the length, padding_length pad, sealed with
 * a right tag by libsodium's one-shot AES-GCM at the IV in k. */
static size_t tagged(const ns_pkt_keys *k, uint32_t plen, uint8_t pad, uint8_t *pkt)
{
	memset(pkt, 0x5e, 4 + plen);
	ns_store32(pkt, plen);
	pkt[4] = pad;
	crypto_aead_aes256gcm_encrypt_detached(pkt + 4, pkt + 4 + plen, NULL, pkt + 4, plen, pkt, 4,
	                                       NULL, k->iv, k->key);
	return 4 + plen + 16;
}

/* Right tags, wrong padding: refused after decryption with nothing moved
 * on; a packet_length of exactly NS_PACKET_MAX is taken. */
static void test_lengths_tagged(void **state)
{
	static uint8_t pkt[4 + NS_PACKET_MAX + 16];
	ns_pkt_keys k;
	ns_pkt_dir rx;
	size_t n, need;
	ns_str out;

	(void)state;
	NEED_GCM();
	gcm_keys(&k, 1);
	gcm_dir(&rx, 1);
	n = tagged(&k, 32, 3, pkt); /* padding under 4 */
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), NS_ERR_FORMAT);
	n = tagged(&k, 32, 31, pkt); /* no payload */
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), NS_ERR_FORMAT);
	assert_int_equal(rx.seq, 0);
	assert_memory_equal(rx.iv, k.iv, NS_GCM_IV_LEN);
	n = tagged(&k, NS_PACKET_MAX, 11, pkt);
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), 0);
	assert_int_equal(out.len, NS_PACKET_MAX - 12);
	assert_int_equal(rx.seq, 1);
	ns_pkt_wipe(&rx);
}

/* Names, and what changing keys leaves behind. */
static void test_keys_and_names(void **state)
{
	static const uint8_t zero[sizeof(crypto_aead_aes256gcm_state)];
	ns_pkt_keys k = {0};
	ns_pkt_dir d;
	ns_str s;

	(void)state;
	s.p = (const uint8_t *)"aes256-gcm@openssh.com";
	s.len = 22;
	assert_int_equal(ns_pkt_cipher_by_name(s), NS_PKT_AESGCM);
	s.len = 21;
	assert_int_equal(ns_pkt_cipher_by_name(s), NS_PKT_NONE);
	assert_string_equal(ns_pkt_cipher_name(NS_PKT_CHACHA), "chacha20-poly1305@openssh.com");
	assert_string_equal(ns_pkt_cipher_name(NS_PKT_NONE), "none");
	memset(&d, 0, sizeof(d));
	k.cipher = 7;
	assert_int_equal(ns_pkt_set_keys(&d, &k), NS_ERR_INVALID);
	assert_int_equal(d.encrypted, 0);
	NEED_GCM();
	assert_int_equal((uintptr_t)&d.gcm % 16, 0);
	gcm_dir(&d, 3);
	assert_memory_not_equal(&d.gcm, zero, sizeof(zero));
	ns_pkt_set_key(&d, tp_key64); /* rekey to chacha20-poly1305 */
	assert_int_equal(d.cipher, NS_PKT_CHACHA);
	assert_memory_equal(&d.gcm, zero, sizeof(zero));
	ns_pkt_wipe(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_openssl_packets),    cmocka_unit_test(test_sealed_as_specified),
	    cmocka_unit_test(test_round_trip),         cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_replay_and_reorder), cmocka_unit_test(test_lengths_tagged),
	    cmocka_unit_test(test_keys_and_names),
	};

	return cmocka_run_group_tests(tests, gcm_setup, NULL);
}
