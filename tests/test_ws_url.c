/* Tests for transport/common/ws_url.c: signing against an independent HMAC, the
 * strict request-target parser (path, query, ids), verification (tamper,
 * other sandbox, expiry at the boundary) and the proxy's URL reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "nullspace/error.h"
#include "ws_url.h"

static uint8_t SECRET[32];

static int setup(void **state)
{
	(void)state;
	memset(SECRET, 0x5a, sizeof(SECRET));
	return sodium_init() < 0 ? -1 : 0;
}

static ns_ws_refusal parse(const char *s, ns_ws_target *t)
{
	return ns_ws_target_parse(s, strlen(s), t);
}

static void test_sign_matches_hmac(void **state)
{
	uint8_t sig[32], want[32];
	const char *msg = "nullspace-ws-v1\nsb_x\n1700000000";

	(void)state;
	assert_int_equal(ns_ws_url_sign(SECRET, sizeof(SECRET), "sb_x", 1700000000, sig), 0);
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, SECRET, sizeof(SECRET));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)msg, strlen(msg));
	crypto_auth_hmacsha256_final(&st, want);
	assert_memory_equal(sig, want, 32);
	assert_int_equal(ns_ws_url_sign(SECRET, 31, "sb_x", 1, sig), NS_ERR_INVALID);
	assert_int_equal(ns_ws_url_sign(SECRET, 32, "sb/x", 1, sig), NS_ERR_INVALID);
	assert_int_equal(ns_ws_url_sign(SECRET, 32, "", 1, sig), NS_ERR_INVALID);
}

static void test_roundtrip(void **state)
{
	char url[NS_WS_URL_MAX];
	ns_ws_url u;
	ns_ws_target t;

	(void)state;
	assert_int_equal(
	    ns_ws_url_make(1, "relay.example:8443", "sb_x", 1000, SECRET, 32, url, sizeof(url)), 0);
	assert_int_equal(
	    strncmp(url, "wss://relay.example:8443/v1/sandboxes/sb_x/ssh?exp=1000&sig=", 60), 0);
	assert_int_equal(ns_ws_url_parse(url, &u), 0);
	assert_int_equal(u.tls, 1);
	assert_string_equal(u.host, "relay.example");
	assert_int_equal(u.port, 8443);
	assert_int_equal(parse(u.target, &t), NS_WS_OK);
	assert_string_equal(t.sandbox, "sb_x");
	assert_int_equal(t.exp, 1000);
	assert_int_equal(ns_ws_target_verify(&t, SECRET, 32, 999), NS_WS_OK);
	assert_int_equal(ns_ws_target_verify(&t, SECRET, 32, 1000), NS_WS_EXPIRED);
	assert_int_equal(ns_ws_refusal_status(NS_WS_EXPIRED), 410);
	/* signed for too long: refused until it is within the limit */
	assert_int_equal(ns_ws_url_make(0, "h:1", "sb_x", 100000 + NS_WS_URL_LIFETIME_MAX, SECRET,
	                                32, url, sizeof(url)),
	                 0);
	assert_int_equal(ns_ws_url_parse(url, &u), 0);
	assert_int_equal(parse(u.target, &t), NS_WS_OK);
	assert_int_equal(ns_ws_target_verify(&t, SECRET, 32, 100000), NS_WS_OK);
	assert_int_equal(ns_ws_target_verify(&t, SECRET, 32, 99999), NS_WS_TOO_LONG);
	assert_int_equal(ns_ws_refusal_status(NS_WS_TOO_LONG), 403);
	assert_string_equal(ns_ws_refusal_name(NS_WS_TOO_LONG), "lifetime-too-long");
	/* a URL that does not fit */
	assert_int_equal(ns_ws_url_make(0, "h:1", "sb_x", 1, SECRET, 32, url, 40), NS_ERR_TOOBIG);
	assert_string_equal(url, "");
}

static void test_tampered(void **state)
{
	char url[NS_WS_URL_MAX], *p;
	ns_ws_url u;
	ns_ws_target t;
	uint8_t other[32];

	(void)state;
	assert_int_equal(ns_ws_url_make(0, "h:1", "sb_x", 5000, SECRET, 32, url, sizeof(url)), 0);
	assert_int_equal(ns_ws_url_parse(url, &u), 0);
	/* another sandbox with the same signature */
	p = strstr(u.target, "sb_x");
	p[3] = 'y';
	assert_int_equal(parse(u.target, &t), NS_WS_OK);
	assert_int_equal(ns_ws_target_verify(&t, SECRET, 32, 1), NS_WS_BAD_SIGNATURE);
	p[3] = 'x';
	/* a later expiry */
	p = strstr(u.target, "exp=5000");
	p[4] = '6';
	assert_int_equal(parse(u.target, &t), NS_WS_OK);
	assert_int_equal(ns_ws_target_verify(&t, SECRET, 32, 1), NS_WS_BAD_SIGNATURE);
	p[4] = '5';
	/* one bit of the signature; an expired forgery reads as bad, not expired */
	p = u.target + strlen(u.target) - 1;
	*p = *p == '0' ? '1' : '0';
	assert_int_equal(parse(u.target, &t), NS_WS_OK);
	assert_int_equal(ns_ws_target_verify(&t, SECRET, 32, 9999), NS_WS_BAD_SIGNATURE);
	/* another secret */
	memset(other, 0x5b, sizeof(other));
	assert_int_equal(ns_ws_url_make(0, "h:1", "sb_x", 5000, SECRET, 32, url, sizeof(url)), 0);
	assert_int_equal(ns_ws_url_parse(url, &u), 0);
	assert_int_equal(parse(u.target, &t), NS_WS_OK);
	assert_int_equal(ns_ws_target_verify(&t, other, 32, 1), NS_WS_BAD_SIGNATURE);
}

#define SIG64 "0000000000000000000000000000000000000000000000000000000000000000"

static void test_target_refusals(void **state)
{
	ns_ws_target t;
	char big[NS_WS_TARGET_MAX + 8];

	(void)state;
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?exp=1&sig=" SIG64, &t), NS_WS_OK);
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?sig=" SIG64 "&exp=1", &t), NS_WS_OK);
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh", &t), NS_WS_NO_SIGNATURE);
	assert_string_equal(t.sandbox, "sb_x");
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?exp=1", &t), NS_WS_NO_SIGNATURE);
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?sig=" SIG64, &t), NS_WS_NO_SIGNATURE);
	assert_int_equal(ns_ws_refusal_status(NS_WS_NO_SIGNATURE), 401);
	assert_int_equal(parse("/", &t), NS_WS_NOT_FOUND);
	assert_int_equal(parse("/v1/sandboxes//ssh?exp=1&sig=" SIG64, &t), NS_WS_NOT_FOUND);
	assert_int_equal(parse("/v1/sandboxes/a/b/ssh?exp=1&sig=" SIG64, &t), NS_WS_NOT_FOUND);
	assert_int_equal(parse("/v1/sandboxes/../ssh?exp=1&sig=" SIG64, &t), NS_WS_NOT_FOUND);
	assert_int_equal(parse("/v1/sandboxes/sb%78/ssh?exp=1&sig=" SIG64, &t), NS_WS_NOT_FOUND);
	assert_int_equal(parse("/v1/sandboxes/sb_x/sshx?exp=1&sig=" SIG64, &t), NS_WS_NOT_FOUND);
	assert_int_equal(ns_ws_refusal_status(NS_WS_NOT_FOUND), 404);
	/* the query: one form only */
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?exp=01&sig=" SIG64, &t), NS_WS_BAD_TARGET);
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?exp=&sig=" SIG64, &t), NS_WS_BAD_TARGET);
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?exp=18446744073709551616&sig=" SIG64, &t),
	                 NS_WS_BAD_TARGET);
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?exp=18446744073709551615&sig=" SIG64, &t),
	                 NS_WS_OK);
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?exp=1&exp=2&sig=" SIG64, &t),
	                 NS_WS_BAD_TARGET);
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?exp=1&sig=" SIG64 "&x=1", &t),
	                 NS_WS_BAD_TARGET);
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?exp=1&sig=" SIG64 "&", &t),
	                 NS_WS_BAD_TARGET);
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?exp=1&sig=" SIG64 "0", &t),
	                 NS_WS_BAD_TARGET);
	assert_int_equal(
	    parse("/v1/sandboxes/sb_x/ssh?exp=1&sig=A000000000000000000000000000000000000000000000"
	          "000000000000000000",
	          &t),
	    NS_WS_BAD_TARGET);
	assert_int_equal(parse("/v1/sandboxes/sb_x/ssh?exp=1&sig", &t), NS_WS_BAD_TARGET);
	assert_int_equal(parse("v1/sandboxes/sb_x/ssh", &t), NS_WS_BAD_TARGET);
	assert_int_equal(ns_ws_target_parse("/v1/sandboxes/sb\0x/ssh", 22, &t), NS_WS_BAD_TARGET);
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	assert_int_equal(ns_ws_target_parse(big, sizeof(big), &t), NS_WS_BAD_TARGET);
	assert_int_equal(ns_ws_refusal_status(NS_WS_BAD_TARGET), 400);
	assert_int_equal(ns_ws_refusal_status(NS_WS_BAD_SIGNATURE), 403);
}

static void test_url_parse(void **state)
{
	ns_ws_url u;

	(void)state;
	assert_int_equal(ns_ws_url_parse("ws://127.0.0.1:8080/a?b=c", &u), 0);
	assert_int_equal(u.tls, 0);
	assert_string_equal(u.host, "127.0.0.1");
	assert_int_equal(u.port, 8080);
	assert_string_equal(u.target, "/a?b=c");
	assert_int_equal(ns_ws_url_parse("wss://[::1]/x", &u), 0);
	assert_string_equal(u.host, "::1");
	assert_int_equal(u.port, 443);
	assert_int_equal(ns_ws_url_parse("ws://h", &u), 0);
	assert_int_equal(u.port, 80);
	assert_string_equal(u.target, "/");
	assert_int_equal(ns_ws_url_parse("ws://h?x", &u), 0);
	assert_string_equal(u.target, "/?x");
	assert_int_equal(ns_ws_url_parse("http://h/", &u), NS_ERR_FORMAT);
	assert_int_equal(ns_ws_url_parse("ws://:80/", &u), NS_ERR_FORMAT);
	assert_int_equal(ns_ws_url_parse("ws://h:0/", &u), NS_ERR_FORMAT);
	assert_int_equal(ns_ws_url_parse("ws://h:65536/", &u), NS_ERR_FORMAT);
	assert_int_equal(ns_ws_url_parse("ws://h:/", &u), NS_ERR_FORMAT);
	assert_int_equal(ns_ws_url_parse("ws://u@h/", &u), NS_ERR_FORMAT);
	assert_int_equal(ns_ws_url_parse("ws://[::1/", &u), NS_ERR_FORMAT);
	assert_int_equal(ns_ws_url_parse("ws://[::1]x/", &u), NS_ERR_FORMAT);
	assert_int_equal(ns_ws_url_parse("ws://h/a b", &u), NS_ERR_FORMAT);
	assert_int_equal(ns_ws_url_parse("ws://h/a#f", &u), NS_ERR_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sign_matches_hmac), cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_tampered),          cmocka_unit_test(test_target_refusals),
	    cmocka_unit_test(test_url_parse),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
