/* Cipher negotiation over the in-memory engine pair: what each role offers
 * and in which order, the client's order winning, ns_engine_config.ciphers
 * checks, and data both ways at once through many rekeys under
 * aes256-gcm@openssh.com (and chacha20-poly1305, now that clients default
 * to AES-GCM). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "engine_int.h"
#include "kexinit.h"
#include "lib_pair.h"

#define GCM "aes256-gcm@openssh.com"
#define CHACHA "chacha20-poly1305@openssh.com"
/* After the role's first two: the BearSSL ciphers, strongest first. */
#define TAIL "aes128-gcm@openssh.com,aes256-ctr,aes128-ctr"
#define XFER_BYTES (2u * 1024 * 1024)
#define XFER_REKEY_BYTES (64u * 1024)

static int have_gcm(void)
{
	return crypto_aead_aes256gcm_is_available();
}

/* Connect a pair with these cipher lists (NULL: the role's default). */
static void pair_with(ns_pair *p, const char *client, const char *server, uint64_t rekey_bytes)
{
	ns_engine_config c = NS_ENGINE_CONFIG_INIT, s = NS_ENGINE_CONFIG_INIT;

	c.ciphers = client;
	s.ciphers = server;
	c.rekey_bytes = s.rekey_bytes = rekey_bytes;
	assert_int_equal(ns_pair_init(p, &c, &s), 0);
	assert_int_equal(ns_pair_connect(p), 0);
}

static void assert_cipher(ns_pair *p, const char *want)
{
	assert_string_equal(ns_engine_cipher(p->e[0]), want);
	assert_string_equal(ns_engine_cipher(p->e[1]), want);
	assert_string_equal(ns_pkt_cipher_name(p->e[0]->rx.cipher), want);
	assert_string_equal(ns_pkt_cipher_name(p->e[1]->rx.cipher), want);
}

static void test_default_prefers_gcm(void **state)
{
	ns_pair p;

	(void)state;
	pair_with(&p, NULL, NULL, 0);
	assert_cipher(&p, have_gcm() ? GCM : CHACHA);
	ns_pair_free(&p);
}

/* The encryption lists of a KEXINIT each role builds by default. */
static void test_offered_order(void **state)
{
	uint8_t raw[2048];
	ns_kexinit ki;
	ns_buf b;
	int role;

	(void)state;
	for (role = NS_ROLE_CLIENT; role <= NS_ROLE_SERVER; role++) {
		const char *want = !have_gcm()              ? CHACHA "," TAIL
		                   : role == NS_ROLE_CLIENT ? GCM "," CHACHA "," TAIL
		                                            : CHACHA "," GCM "," TAIL;

		ns_buf_init_fixed(&b, raw, sizeof(raw));
		assert_int_equal(ns_kexinit_build(role, 1, 0, &b), 0);
		assert_int_equal(ns_kexinit_parse(b.p, b.len, &ki), 0);
		assert_true(ns_str_eq(ki.list[NS_KI_ENC_CS], want));
		assert_true(ns_str_eq(ki.list[NS_KI_ENC_SC], want));
	}
}

/* RFC 4253 7.1: the first cipher of the client's list the server has. */
static void test_client_order_wins(void **state)
{
	ns_pair p;

	(void)state;
	pair_with(&p, CHACHA "," GCM, NULL, 0);
	assert_cipher(&p, CHACHA);
	ns_pair_free(&p);
	pair_with(&p, NULL, CHACHA, 0);
	assert_cipher(&p, CHACHA);
	ns_pair_free(&p);
	if (!have_gcm()) {
		skip();
	}
	pair_with(&p, CHACHA "," GCM, GCM, 0);
	assert_cipher(&p, GCM);
	ns_pair_free(&p);
	pair_with(&p, GCM "," CHACHA, CHACHA "," GCM, 0);
	assert_cipher(&p, GCM);
	ns_pair_free(&p);
}

/* A KEXINIT whose two encryption lists differ (a peer may do that). */
static size_t kexinit_split(uint8_t *raw, size_t cap, const char *cs, const char *sc)
{
	static const uint8_t cookie[16];
	ns_buf b;
	int i;

	ns_buf_init_fixed(&b, raw, cap);
	ns_wr_u8(&b, SSH_MSG_KEXINIT);
	ns_wr_bytes(&b, cookie, sizeof(cookie));
	ns_wr_cstr(&b, "curve25519-sha256");
	ns_wr_cstr(&b, "ssh-ed25519");
	ns_wr_cstr(&b, cs);
	ns_wr_cstr(&b, sc);
	for (i = 0; i < 2; i++) {
		ns_wr_cstr(&b, "hmac-sha2-256");
	}
	for (i = 0; i < 2; i++) {
		ns_wr_cstr(&b, "none");
	}
	for (i = 0; i < 2; i++) {
		ns_wr_cstr(&b, "");
	}
	ns_wr_bool(&b, 0);
	assert_int_equal(ns_wr_u32(&b, 0), 0);
	return b.len;
}

/* Each direction is negotiated on its own (RFC 4253 7.1). */
static void test_directions_apart(void **state)
{
	uint8_t craw[1024], sraw[2048];
	ns_kexinit c, s;
	ns_kex_result res;
	ns_buf b;
	int which;

	(void)state;
	if (!have_gcm()) {
		skip();
	}
	assert_int_equal(ns_kexinit_parse(craw, kexinit_split(craw, sizeof(craw), GCM, CHACHA), &c),
	                 0);
	ns_buf_init_fixed(&b, sraw, sizeof(sraw));
	assert_int_equal(ns_kexinit_build(NS_ROLE_SERVER, 1, 0, &b), 0);
	assert_int_equal(ns_kexinit_parse(b.p, b.len, &s), 0);
	assert_int_equal(ns_kexinit_negotiate(NS_ROLE_SERVER, 1, &s, &c, &res, &which), 0);
	assert_int_equal(res.cipher_cs, NS_PKT_AESGCM);
	assert_int_equal(res.cipher_sc, NS_PKT_CHACHA);
	assert_int_equal(ns_kexinit_parse(craw, kexinit_split(craw, sizeof(craw), CHACHA, "x"), &c),
	                 0);
	assert_int_equal(ns_kexinit_negotiate(NS_ROLE_SERVER, 1, &s, &c, &res, &which),
	                 NS_ERR_NOMATCH);
	assert_int_equal(which, NS_KI_ENC_SC);
}

static void test_no_common_cipher(void **state)
{
	ns_engine_config c = NS_ENGINE_CONFIG_INIT, s = NS_ENGINE_CONFIG_INIT;
	ns_pair p;

	(void)state;
	if (!have_gcm()) {
		skip();
	}
	c.ciphers = GCM;
	s.ciphers = CHACHA;
	assert_int_equal(ns_pair_init(&p, &c, &s), 0);
	assert_int_not_equal(ns_pair_connect(&p), 0);
	ns_pair_pump(&p, NULL, NULL, 100); /* deliver the DISCONNECTs */
	assert_true(p.disconnected[0] && p.disconnected[1]);
	assert_int_equal(p.disc_reason[0], NS_DISC_KEY_EXCHANGE_FAILED);
	assert_int_equal(p.disc_reason[1], NS_DISC_KEY_EXCHANGE_FAILED);
	assert_true(p.disc_error[0] == NS_ERR_NOMATCH || p.disc_error[1] == NS_ERR_NOMATCH);
	ns_pair_free(&p);
}

static void test_bad_cipher_config(void **state)
{
	static const char *const bad[] = {
	    "",         "none",     "aes192-ctr", GCM "," GCM,
	    CHACHA ",", "," CHACHA, CHACHA ",,",  "CHACHA20-POLY1305@OPENSSH.COM",
	    CHACHA " ",
	};
	ns_engine_config c = NS_ENGINE_CONFIG_INIT;
	ns_engine *e;
	size_t i;

	(void)state;
	c.alloc = ns_allocator_libc();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c.ciphers = bad[i];
		assert_int_equal(ns_engine_new(&c, &e), NS_ERR_INVALID);
		assert_null(e);
	}
	c.ciphers = CHACHA;
	assert_int_equal(ns_engine_new(&c, &e), 0);
	ns_engine_free(e);
}

/* Both sides stream XFER_BYTES of a pattern at once on one channel. */
typedef struct xfer {
	uint32_t id[2];
	int open[2];
	uint64_t sent[2], got[2];
	int bad, rekeyed;
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

static void read_data(ns_pair *p, xfer *x, int side, const ns_event *ev)
{
	size_t i;

	for (i = 0; i < ev->data.len; i++) {
		if (ev->data.p[i] != pattern(1 - side, x->got[side] + i)) {
			x->bad = 1;
		}
	}
	x->got[side] += ev->data.len;
	assert_int_equal(ns_channel_consumed(p->e[side], ev->channel, ev->data.len), 0);
	/* The server also asks for a key exchange of its own half-way. */
	if (side == 1 && !x->rekeyed && x->got[1] >= XFER_BYTES / 2) {
		x->rekeyed = 1;
		assert_int_equal(ns_engine_rekey(p->e[1]), 0);
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
	case NS_EV_CHANNEL_DATA: read_data(p, x, side, ev); break;
	case NS_EV_WRITABLE: write_some(p, x, side); break;
	default: break;
	}
	return 0;
}

static void transfer_with_rekeys(const char *client, const char *want)
{
	xfer x;
	ns_pair p;

	memset(&x, 0, sizeof(x));
	pair_with(&p, client, NULL, XFER_REKEY_BYTES);
	assert_cipher(&p, want);
	assert_int_equal(ns_channel_open_session(p.e[0], &x.id[0]), 0);
	assert_true(ns_pair_pump(&p, xfer_cb, &x, 1000000) > 0);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	assert_int_equal(x.sent[0], XFER_BYTES);
	assert_int_equal(x.sent[1], XFER_BYTES);
	assert_int_equal(x.got[0], XFER_BYTES);
	assert_int_equal(x.got[1], XFER_BYTES);
	assert_false(x.bad);
	assert_true(x.rekeyed);
	/* 2 MiB each way at a 64 KiB limit: a rekey at least every 128 KiB. */
	assert_true(ns_engine_kex_count(p.e[0]) >= 16);
	assert_int_equal(ns_engine_kex_count(p.e[0]), ns_engine_kex_count(p.e[1]));
	assert_true(ns_engine_strict_kex(p.e[0]));
	assert_cipher(&p, want);
	print_message("%s: %u key exchanges for 2 x %u bytes\n", want, ns_engine_kex_count(p.e[0]),
	              XFER_BYTES);
	ns_pair_free(&p);
}

static void test_gcm_transfer_with_rekeys(void **state)
{
	(void)state;
	if (!have_gcm()) {
		skip();
	}
	transfer_with_rekeys(GCM, GCM);
}

static void test_chacha_transfer_with_rekeys(void **state)
{
	(void)state;
	transfer_with_rekeys(CHACHA, CHACHA);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_prefers_gcm),
	    cmocka_unit_test(test_offered_order),
	    cmocka_unit_test(test_client_order_wins),
	    cmocka_unit_test(test_directions_apart),
	    cmocka_unit_test(test_no_common_cipher),
	    cmocka_unit_test(test_bad_cipher_config),
	    cmocka_unit_test(test_gcm_transfer_with_rekeys),
	    cmocka_unit_test(test_chacha_transfer_with_rekeys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
