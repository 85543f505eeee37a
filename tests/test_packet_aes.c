/* Tests for aes128-gcm@openssh.com and aes128/256-ctr with
 * hmac-sha2-256/512 and their -etm@openssh.com forms (core/packet.c,
 * packet_mac.c, cipher_aes.c, mac.c): packets built by Python's cryptography
 * and hmac (tests/kat/gen_packet_aes.py) opened here, with the GCM
 * invocation counter wrapping and the CTR counter carrying past 32 bits;
 * every single-byte change refused; the sequence number inside the MAC;
 * the encrypted length of non-etm packets learnt from the first block; and
 * round trips of every size for every cipher and MAC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "kat/packet_aes.h"
#include "lib_packet.h"
#include "nullspace/error.h"
#include "wire.h"

#define KAT_SEQ 7 /* the sequence number of the first vector packet */

struct kat {
	const char *name;
	int cipher, mac;
	const uint8_t *pkt;
	size_t len;
};

static const struct kat kats[] = {
    {"aes128-gcm", NS_PKT_AES128GCM, NS_MAC_NONE, kat_gcm128, sizeof(kat_gcm128)},
    {"aes256-gcm", NS_PKT_AESGCM, NS_MAC_NONE, kat_gcm256, sizeof(kat_gcm256)},
    {"aes128-ctr etm256", NS_PKT_AES128CTR, NS_MAC_SHA256_ETM, kat_ctr128_etm256,
     sizeof(kat_ctr128_etm256)},
    {"aes256-ctr etm512", NS_PKT_AES256CTR, NS_MAC_SHA512_ETM, kat_ctr256_etm512,
     sizeof(kat_ctr256_etm512)},
    {"aes128-ctr sha256", NS_PKT_AES128CTR, NS_MAC_SHA256, kat_ctr128_sha256,
     sizeof(kat_ctr128_sha256)},
    {"aes256-ctr sha512", NS_PKT_AES256CTR, NS_MAC_SHA512, kat_ctr256_sha512,
     sizeof(kat_ctr256_sha512)},
};
#define NKATS (sizeof(kats) / sizeof(kats[0]))

/* Every cipher x MAC we run (the MAC only with CTR). */
static const int combos[][2] = {
    {NS_PKT_AES128GCM, NS_MAC_NONE},       {NS_PKT_AESGCM, NS_MAC_NONE},
    {NS_PKT_CHACHA, NS_MAC_NONE},          {NS_PKT_AES128CTR, NS_MAC_SHA256_ETM},
    {NS_PKT_AES128CTR, NS_MAC_SHA512_ETM}, {NS_PKT_AES128CTR, NS_MAC_SHA256},
    {NS_PKT_AES128CTR, NS_MAC_SHA512},     {NS_PKT_AES256CTR, NS_MAC_SHA256_ETM},
    {NS_PKT_AES256CTR, NS_MAC_SHA512_ETM}, {NS_PKT_AES256CTR, NS_MAC_SHA256},
    {NS_PKT_AES256CTR, NS_MAC_SHA512},
};
#define NCOMBOS (sizeof(combos) / sizeof(combos[0]))

static const uint8_t payload1[] = "\x05\x00\x00\x00\x0cssh-userauth";

/* The keys of the vectors: key bytes 0x10.., MAC key 0x40.., the IVs of
 * gen_packet_aes.py. Returns 0, or -1 when this CPU cannot run it. */
static int keyed(ns_pkt_dir *d, int cipher, int mac)
{
	static const uint8_t gcm_iv[12] = {0xa0, 0xa1, 0xa2, 0xa3, 0xff, 0xff,
	                                   0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t ctr_iv[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	                                   0x88, 0x99, 0xaa, 0xbb, 0xff, 0xff, 0xff, 0xfe};
	ns_pkt_keys k;
	int i;

	memset(d, 0, sizeof(*d));
	memset(&k, 0, sizeof(k));
	k.cipher = cipher;
	k.mac = mac;
	for (i = 0; i < NS_PKT_KEY_MAX; i++) {
		k.key[i] = (uint8_t)(0x10 + i);
	}
	for (i = 0; i < NS_MAC_KEY_MAX; i++) {
		k.mac_key[i] = (uint8_t)(0x40 + i);
	}
	memcpy(k.iv, ns_pkt_iv_len(cipher) == 12 ? gcm_iv : ctr_iv, ns_pkt_iv_len(cipher));
	if (!ns_pkt_cipher_available(cipher)) {
		assert_int_equal(ns_pkt_set_keys(d, &k), NS_ERR_UNSUPPORTED);
		return -1;
	}
	assert_int_equal(ns_pkt_set_keys(d, &k), 0);
	d->seq = KAT_SEQ;
	return 0;
}

/* Open the vector's two packets; returns the first packet's size. */
static size_t open_kat(const struct kat *t, uint8_t *buf)
{
	uint8_t want2[201];
	ns_pkt_dir rx;
	size_t need, n1;
	ns_str pl;

	if (keyed(&rx, t->cipher, t->mac) != 0) {
		return 0;
	}
	memcpy(buf, t->pkt, t->len);
	assert_int_equal(ns_pkt_open(&rx, buf, t->len, &need, &pl), 0);
	assert_int_equal(pl.len, sizeof(payload1) - 1);
	assert_memory_equal(pl.p, payload1, pl.len);
	assert_int_equal(rx.seq, KAT_SEQ + 1);
	n1 = need;
	want2[0] = 94;
	for (need = 0; need < 200; need++) {
		want2[need + 1] = (uint8_t)need;
	}
	assert_int_equal(ns_pkt_open(&rx, buf + n1, t->len - n1, &need, &pl), 0);
	assert_int_equal(n1 + need, t->len);
	assert_int_equal(pl.len, sizeof(want2));
	assert_memory_equal(pl.p, want2, sizeof(want2));
	ns_pkt_wipe(&rx);
	return n1;
}

static void test_kat_open(void **state)
{
	uint8_t buf[512];
	size_t i;

	(void)state;
	for (i = 0; i < NKATS; i++) {
		print_message("%s\n", kats[i].name);
		open_kat(&kats[i], buf);
	}
}

/* One byte changed anywhere in the first packet: refused, no plaintext
 * payload, nothing moved on (the unchanged packet opens afterwards). */
static void test_kat_tamper(void **state)
{
	uint8_t buf[512];
	ns_pkt_dir rx;
	size_t i, pos, n1, need;
	ns_str pl;
	int rc;

	(void)state;
	for (i = 0; i < NKATS; i++) {
		n1 = open_kat(&kats[i], buf);
		if (n1 == 0) {
			continue;
		}
		assert_int_equal(keyed(&rx, kats[i].cipher, kats[i].mac), 0);
		for (pos = 0; pos < n1; pos++) {
			memcpy(buf, kats[i].pkt, n1);
			buf[pos] ^= 0x01;
			rc = ns_pkt_open(&rx, buf, n1, &need, &pl);
			assert_int_not_equal(rc, 0);
			assert_null(pl.p);
			if (pos >= 16) { /* past any length field: the tag decides */
				assert_int_equal(rc, NS_ERR_MAC);
			}
			assert_int_equal(rx.seq, KAT_SEQ);
		}
		memcpy(buf, kats[i].pkt, n1);
		assert_int_equal(ns_pkt_open(&rx, buf, n1, &need, &pl), 0);
		assert_memory_equal(pl.p, payload1, sizeof(payload1) - 1);
		ns_pkt_wipe(&rx);
	}
}

/* The MAC covers the sequence number: one off is a MAC error. */
static void test_kat_wrong_seq(void **state)
{
	uint8_t buf[512];
	ns_pkt_dir rx;
	size_t i, need;
	ns_str pl;

	(void)state;
	for (i = 2; i < NKATS; i++) {
		assert_int_equal(keyed(&rx, kats[i].cipher, kats[i].mac), 0);
		rx.seq = KAT_SEQ + 1;
		memcpy(buf, kats[i].pkt, kats[i].len);
		assert_int_equal(ns_pkt_open(&rx, buf, kats[i].len, &need, &pl), NS_ERR_MAC);
		ns_pkt_wipe(&rx);
	}
}

/* Non-etm: the length is encrypted, so a whole block is needed to learn it;
 * -etm and GCM: the 4 clear bytes are enough. */
static void test_length_needs(void **state)
{
	uint8_t buf[512];
	ns_pkt_dir rx;
	size_t i, avail, need, want_head;
	ns_str pl;

	(void)state;
	for (i = 0; i < NKATS; i++) {
		if (keyed(&rx, kats[i].cipher, kats[i].mac) != 0) {
			continue;
		}
		want_head = kats[i].mac == NS_MAC_SHA256 || kats[i].mac == NS_MAC_SHA512 ? 16 : 4;
		memcpy(buf, kats[i].pkt, kats[i].len);
		for (avail = 0; avail < want_head; avail++) {
			assert_int_equal(ns_pkt_open(&rx, buf, avail, &need, &pl), NS_ERR_AGAIN);
			assert_int_equal(need, want_head);
		}
		assert_int_equal(ns_pkt_open(&rx, buf, want_head, &need, &pl), NS_ERR_AGAIN);
		assert_true(need > want_head);
		assert_int_equal(ns_pkt_open(&rx, buf, need - 1, &need, &pl), NS_ERR_AGAIN);
		assert_int_equal(ns_pkt_open(&rx, buf, need, &need, &pl), 0);
		assert_memory_equal(buf, kats[i].pkt + need, 0); /* buf is ours again */
		ns_pkt_wipe(&rx);
	}
}

/* An encrypted length over NS_PACKET_MAX or off the block is refused from
 * the first block, before the rest could be waited for. */
static void test_bad_lengths(void **state)
{
	static const uint32_t lens[] = {NS_PACKET_MAX + 12, 0xfffffff4, 0, 11, 27};
	uint8_t buf[64];
	ns_pkt_dir rx;
	size_t i, need;
	ns_str pl;

	(void)state;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		assert_int_equal(keyed(&rx, NS_PKT_AES128CTR, NS_MAC_SHA256), 0);
		memset(buf, 0, sizeof(buf));
		ns_store32(buf, lens[i]);
		buf[4] = 4;
		ns_aes_ctr_xor(&rx.aes, buf, 16);
		assert_int_equal(keyed(&rx, NS_PKT_AES128CTR, NS_MAC_SHA256), 0);
		assert_int_equal(ns_pkt_open(&rx, buf, 16, &need, &pl),
		                 lens[i] > NS_PACKET_MAX ? NS_ERR_TOOBIG : NS_ERR_FORMAT);
		ns_pkt_wipe(&rx);
	}
}

/* Seal and open every size with every cipher and MAC: alignment, padding,
 * sizes and the counters both sides keep. */
static void test_round_trip_all(void **state)
{
	static uint8_t data[NS_PAYLOAD_MAX], out[NS_PAYLOAD_MAX + NS_PACKET_OVERHEAD];
	ns_pkt_dir tx, rx;
	size_t c, len, need, tag, total;
	ns_buf b;
	ns_str pl;

	(void)state;
	tp_fill(data, sizeof(data), 3);
	for (c = 0; c < NCOMBOS; c++) {
		if (keyed(&tx, combos[c][0], combos[c][1]) != 0) {
			continue;
		}
		assert_int_equal(keyed(&rx, combos[c][0], combos[c][1]), 0);
		tag = ns_pkt_cipher_aead(combos[c][0]) ? NS_POLY_TAG_LEN : ns_mac_len(combos[c][1]);
		for (len = 1; len <= NS_PAYLOAD_MAX; len += len < 300 ? 1 : 4999) {
			ns_buf_init_fixed(&b, out, sizeof(out));
			assert_int_equal(ns_pkt_seal(&tx, data, len, &b), 0);
			total = b.len;
			assert_true(total <= len + NS_PACKET_OVERHEAD);
			if (combos[c][1] == NS_MAC_SHA256 || combos[c][1] == NS_MAC_SHA512) {
				assert_int_equal((total - tag) % 16, 0);
			} else if (combos[c][0] != NS_PKT_CHACHA) {
				assert_int_equal((total - 4 - tag) % 16, 0);
			}
			assert_int_equal(ns_pkt_open(&rx, out, total, &need, &pl), 0);
			assert_int_equal(need, total);
			assert_int_equal(pl.len, len);
			assert_memory_equal(pl.p, data, len);
		}
		assert_int_equal(tx.seq, rx.seq);
		assert_memory_equal(tx.aes.ctr_block, rx.aes.ctr_block, 16);
		assert_memory_equal(tx.iv, rx.iv, NS_GCM_IV_LEN);
		ns_pkt_wipe(&tx);
		ns_pkt_wipe(&rx);
	}
}

static void test_names_and_refusals(void **state)
{
	ns_pkt_keys k;
	ns_pkt_dir d;
	ns_str s;
	int i;

	(void)state;
	for (i = NS_PKT_NONE + 1; i < NS_PKT_NCIPHERS; i++) {
		s.p = (const uint8_t *)ns_pkt_cipher_name(i);
		s.len = strlen(ns_pkt_cipher_name(i));
		assert_int_equal(ns_pkt_cipher_by_name(s), i);
	}
	for (i = NS_MAC_NONE + 1; i < NS_MAC_COUNT; i++) {
		s.p = (const uint8_t *)ns_mac_name(i);
		s.len = strlen(ns_mac_name(i));
		assert_int_equal(ns_mac_by_name(s), i);
	}
	memset(&k, 0, sizeof(k));
	memset(&d, 0, sizeof(d));
	k.cipher = NS_PKT_AES128CTR; /* CTR needs a MAC */
	assert_int_equal(ns_pkt_set_keys(&d, &k), NS_ERR_INVALID);
	k.cipher = NS_PKT_NCIPHERS;
	k.mac = NS_MAC_SHA256;
	assert_int_equal(ns_pkt_set_keys(&d, &k), NS_ERR_INVALID);
	assert_int_equal(d.encrypted, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kat_open),           cmocka_unit_test(test_kat_tamper),
	    cmocka_unit_test(test_kat_wrong_seq),      cmocka_unit_test(test_length_needs),
	    cmocka_unit_test(test_bad_lengths),        cmocka_unit_test(test_round_trip_all),
	    cmocka_unit_test(test_names_and_refusals),
	};
	return cmocka_run_group_tests(tests, tp_setup, NULL);
}
