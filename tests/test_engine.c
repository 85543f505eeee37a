/* Engine tests over the in-memory pair: handshake, strict kex, rekeying,
 * authentication outcomes, and every transport error path ending in a clean
 * disconnect with a reason. */
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
#include "nullspace/cert.h"

static void test_handshake(void **state)
{
	ns_pair p;

	(void)state;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_true(ns_engine_authenticated(p.e[0]));
	assert_true(ns_engine_authenticated(p.e[1]));
	assert_string_equal(ns_engine_kex_alg(p.e[0]), "mlkem768x25519-sha256");
	/* Our client prefers aes256-gcm where the CPU runs it (tests/test_packet_gcm.c
	 * covers the other orders). */
	assert_string_equal(ns_engine_cipher(p.e[0]), crypto_aead_aes256gcm_is_available()
	                                                  ? "aes256-gcm@openssh.com"
	                                                  : "chacha20-poly1305@openssh.com");
	assert_true(ns_engine_strict_kex(p.e[0]));
	assert_true(ns_engine_strict_kex(p.e[1]));
	assert_non_null(ns_engine_session_id(p.e[0]));
	assert_memory_equal(ns_engine_session_id(p.e[0]), ns_engine_session_id(p.e[1]), 32);
	assert_int_equal(ns_engine_kex_count(p.e[0]), 1);
	assert_true(ns_str_eq(ns_engine_peer_version(p.e[0]), "SSH-2.0-nullspace_0.1"));
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

static void test_many_handshakes(void **state)
{
	ns_pair p;
	int i;

	(void)state;
	for (i = 0; i < 300; i++) {
		assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
		assert_int_equal(ns_pair_connect(&p), 0);
		ns_pair_free(&p);
	}
}

static void test_hostkey_refused(void **state)
{
	ns_pair p;

	(void)state;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	ns_key_generate(&p.host_key, "other"); /* the client now expects another key */
	assert_int_not_equal(ns_pair_connect(&p), 0);
	assert_true(p.disconnected[0]);
	assert_int_equal(p.disc_reason[0], NS_DISC_HOST_KEY_NOT_VERIFIABLE);
	ns_pair_pump(&p, NULL, NULL, 100); /* deliver the client's DISCONNECT */
	assert_true(p.disconnected[1]);
	assert_int_equal(p.disc_error[1], NS_ERR_DISCONNECTED);
	ns_pair_free(&p);
}

static int count_failures(ns_pair *p, int side, ns_event *ev, void *ud)
{
	int *failures = ud;

	if (side == 0 && ev->type == NS_EV_AUTH_FAILURE) {
		assert_true(ns_str_eq(ev->methods, "publickey"));
		(*failures)++;
		(void)!ns_engine_auth_publickey(p->e[0], "user", &p->user_key, 0);
		return NS_PAIR_HANDLED;
	}
	return 0;
}

/* Server that refuses every key: the client retries until the limit. */
static int refuse_all(ns_pair *p, int side, ns_event *ev, void *ud)
{
	if (side == 1 && ev->type == NS_EV_AUTH_REQUEST) {
		(void)!ns_engine_auth_verdict(p->e[1], 0);
		return NS_PAIR_HANDLED;
	}
	return count_failures(p, side, ev, ud);
}

static void test_auth_max_tries(void **state)
{
	ns_engine_config s = NS_ENGINE_CONFIG_INIT;
	ns_pair p;
	int failures = 0;

	(void)state;
	s.max_auth_tries = 3;
	assert_int_equal(ns_pair_init(&p, NULL, &s), 0);
	assert_true(ns_pair_pump(&p, refuse_all, &failures, 1000) > 0);
	assert_int_equal(failures, 2);
	assert_true(p.disconnected[0]);
	assert_int_equal(p.disc_reason[0], NS_DISC_NO_MORE_AUTH_METHODS);
	assert_false(p.authed);
	ns_pair_free(&p);
}

static int none_then_query(ns_pair *p, int side, ns_event *ev, void *ud)
{
	int *stage = ud;

	if (side == 0 && ev->type == NS_EV_AUTH_READY) {
		(void)!ns_engine_auth_none(p->e[0], "user");
		return NS_PAIR_HANDLED;
	}
	if (side == 1 && ev->type == NS_EV_AUTH_REQUEST && ns_str_eq(ev->method, "none")) {
		assert_false(ev->key_parsed);
		(void)!ns_engine_auth_verdict(p->e[1], 1); /* "none" can never succeed */
		return NS_PAIR_HANDLED;
	}
	if (side == 0 && ev->type == NS_EV_AUTH_FAILURE) {
		assert_int_equal(*stage, 0);
		*stage = 1;
		(void)!ns_engine_auth_publickey(p->e[0], "user", &p->user_key, 1);
		return NS_PAIR_HANDLED;
	}
	if (side == 1 && ev->type == NS_EV_AUTH_REQUEST) {
		assert_true(ns_str_eq(ev->method, "publickey"));
		assert_int_equal(ev->signed_ok, *stage == 2);
	}
	if (side == 0 && ev->type == NS_EV_AUTH_PK_OK) {
		assert_int_equal(*stage, 1);
		*stage = 2;
		(void)!ns_engine_auth_publickey(p->e[0], "user", &p->user_key, 0);
		return NS_PAIR_HANDLED;
	}
	return ev->type == NS_EV_AUTH_SUCCESS ? NS_PAIR_STOP : 0;
}

static void test_auth_none_query_signed(void **state)
{
	ns_pair p;
	int stage = 0;

	(void)state;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	assert_true(ns_pair_pump(&p, none_then_query, &stage, 1000) > 0);
	assert_int_equal(stage, 2);
	assert_true(p.authed);
	ns_pair_free(&p);
}

typedef struct cert_auth {
	uint8_t cert[NS_CERT_BLOB_MAX];
	size_t len;
	int stage; /* 0 query sent, 1 PK_OK seen, 2 signed sent */
	int server_saw_cert;
} cert_auth;

static int auth_with_cert(ns_pair *p, int side, ns_event *ev, void *ud)
{
	cert_auth *ca = ud;
	ns_cert c;

	if (side == 0 && ev->type == NS_EV_AUTH_READY) {
		assert_int_equal(
		    ns_engine_auth_cert(p->e[0], "sb_1", &p->user_key, ca->cert, ca->len, 1), 0);
		return NS_PAIR_HANDLED;
	}
	if (side == 1 && ev->type == NS_EV_AUTH_REQUEST) {
		assert_true(ev->is_cert);
		assert_true(ns_str_eq(ev->alg, NS_CERT_ALG));
		assert_memory_equal(ev->key, p->user_key.pk, 32);
		assert_int_equal(ev->key_blob.len, ca->len);
		assert_int_equal(ns_cert_parse(ev->key_blob.p, ev->key_blob.len, &c, NULL), 0);
		assert_int_equal(ev->signed_ok, ca->stage == 1);
		ca->server_saw_cert++;
		(void)!ns_engine_auth_verdict(p->e[1], 1);
		return NS_PAIR_HANDLED;
	}
	if (side == 0 && ev->type == NS_EV_AUTH_PK_OK) {
		assert_true(ns_str_eq(ev->alg, NS_CERT_ALG));
		ca->stage = 1;
		assert_int_equal(
		    ns_engine_auth_cert(p->e[0], "sb_1", &p->user_key, ca->cert, ca->len, 0), 0);
		return NS_PAIR_HANDLED;
	}
	return ev->type == NS_EV_AUTH_SUCCESS ? NS_PAIR_STOP : 0;
}

static void test_auth_certificate(void **state)
{
	static const char *const principals[] = {"sb_1"};
	static cert_auth ca;
	ns_cert_spec spec = {0};
	ns_key cakey, other;
	ns_pair p;

	(void)state;
	memset(&ca, 0, sizeof(ca));
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	ns_key_generate(&cakey, "ca");
	spec.type = NS_CERT_USER;
	spec.key_id = "test";
	spec.principals = principals;
	spec.nprincipals = 1;
	spec.valid_after = 0;
	spec.valid_before = UINT64_MAX;
	spec.extensions = NS_EXT_PERMIT_PTY;
	assert_int_equal(
	    ns_cert_sign(&cakey, p.user_key.pk, &spec, ca.cert, sizeof(ca.cert), &ca.len), 0);
	/* A certificate for another key is refused before anything is sent. */
	ns_key_generate(&other, "other");
	assert_int_equal(ns_pair_pump(&p, auth_with_cert, &ca, 1000) > 0, 1);
	assert_true(p.authed);
	assert_int_equal(ca.server_saw_cert, 2);
	assert_int_equal(ns_engine_auth_cert(p.e[0], "sb_1", &other, ca.cert, ca.len, 0),
	                 NS_ERR_INVALID);
	ns_key_wipe(&cakey);
	ns_key_wipe(&other);
	ns_pair_free(&p);
}

static int saw_host_cert(ns_pair *p, int side, ns_event *ev, void *ud)
{
	int *seen = ud;
	ns_cert c;
	ns_str name;

	(void)p;
	if (side == 0 && ev->type == NS_EV_HOSTKEY) {
		*seen = ev->is_cert ? 2 : 1;
		if (ev->is_cert) {
			assert_int_equal(
			    ns_cert_parse(ev->hostkey_blob.p, ev->hostkey_blob.len, &c, NULL), 0);
			assert_int_equal(c.type, NS_CERT_HOST);
			assert_int_equal(ns_cert_principal(&c, 0, &name), 0);
			assert_true(ns_str_eq(name, "relay.example"));
		}
	}
	return 0;
}

/* Replace the pair's engines: server with a host certificate, client that
 * accepts host certificates or not. */
static void host_cert_pair(ns_pair *p, int client_certs, uint8_t *cert, size_t len)
{
	ns_engine_config c = NS_ENGINE_CONFIG_INIT, s = NS_ENGINE_CONFIG_INIT;

	ns_engine_free(p->e[0]);
	ns_engine_free(p->e[1]);
	c.role = NS_ROLE_CLIENT;
	c.alloc = ns_allocator_libc();
	c.host_certs = client_certs;
	s.role = NS_ROLE_SERVER;
	s.alloc = ns_allocator_libc();
	s.host_key = &p->host_key;
	s.host_cert = cert;
	s.host_cert_len = len;
	assert_int_equal(ns_engine_new(&c, &p->e[0]), 0);
	assert_int_equal(ns_engine_new(&s, &p->e[1]), 0);
}

static void test_host_certificate(void **state)
{
	static const char *const principals[] = {"relay.example"};
	static uint8_t cert[NS_CERT_BLOB_MAX];
	ns_cert_spec spec = {0};
	ns_engine_config s = NS_ENGINE_CONFIG_INIT;
	ns_engine *bad;
	ns_key cakey, other;
	size_t len;
	ns_pair p;
	int seen;

	(void)state;
	ns_key_generate(&cakey, "ca");
	spec.type = NS_CERT_HOST;
	spec.key_id = "relay";
	spec.principals = principals;
	spec.nprincipals = 1;
	spec.valid_before = UINT64_MAX;
	for (int client_certs = 0; client_certs < 2; client_certs++) {
		assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
		assert_int_equal(
		    ns_cert_sign(&cakey, p.host_key.pk, &spec, cert, sizeof(cert), &len), 0);
		host_cert_pair(&p, client_certs, cert, len);
		seen = 0;
		ns_pair_pump(&p, saw_host_cert, &seen, 1000);
		assert_true(p.authed);
		assert_int_equal(seen, client_certs ? 2 : 1);
		ns_pair_free(&p);
	}
	/* A certificate for another key is refused at configuration. */
	ns_key_generate(&other, "other");
	assert_int_equal(ns_cert_sign(&cakey, other.pk, &spec, cert, sizeof(cert), &len), 0);
	s.role = NS_ROLE_SERVER;
	s.alloc = ns_allocator_libc();
	s.host_key = &cakey;
	s.host_cert = cert;
	s.host_cert_len = len;
	assert_int_equal(ns_engine_new(&s, &bad), NS_ERR_INVALID);
	ns_key_wipe(&cakey);
	ns_key_wipe(&other);
}

static int banner_then_refuse(ns_pair *p, int side, ns_event *ev, void *ud)
{
	int *banners = ud;

	if (side == 1 && ev->type == NS_EV_AUTH_REQUEST) {
		assert_int_equal(ns_engine_auth_banner(p->e[1], "certificate refused: expired\r\n"),
		                 0);
		(void)!ns_engine_auth_verdict(p->e[1], 0);
		return NS_PAIR_HANDLED;
	}
	if (side == 0 && ev->type == NS_EV_AUTH_BANNER) {
		assert_true(ns_str_eq(ev->message, "certificate refused: expired\r\n"));
		(*banners)++;
	}
	return ev->type == NS_EV_AUTH_FAILURE ? NS_PAIR_STOP : 0;
}

static void test_auth_banner(void **state)
{
	ns_pair p;
	int banners = 0;

	(void)state;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	assert_int_equal(ns_engine_auth_banner(p.e[1], "too early"), NS_ERR_STATE);
	assert_true(ns_pair_pump(&p, banner_then_refuse, &banners, 1000) > 0);
	assert_int_equal(banners, 1);
	assert_false(p.authed);
	assert_int_equal(ns_engine_auth_banner(p.e[0], "client"), NS_ERR_STATE);
	ns_pair_free(&p);
}

static void test_rekey_both_sides(void **state)
{
	ns_pair p;

	(void)state;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_int_equal(ns_engine_rekey(p.e[0]), 0);
	assert_true(ns_pair_pump(&p, NULL, NULL, 1000) > 0);
	assert_int_equal(ns_engine_kex_count(p.e[0]), 2);
	assert_int_equal(ns_engine_kex_count(p.e[1]), 2);
	assert_int_equal(ns_engine_rekey(p.e[1]), 0);
	assert_true(ns_pair_pump(&p, NULL, NULL, 1000) > 0);
	assert_int_equal(ns_engine_kex_count(p.e[0]), 3);
	/* Both at once. */
	assert_int_equal(ns_engine_rekey(p.e[0]), 0);
	assert_int_equal(ns_engine_rekey(p.e[1]), 0);
	assert_true(ns_pair_pump(&p, NULL, NULL, 1000) > 0);
	assert_int_equal(ns_engine_kex_count(p.e[1]), 4);
	assert_false(p.disconnected[0] || p.disconnected[1]);
	ns_pair_free(&p);
}

static void test_rekey_by_time(void **state)
{
	ns_pair p;

	(void)state;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	assert_true(ns_engine_next_timeout(p.e[0], p.now_ms) <= NS_DEFAULT_REKEY_MS);
	p.now_ms += NS_DEFAULT_REKEY_MS + 1;
	assert_true(ns_pair_pump(&p, NULL, NULL, 1000) > 0);
	assert_int_equal(ns_engine_kex_count(p.e[0]), 2);
	ns_pair_free(&p);
}

/* Flip one bit of the client's next packet in transit. */
static void test_bad_mac(void **state)
{
	ns_pair p;
	uint8_t *out;
	size_t n;

	(void)state;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	assert_int_equal(ns_pair_connect(&p), 0);
	(void)!ns_engine_rekey(p.e[0]);
	out = (uint8_t *)ns_engine_output(p.e[0], &n);
	assert_true(n > 20);
	out[10] ^= 0x01;
	ns_pair_pump(&p, NULL, NULL, 100);
	assert_true(p.disconnected[1]);
	assert_int_equal(p.disc_error[1], NS_ERR_MAC);
	assert_int_equal(p.disc_reason[1], NS_DISC_MAC_ERROR);
	assert_true(p.disconnected[0]);
	assert_int_equal(p.disc_reason[0], NS_DISC_MAC_ERROR); /* the client was told why */
	ns_pair_free(&p);
}

/* A raw peer: feed hand-made bytes to a lone server engine. */
static ns_engine *lone_server(ns_key *host)
{
	ns_engine_config s = NS_ENGINE_CONFIG_INIT;
	ns_engine *e;

	ns_key_generate(host, "host");
	s.role = NS_ROLE_SERVER;
	s.alloc = ns_allocator_libc();
	s.host_key = host;
	assert_int_equal(ns_engine_new(&s, &e), 0);
	return e;
}

static int feed_until_disconnect(ns_engine *e, const uint8_t *in, size_t len, ns_event *last)
{
	size_t used = 0, n;
	ns_event ev = NS_EVENT_INIT;
	int guard = 0;

	memset(last, 0, sizeof(*last));
	while (guard++ < 10000) {
		n = 0;
		if (used < len) {
			(void)!ns_engine_input(e, in + used, len - used, &n);
			used += n;
		}
		while (ns_engine_event(e, &ev) == 0 && ev.type != NS_EV_NONE) {
			if (ev.type == NS_EV_DISCONNECT) {
				*last = ev;
				return 1;
			}
		}
		if (used >= len && n == 0) {
			return 0;
		}
	}
	return 0;
}

static size_t plain_packet(ns_pkt_dir *d, const uint8_t *payload, size_t len, uint8_t *out,
                           size_t cap)
{
	ns_buf b;

	ns_buf_init_fixed(&b, out, cap);
	assert_int_equal(ns_pkt_seal(d, payload, len, &b), 0);
	return b.len;
}

static size_t client_kexinit(uint8_t *out)
{
	ns_buf b;

	ns_buf_init_fixed(&b, out, 2048);
	assert_int_equal(ns_kexinit_build(NS_ROLE_CLIENT, 1, 0, &b), 0);
	return b.len;
}

/* The client's version line then two plaintext packets, fed to e until it
 * disconnects; *ev is its DISCONNECT (valid until e is freed). */
static int feed_packets(ns_engine *e, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                        ns_event *ev)
{
	uint8_t buf[8192];
	ns_pkt_dir d;
	size_t n;

	memset(&d, 0, sizeof(d));
	memcpy(buf, "SSH-2.0-test\r\n", 14);
	n = 14;
	n += plain_packet(&d, a, alen, buf + n, sizeof(buf) - n);
	n += plain_packet(&d, b, blen, buf + n, sizeof(buf) - n);
	return feed_until_disconnect(e, buf, n, ev);
}

static void test_strict_kex_ignore_first(void **state)
{
	ns_key host;
	ns_engine *e = lone_server(&host);
	uint8_t ki[2048], ign[] = {SSH_MSG_IGNORE, 0, 0, 0, 0};
	size_t kl = client_kexinit(ki);
	ns_event ev = NS_EVENT_INIT;

	(void)state;
	assert_true(feed_packets(e, ign, sizeof(ign), ki, kl, &ev));
	assert_int_equal(ev.error, NS_ERR_PROTOCOL);
	assert_non_null(memmem(ev.message.p, ev.message.len, "strict KEX", 10));
	ns_engine_free(e);
	ns_key_wipe(&host);
}

static void test_strict_kex_ignore_during_kex(void **state)
{
	ns_key host;
	ns_engine *e = lone_server(&host);
	uint8_t ki[2048], ign[] = {SSH_MSG_IGNORE, 0, 0, 0, 0};
	size_t kl = client_kexinit(ki);
	ns_event ev = NS_EVENT_INIT;

	(void)state;
	assert_true(feed_packets(e, ki, kl, ign, sizeof(ign), &ev));
	assert_int_equal(ev.error, NS_ERR_PROTOCOL);
	ns_engine_free(e);
	ns_key_wipe(&host);
}

static void test_message_out_of_order(void **state)
{
	ns_key host;
	ns_engine *e = lone_server(&host);
	uint8_t ki[2048], req[64];
	ns_buf m, b;
	ns_event ev = NS_EVENT_INIT;

	(void)state;
	ns_buf_init_fixed(&m, req, sizeof(req));
	ns_wr_u8(&m, SSH_MSG_CHANNEL_OPEN);
	ns_wr_cstr(&m, "session");
	ns_wr_u32(&m, 0);
	ns_wr_u32(&m, 1000);
	ns_wr_u32(&m, 1000);
	/* Without strict kex (a plain client KEXINIT would be strict, so build one
	 * as a non-first kex). */
	ns_buf_init_fixed(&b, ki, sizeof(ki));
	ns_kexinit_build(NS_ROLE_CLIENT, 0, 0, &b);
	assert_true(feed_packets(e, ki, b.len, m.p, m.len, &ev));
	assert_int_equal(ev.error, NS_ERR_PROTOCOL);
	assert_int_equal(ev.reason, NS_DISC_PROTOCOL_ERROR);
	ns_engine_free(e);
	ns_key_wipe(&host);
}

static void test_bad_version(void **state)
{
	static const char *const bad[] = {
	    "SSH-1.5-old\r\n",
	    "GET / HTTP/1.1\r\n",
	    "SSH-2.0-\r\n",
	};
	ns_key host;
	ns_event ev = NS_EVENT_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ns_engine *e = lone_server(&host);

		assert_true(feed_until_disconnect(e, (const uint8_t *)bad[i], strlen(bad[i]), &ev));
		assert_int_not_equal(ev.error, 0);
		ns_engine_free(e);
		ns_key_wipe(&host);
	}
}

static void test_long_version_line(void **state)
{
	ns_key host;
	ns_engine *e = lone_server(&host);
	uint8_t buf[600];
	ns_event ev = NS_EVENT_INIT;

	(void)state;
	memset(buf, 'A', sizeof(buf));
	memcpy(buf, "SSH-2.0-", 8);
	assert_true(feed_until_disconnect(e, buf, sizeof(buf), &ev));
	ns_engine_free(e);
	ns_key_wipe(&host);
}

static void test_oversized_packet(void **state)
{
	ns_key host;
	ns_engine *e = lone_server(&host);
	uint8_t buf[64] = "SSH-2.0-test\r\n";
	ns_event ev = NS_EVENT_INIT;

	(void)state;
	ns_store32(buf + 14, 10 * 1024 * 1024);
	assert_true(feed_until_disconnect(e, buf, 14 + 16, &ev));
	assert_int_equal(ev.error, NS_ERR_TOOBIG);
	ns_engine_free(e);
	ns_key_wipe(&host);
}

static void test_input_eof(void **state)
{
	ns_key host;
	ns_engine *e = lone_server(&host);
	ns_event ev = NS_EVENT_INIT;

	(void)state;
	ns_engine_input_eof(e);
	assert_int_equal(ns_engine_event(e, &ev), 0);
	assert_int_equal(ev.type, NS_EV_DISCONNECT);
	assert_int_equal(ev.error, NS_ERR_CLOSED);
	assert_true(ns_engine_closed(e));
	ns_engine_free(e);
	ns_key_wipe(&host);
}

/* The DISCONNECT event shows our message even after the caller's buffer
 * is gone (the relay passes a stack buffer). */
static void test_disconnect_message_kept(void **state)
{
	ns_key host;
	ns_engine *e = lone_server(&host);
	ns_event ev = NS_EVENT_INIT;
	char msg[400];

	(void)state;
	snprintf(msg, sizeof(msg), "sandbox %s has moved", "sb_x");
	assert_int_equal(ns_engine_disconnect(e, NS_DISC_BY_APPLICATION, msg), 0);
	memset(msg, 'X', sizeof(msg) - 1);
	assert_int_equal(ns_engine_event(e, &ev), 0);
	assert_int_equal(ev.type, NS_EV_DISCONNECT);
	assert_int_equal(ev.message.len, strlen("sandbox sb_x has moved"));
	assert_memory_equal(ev.message.p, "sandbox sb_x has moved", ev.message.len);
	ns_engine_free(e);
	ns_key_wipe(&host);
}

static void test_bad_config(void **state)
{
	ns_engine_config c = NS_ENGINE_CONFIG_INIT;
	ns_engine *e;
	ns_key k;

	(void)state;
	assert_int_equal(ns_engine_new(&c, &e), NS_ERR_INVALID); /* no allocator */
	c.alloc = ns_allocator_libc();
	c.role = NS_ROLE_SERVER;
	assert_int_equal(ns_engine_new(&c, &e), NS_ERR_INVALID); /* no host key */
	ns_key_generate(&k, "");
	c.host_key = &k;
	c.software = "bad version";
	assert_int_equal(ns_engine_new(&c, &e), NS_ERR_INVALID);
	c.software = NULL;
	c.max_channels = NS_MAX_CHANNELS_LIMIT + 1;
	assert_int_equal(ns_engine_new(&c, &e), NS_ERR_INVALID);
	ns_key_wipe(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake),
	    cmocka_unit_test(test_many_handshakes),
	    cmocka_unit_test(test_hostkey_refused),
	    cmocka_unit_test(test_auth_max_tries),
	    cmocka_unit_test(test_auth_none_query_signed),
	    cmocka_unit_test(test_auth_certificate),
	    cmocka_unit_test(test_auth_banner),
	    cmocka_unit_test(test_host_certificate),
	    cmocka_unit_test(test_rekey_both_sides),
	    cmocka_unit_test(test_rekey_by_time),
	    cmocka_unit_test(test_bad_mac),
	    cmocka_unit_test(test_strict_kex_ignore_first),
	    cmocka_unit_test(test_strict_kex_ignore_during_kex),
	    cmocka_unit_test(test_message_out_of_order),
	    cmocka_unit_test(test_bad_version),
	    cmocka_unit_test(test_long_version_line),
	    cmocka_unit_test(test_oversized_packet),
	    cmocka_unit_test(test_input_eof),
	    cmocka_unit_test(test_disconnect_message_kept),
	    cmocka_unit_test(test_bad_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
