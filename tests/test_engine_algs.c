/* Every cipher x MAC and both key exchange methods over the in-memory engine
 * pair: 2 MiB each way at once with rekeys by the byte limit and asked for
 * by the client and by the server; what each role offers by default; the
 * MAC lists ignored for AEAD ciphers; ecdh-sha2-nistp256 chosen only when
 * the client asks; and negotiation failures that name both sides' lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "engine_int.h"
#include "kexinit.h"
#include "lib_pair.h"

#define XFER_BYTES (2u * 1024 * 1024)
#define XFER_REKEY_BYTES (256u * 1024)
#define MACS_ALL                                                                                   \
	"hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,hmac-sha2-512,hmac-sha2-256"
#define KEX_ALL                                                                                    \
	"mlkem768x25519-sha256,sntrup761x25519-sha512,sntrup761x25519-sha512@openssh.com,"         \
	"curve25519-sha256,"                                                                       \
	"curve25519-sha256@libssh.org,ecdh-sha2-nistp256"

typedef struct xfer {
	uint32_t id[2];
	int open[2];
	uint64_t sent[2], got[2];
	int bad, rekeyed[2];
} xfer;

static uint8_t pattern(int from, uint64_t off)
{
	return (uint8_t)(off * 131 + (off >> 11) + (uint64_t)from * 77);
}

static void write_some(ns_pair *p, xfer *x, int side)
{
	uint8_t buf[8192];
	size_t w, acc, i;

	while (x->open[side] && x->sent[side] < XFER_BYTES) {
		w = ns_channel_writable(p->e[side], x->id[side]);
		w = w < sizeof(buf) ? w : sizeof(buf);
		w = w < XFER_BYTES - x->sent[side] ? w : XFER_BYTES - x->sent[side];
		for (i = 0; i < w; i++) {
			buf[i] = pattern(side, x->sent[side] + i);
		}
		acc = 0;
		if (w == 0 || ns_channel_write(p->e[side], x->id[side], 0, buf, w, &acc) != 0 ||
		    acc == 0) {
			break;
		}
		x->sent[side] += acc;
	}
}

/* Each side also asks for a key exchange of its own: the client at a
 * quarter, the server at half way. */
static void read_data(ns_pair *p, xfer *x, int side, const ns_event *ev)
{
	uint64_t at = side == 0 ? XFER_BYTES / 4 : XFER_BYTES / 2;
	size_t i;

	for (i = 0; i < ev->data.len; i++) {
		if (ev->data.p[i] != pattern(1 - side, x->got[side] + i)) {
			x->bad = 1;
		}
	}
	x->got[side] += ev->data.len;
	assert_int_equal(ns_channel_consumed(p->e[side], ev->channel, ev->data.len), 0);
	if (!x->rekeyed[side] && x->got[side] >= at) {
		x->rekeyed[side] = 1;
		assert_int_equal(ns_engine_rekey(p->e[side]), 0);
	}
}

static int xfer_cb(ns_pair *p, int side, ns_event *ev, void *ud)
{
	xfer *x = ud;

	switch (ev->type) {
	case NS_EV_CHANNEL_OPEN:
		assert_int_equal(ns_channel_accept(p->e[1], ev->channel), 0);
		x->id[1] = ev->channel;
		x->open[1] = 1;
		write_some(p, x, 1);
		break;
	case NS_EV_CHANNEL_OPENED:
		x->open[0] = 1;
		write_some(p, x, 0);
		break;
	case NS_EV_CHANNEL_DATA:
		/* Writes are retried on incoming data too: the engine raises
		 * NS_EV_WRITABLE for a grown window or a finished kex, not for
		 * output the caller drained, so a pump that only waited for it
		 * would stall once the output buffer filled. */
		read_data(p, x, side, ev);
		write_some(p, x, side);
		break;
	case NS_EV_WRITABLE: write_some(p, x, side); break;
	default: break;
	}
	return 0;
}

/* The client offers exactly kex/cipher/mac; the server its defaults. */
static void transfer(const char *kex, int cipher, int mac)
{
	ns_engine_config c = NS_ENGINE_CONFIG_INIT, s = NS_ENGINE_CONFIG_INIT;
	xfer x;
	ns_pair p;
	int side;

	memset(&x, 0, sizeof(x));
	c.kex = kex;
	c.ciphers = ns_pkt_cipher_name(cipher);
	c.macs = mac != NS_MAC_NONE ? ns_mac_name(mac) : NULL;
	c.rekey_bytes = s.rekey_bytes = XFER_REKEY_BYTES;
	assert_int_equal(ns_pair_init(&p, &c, &s), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_int_equal(ns_channel_open_session(p.e[0], &x.id[0]), 0);
	assert_true(ns_pair_pump(&p, xfer_cb, &x, 1000000) > 0);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	for (side = 0; side < 2; side++) {
		ns_engine *e = p.e[side];

		assert_int_equal(x.sent[side], XFER_BYTES);
		assert_int_equal(x.got[side], XFER_BYTES);
		assert_true(x.rekeyed[side]);
		assert_int_equal(e->kex_method, ns_kex_method_by_name((ns_str){(const uint8_t *)kex,
		                                                               strcspn(kex, ",")}));
		assert_int_equal(e->rx.cipher, cipher);
		assert_int_equal(e->tx.cipher, cipher);
		assert_int_equal(e->rx.mac.alg, mac);
		assert_int_equal(e->tx.mac.alg, mac);
		assert_null(e->eph); /* the ephemeral key pair lives for one exchange */
	}
	assert_false(x.bad);
	/* 2 MiB each way at a 256 KiB limit, plus the two asked for. */
	assert_true(ns_engine_kex_count(p.e[0]) >= 8);
	assert_int_equal(ns_engine_kex_count(p.e[0]), ns_engine_kex_count(p.e[1]));
	print_message("%s %s %s: %u key exchanges\n", kex, ns_pkt_cipher_name(cipher),
	              ns_mac_name(mac), ns_engine_kex_count(p.e[0]));
	ns_pair_free(&p);
}

static void test_every_cipher_and_mac(void **state)
{
	static const int ctrs[] = {NS_PKT_AES128CTR, NS_PKT_AES256CTR};
	static const int aeads[] = {NS_PKT_CHACHA, NS_PKT_AESGCM, NS_PKT_AES128GCM};
	int mac;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		if (ns_pkt_cipher_available(aeads[i])) {
			transfer(NS_KEX_CURVE25519, aeads[i], NS_MAC_NONE);
		}
	}
	for (i = 0; i < 2; i++) {
		for (mac = NS_MAC_NONE + 1; mac < NS_MAC_COUNT; mac++) {
			transfer(NS_KEX_CURVE25519, ctrs[i], mac);
		}
	}
}

static void test_ecdh_p256(void **state)
{
	(void)state;
	transfer(NS_KEX_ECDH_P256, NS_PKT_CHACHA, NS_MAC_NONE);
	transfer(NS_KEX_ECDH_P256, NS_PKT_AES128GCM, NS_MAC_NONE);
	transfer(NS_KEX_ECDH_P256, NS_PKT_AES256CTR, NS_MAC_SHA512_ETM);
	transfer(NS_KEX_ECDH_P256, NS_PKT_AES128CTR, NS_MAC_SHA256);
	transfer(NS_KEX_CURVE25519_LIBSSH, NS_PKT_AES256CTR, NS_MAC_SHA256_ETM);
}

/* The hybrids, under each kind of cipher, with rekeys (H and the session
 * id are SHA-512, 64 bytes, for sntrup761x25519-sha512). */
static void test_hybrids(void **state)
{
	(void)state;
	transfer(NS_KEX_SNTRUP761, NS_PKT_CHACHA, NS_MAC_NONE);
	transfer(NS_KEX_SNTRUP761_OPENSSH, NS_PKT_AES256CTR, NS_MAC_SHA512_ETM);
	transfer(NS_KEX_SNTRUP761_OPENSSH, NS_PKT_AES128GCM, NS_MAC_NONE);
	transfer(NS_KEX_MLKEM768, NS_PKT_CHACHA, NS_MAC_NONE);
	transfer(NS_KEX_MLKEM768, NS_PKT_AES128CTR, NS_MAC_SHA256_ETM);
}

/* An idle connection's engine is all the relay keeps per user connection
 * besides small structs (docs/relay.md, idle sessions: 16 KiB per session
 * for the relay and the agent together). It held a hybrid kex's key pair
 * (3.6 KiB) and three ciphers' state per direction inline: 14.6 KiB. Between
 * exchanges, neither side holds the key pair. */
static void test_engine_idle_size(void **state)
{
	ns_engine_config c = NS_ENGINE_CONFIG_INIT, s = NS_ENGINE_CONFIG_INIT;
	ns_pair p;

	(void)state;
	assert_true(sizeof(ns_engine) <= 11 * 1024);
	assert_true(sizeof(ns_pkt_dir) <= 1152);
	assert_int_equal(ns_pair_init(&p, &c, &s), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_null(p.e[0]->eph);
	assert_null(p.e[1]->eph);
	assert_int_equal(ns_engine_rekey(p.e[0]), 0);
	ns_pair_pump(&p, NULL, NULL, 1000);
	assert_int_equal(ns_engine_kex_count(p.e[0]), 2);
	assert_null(p.e[0]->eph);
	assert_null(p.e[1]->eph);
	ns_pair_free(&p);
}

/* What each role offers by default (docs/algorithms.md). */
static void test_default_lists(void **state)
{
	uint8_t raw[2048];
	ns_kexinit ki;
	ns_buf b;
	int role;

	(void)state;
	for (role = NS_ROLE_CLIENT; role <= NS_ROLE_SERVER; role++) {
		ns_buf_init_fixed(&b, raw, sizeof(raw));
		assert_int_equal(ns_kexinit_build(role, 0, 0, &b), 0);
		assert_int_equal(ns_kexinit_parse(b.p, b.len, &ki), 0);
		assert_true(ns_str_eq(ki.list[NS_KI_KEX], KEX_ALL));
		assert_true(ns_str_eq(ki.list[NS_KI_MAC_CS], MACS_ALL));
		assert_true(ns_str_eq(ki.list[NS_KI_MAC_SC], MACS_ALL));
	}
}

/* A default pair agrees on the first hybrid, and the MACs never matter for
 * an AEAD cipher: a client whose only MAC the server lacks still connects. */
static void test_defaults_and_aead_macs(void **state)
{
	ns_engine_config c = NS_ENGINE_CONFIG_INIT, s = NS_ENGINE_CONFIG_INIT;
	ns_pair p;

	(void)state;
	c.macs = "hmac-sha2-256";
	s.macs = "hmac-sha2-512-etm@openssh.com";
	assert_int_equal(ns_pair_init(&p, &c, &s), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_int_equal(p.e[0]->kex_method, NS_KEX_MLKEM);
	assert_string_equal(p.e[0]->kex_alg, NS_KEX_MLKEM768);
	assert_int_equal(p.e[0]->session_id_len, 32);
	assert_int_equal(p.e[0]->tx.mac.alg, NS_MAC_NONE);
	ns_pair_free(&p);
}

typedef struct msgs {
	char text[2][NS_KEX_FAIL_MSG_MAX];
} msgs;

static int keep_message(ns_pair *p, int side, ns_event *ev, void *ud)
{
	msgs *m = ud;

	(void)p;
	if (ev->type == NS_EV_DISCONNECT) {
		snprintf(m->text[side], sizeof(m->text[side]), "%.*s", (int)ev->message.len,
		         (const char *)ev->message.p);
	}
	return 0;
}

/* Both engines fail with the list that found nothing and both lists; the
 * server's own event says so (the client's comes from our DISCONNECT or its
 * own failure, which names the same lists). */
static void fails_with(const ns_engine_config *c, const ns_engine_config *s, const char *want)
{
	msgs m;
	ns_pair p;

	memset(&m, 0, sizeof(m));
	assert_int_equal(ns_pair_init(&p, c, s), 0);
	ns_pair_pump(&p, keep_message, &m, 1000);
	assert_true(p.disconnected[0] && p.disconnected[1]);
	assert_int_equal(p.disc_reason[1], NS_DISC_KEY_EXCHANGE_FAILED);
	print_message("client: %s\nserver: %s\n", m.text[0], m.text[1]);
	assert_string_equal(m.text[1], want);
	assert_string_equal(m.text[0], want);
	ns_pair_free(&p);
}

static void test_nomatch_messages(void **state)
{
	ns_engine_config c = NS_ENGINE_CONFIG_INIT, s = NS_ENGINE_CONFIG_INIT;

	(void)state;
	c.ciphers = "aes128-ctr";
	s.ciphers = "chacha20-poly1305@openssh.com,aes256-ctr";
	fails_with(&c, &s,
	           "no matching cipher found: client aes128-ctr server "
	           "chacha20-poly1305@openssh.com,aes256-ctr");
	s.ciphers = "aes128-ctr";
	c.macs = "hmac-sha2-256,hmac-sha2-512";
	s.macs = "hmac-sha2-256-etm@openssh.com";
	fails_with(&c, &s,
	           "no matching MAC found: client hmac-sha2-256,hmac-sha2-512 server "
	           "hmac-sha2-256-etm@openssh.com");
	ns_engine_config_init(&c);
	ns_engine_config_init(&s);
	c.kex = "ecdh-sha2-nistp256";
	s.kex = "curve25519-sha256";
	fails_with(&c, &s,
	           "no matching key exchange method found: client "
	           "ecdh-sha2-nistp256,ext-info-c,kex-strict-c-v00@openssh.com server "
	           "curve25519-sha256,kex-strict-s-v00@openssh.com");
}

/* A peer's list longer than NS_KEX_FAIL_LIST_MAX is cut with "...". */
static void test_nomatch_long_list(void **state)
{
	char big[2000], out[NS_KEX_FAIL_MSG_MAX];
	ns_kexinit mine, peer;
	size_t i;

	(void)state;
	memset(&mine, 0, sizeof(mine));
	memset(&peer, 0, sizeof(peer));
	for (i = 0; i + 1 < sizeof(big); i++) {
		big[i] = i % 10 == 9 ? ',' : 'x';
	}
	big[sizeof(big) - 1] = '\0';
	mine.list[NS_KI_ENC_CS] = (ns_str){(const uint8_t *)"aes128-ctr", 10};
	peer.list[NS_KI_ENC_CS] = (ns_str){(const uint8_t *)big, strlen(big)};
	ns_kexinit_nomatch(NS_ROLE_SERVER, NS_KI_ENC_CS, &mine, &peer, out, sizeof(out));
	assert_true(strlen(out) < sizeof(out));
	assert_non_null(strstr(out, "... server aes128-ctr"));
	assert_int_equal(strncmp(out, "no matching cipher found: client xxxxxxxxx,", 43), 0);
}

static void test_bad_list_config(void **state)
{
	static const char *const bad[] = {"",
	                                  "none",
	                                  "diffie-hellman-group14-sha256",
	                                  "curve25519-sha256,curve25519-sha256",
	                                  "ecdh-sha2-nistp256,",
	                                  "hmac-sha2-256"};
	static const char *const bad_macs[] = {"", "hmac-sha1", "hmac-sha2-256,hmac-sha2-256",
	                                       "umac-64-etm@openssh.com", "ecdh-sha2-nistp256"};
	ns_engine_config c = NS_ENGINE_CONFIG_INIT;
	ns_engine *e;
	size_t i;

	(void)state;
	c.alloc = ns_allocator_libc();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c.kex = bad[i];
		assert_int_equal(ns_engine_new(&c, &e), NS_ERR_INVALID);
		assert_null(e);
	}
	c.kex = NULL;
	for (i = 0; i < sizeof(bad_macs) / sizeof(bad_macs[0]); i++) {
		c.macs = bad_macs[i];
		assert_int_equal(ns_engine_new(&c, &e), NS_ERR_INVALID);
		assert_null(e);
	}
	c.kex = "ecdh-sha2-nistp256,curve25519-sha256";
	c.macs = "hmac-sha2-256";
	assert_int_equal(ns_engine_new(&c, &e), 0);
	ns_engine_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_lists),    cmocka_unit_test(test_defaults_and_aead_macs),
	    cmocka_unit_test(test_nomatch_messages), cmocka_unit_test(test_nomatch_long_list),
	    cmocka_unit_test(test_bad_list_config),  cmocka_unit_test(test_ecdh_p256),
	    cmocka_unit_test(test_hybrids),          cmocka_unit_test(test_every_cipher_and_mac),
	    cmocka_unit_test(test_engine_idle_size),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
