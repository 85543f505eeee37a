/* Tests for core/packet.c against an independent chacha20-poly1305@openssh.com
 * written here the long way: a packet computed with OpenSSL both ways, and
 * encrypted packets with the right tag but a bad length or padding. */
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
	tp_pair(&tx, &rx, 1);
	tx.seq = rx.seq = 0x01020304;
	ns_buf_init(&b, ns_allocator_libc(), TP_BUF_MAX);
	assert_int_equal(ns_pkt_seal(&tx, payload, len, &b), 0);
	ns_store64(nonce, 0x01020304);
	crypto_stream_chacha20(clear, 4, nonce, tp_key64 + 32); /* K_1 is the second half */
	for (i = 0; i < 4; i++) {
		clear[i] ^= b.p[i];
	}
	plen = ns_load32(clear);
	assert_int_equal(plen, 24); /* 1 + 14 + 9 */
	assert_int_equal(b.len, 4 + plen + 16);
	{
		uint8_t ks[64 + 24];

		crypto_stream_chacha20(ks, sizeof(ks), nonce, tp_key64);
		memcpy(plain, clear, 4);
		for (n = 4; n < 4 + plen; n++) {
			plain[n] = b.p[n] ^ ks[64 + n - 4];
		}
	}
	assert_int_equal(plain[4], 9);
	assert_memory_equal(plain + 5, payload, len);
	n = kat_seal(tp_key64, 0x01020304, plain, 4 + plen, mine);
	assert_int_equal(n, b.len);
	assert_memory_equal(mine, b.p, n);

	/* Our packet, built from scratch with fixed padding, opened by them. */
	ns_store32(plain, 24);
	plain[4] = 9;
	memcpy(plain + 5, payload, len);
	memset(plain + 5 + len, 0xaa, 9);
	n = kat_seal(tp_key64, 0x01020304, plain, 28, mine);
	assert_int_equal(n, sizeof(openssl_vector));
	assert_memory_equal(mine, openssl_vector, n);
	assert_int_equal(ns_pkt_open(&rx, mine, n, &need, &out), 0);
	assert_int_equal(need, n);
	assert_int_equal(out.len, len);
	assert_memory_equal(out.p, payload, len);

	/* Swapped key halves interoperate with nobody. */
	{
		uint8_t swapped[64];

		memcpy(swapped, tp_key64 + 32, 32);
		memcpy(swapped + 32, tp_key64, 32);
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
	ns_pkt_set_key(&rx, tp_key64);
	memset(plain, 0x5e, sizeof(plain));

	ns_store32(plain, NS_PACKET_MAX + 8);
	plain[4] = 4;
	n = kat_seal(tp_key64, 0, plain, 4 + NS_PACKET_MAX + 8, pkt);
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), NS_ERR_TOOBIG);

	ns_store32(plain, 20); /* not a multiple of 8 */
	n = kat_seal(tp_key64, 0, plain, 24, pkt);
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), NS_ERR_FORMAT);

	ns_store32(plain, 16);
	plain[4] = 3; /* padding under 4 */
	n = kat_seal(tp_key64, 0, plain, 20, pkt);
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), NS_ERR_FORMAT);
	plain[4] = 15; /* no payload */
	n = kat_seal(tp_key64, 0, plain, 20, pkt);
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), NS_ERR_FORMAT);
	assert_int_equal(rx.seq, 0);

	ns_store32(plain, NS_PACKET_MAX); /* the limit itself is fine */
	plain[4] = 7;
	n = kat_seal(tp_key64, 0, plain, 4 + NS_PACKET_MAX, pkt);
	assert_int_equal(ns_pkt_open(&rx, pkt, n, &need, &out), 0);
	assert_int_equal(out.len, NS_PACKET_MAX - 8);
	assert_int_equal(rx.seq, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_answer),
	    cmocka_unit_test(test_lengths_keyed),
	};

	return cmocka_run_group_tests(tests, tp_setup, NULL);
}
