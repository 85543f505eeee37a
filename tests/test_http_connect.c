/* Tests for transport/common/http_connect.c: proxy URLs (userinfo decoded,
 * ports, v6, refusals), the NO_PROXY rule (host, .domain, domain, *, ports,
 * v6), the CONNECT request with Basic credentials, and the reply reader's
 * limits (line length, header count, head size) and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "http_connect.h"
#include "nullspace/error.h"

static void test_proxy_url(void **state)
{
	ns_http_proxy p;

	(void)state;
	assert_int_equal(ns_http_proxy_parse("http://proxy.corp:3128", &p), 0);
	assert_string_equal(p.host, "proxy.corp");
	assert_int_equal(p.port, 3128);
	assert_string_equal(p.userinfo, "");
	assert_int_equal(ns_http_proxy_parse("HTTP://127.0.0.1:8888/", &p), 0);
	assert_int_equal(p.port, 8888);
	assert_int_equal(ns_http_proxy_parse("proxy", &p), 0);
	assert_int_equal(p.port, NS_HTTP_PROXY_PORT_DEFAULT);
	assert_int_equal(ns_http_proxy_parse("http://us%40er:p%3Ass@[::1]:3128", &p), 0);
	assert_string_equal(p.host, "::1");
	assert_string_equal(p.userinfo, "us@er:p:ss");
	assert_int_equal(ns_http_proxy_parse("http://a:b@c@h:1", &p), 0); /* last @ */
	assert_string_equal(p.userinfo, "a:b@c");
	assert_string_equal(p.host, "h");
	static const char *const bad[] = {
	    "",
	    "https://h:1",
	    "socks5://h:1",
	    "http://h:0",
	    "http://h:65536",
	    "http://:1",
	    "http://h:x",
	    "http://h/p",
	    "http://h:1/path",
	    "http://u%zz@h:1",
	    "http://u%0a@h:1",
	    "http://h h:1",
	    "http://[::1:1",
	    "http://[]:1",
	    "http://h:123456",
	    "http://u%4@h:1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&p, 0x55, sizeof(p));
		assert_int_not_equal(ns_http_proxy_parse(bad[i], &p), 0);
		assert_string_equal(p.userinfo, ""); /* nothing half-kept */
	}
	char big[NS_HTTP_PROXY_URL_MAX + 8];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ns_http_proxy_parse(big, &p), NS_ERR_TOOBIG);
}

static void test_no_proxy(void **state)
{
	(void)state;
	assert_int_equal(ns_http_no_proxy(NULL, "h", 80), 0);
	assert_int_equal(ns_http_no_proxy("", "h", 80), 0);
	assert_int_equal(ns_http_no_proxy("*", "anything", 1), 1);
	assert_int_equal(ns_http_no_proxy("localhost,127.0.0.1", "127.0.0.1", 8781), 1);
	assert_int_equal(ns_http_no_proxy("localhost, 127.0.0.2", "127.0.0.1", 8781), 0);
	assert_int_equal(ns_http_no_proxy(".corp", "relay.corp", 443), 1);
	assert_int_equal(ns_http_no_proxy(".corp", "corp", 443), 1);
	assert_int_equal(ns_http_no_proxy("corp", "relay.corp", 443), 1);
	assert_int_equal(ns_http_no_proxy("corp", "relaycorp", 443), 0);
	assert_int_equal(ns_http_no_proxy("CORP", "Relay.Corp.", 443), 1);
	assert_int_equal(ns_http_no_proxy("relay.corp:443", "relay.corp", 443), 1);
	assert_int_equal(ns_http_no_proxy("relay.corp:443", "relay.corp", 8443), 0);
	assert_int_equal(ns_http_no_proxy("x,relay.corp:8443 y", "relay.corp", 8443), 1);
	assert_int_equal(ns_http_no_proxy("::1", "::1", 80), 1);
	assert_int_equal(ns_http_no_proxy("[::1]:80", "[::1]", 80), 1);
	assert_int_equal(ns_http_no_proxy("[::1]:81", "::1", 80), 0);
	assert_int_equal(ns_http_no_proxy(".", "h", 80), 0);
}

static void test_request(void **state)
{
	char out[NS_HTTP_CONNECT_REQ_MAX];
	ns_http_proxy p;
	int n;

	(void)state;
	assert_int_equal(ns_http_proxy_parse("http://127.0.0.1:3128", &p), 0);
	n = ns_http_connect_request(&p, "relay.example", 8781, out, sizeof(out));
	assert_int_equal(n, (int)strlen(out));
	assert_string_equal(out, "CONNECT relay.example:8781 HTTP/1.1\r\n"
	                         "Host: relay.example:8781\r\n\r\n");
	assert_int_equal(ns_http_proxy_parse("http://Aladdin:open%20sesame@h:1", &p), 0);
	n = ns_http_connect_request(&p, "::1", 443, out, sizeof(out));
	assert_true(n > 0);
	assert_string_equal(out, "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n"
	                         "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n");
	assert_int_equal(ns_http_connect_request(&p, "h", 1, out, 20), NS_ERR_TOOBIG);
	assert_null(memchr(out, 'Q', 20)); /* a cut request is wiped */
}

static int reply(const char *s, int *status, size_t *hl, const char **why)
{
	return ns_http_connect_reply((const uint8_t *)s, strlen(s), status, hl, why);
}

static void test_reply(void **state)
{
	const char *why;
	int status;
	size_t hl;

	(void)state;
	assert_int_equal(
	    reply("HTTP/1.1 200 Connection established\r\n\r\nSSH", &status, &hl, &why), 0);
	assert_int_equal(status, 200);
	assert_int_equal(hl, strlen("HTTP/1.1 200 Connection established\r\n\r\n"));
	assert_null(why);
	assert_int_equal(reply("HTTP/1.0 403 Filtered\r\nServer: tinyproxy\r\n"
	                       "Content-Type: text/html\r\n\r\n<html>",
	                       &status, &hl, NULL),
	                 0);
	assert_int_equal(status, 403);
	assert_int_equal(reply("HTTP/1.1 200\r\n\r\n", &status, &hl, NULL), 0);
	/* not whole yet */
	assert_int_equal(reply("", &status, &hl, NULL), NS_ERR_AGAIN);
	assert_int_equal(reply("HTTP/1.1 200 OK\r\n", &status, &hl, NULL), NS_ERR_AGAIN);
	assert_int_equal(reply("HTTP/1.1 200 OK\r\nVia: x\r\n\r", &status, &hl, NULL),
	                 NS_ERR_AGAIN);
	assert_int_equal(status, 0);
	/* refused */
	static const char *const bad[] = {
	    "HTTP/2 200 OK\r\n\r\n",
	    "HTTP/1.1 99 x\r\n\r\n",
	    "HTTP/1.1 600 x\r\n\r\n",
	    "HTTP/1.1 2000\r\n\r\n",
	    "HTTP/1.1 200 OK\n\n",
	    "SSH-2.0-x\r\n\r\n",
	    "HTTP/1.1 200 OK\r\n folded\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nnocolon\r\n\r\n",
	    "HTTP/1.1 200 OK\r\nA: \x01\r\n\r\n",
	    "HTTP/1.1 200 OK\r\n: v\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(reply(bad[i], &status, &hl, &why), NS_ERR_FORMAT);
		assert_non_null(why);
		assert_int_equal(status, 0);
	}
}

static void test_reply_limits(void **state)
{
	char *b = malloc(2 * NS_HTTP_CONNECT_HEAD_MAX);
	const char *why;
	size_t hl, n, i;
	int status;

	(void)state;
	assert_non_null(b);
	/* a line of the cap exactly is fine; one byte more is not */
	n = (size_t)sprintf(b, "HTTP/1.1 200 OK\r\nX: ");
	memset(b + n, 'a', NS_HTTP_CONNECT_LINE_MAX - 5);
	n += NS_HTTP_CONNECT_LINE_MAX - 5;
	memcpy(b + n, "\r\n\r\n", 5);
	assert_int_equal(reply(b, &status, &hl, NULL), 0);
	n = (size_t)sprintf(b, "HTTP/1.1 200 OK\r\nX: ");
	memset(b + n, 'a', NS_HTTP_CONNECT_LINE_MAX - 4);
	n += NS_HTTP_CONNECT_LINE_MAX - 4;
	memcpy(b + n, "\r\n\r\n", 5);
	assert_int_equal(reply(b, &status, &hl, &why), NS_ERR_TOOBIG);
	assert_string_equal(why, "line-too-long");
	/* ... and a line of the cap's length without its LF, before it ends */
	assert_int_equal(ns_http_connect_reply((uint8_t *)b, n, &status, &hl, NULL), NS_ERR_AGAIN);
	assert_int_equal(ns_http_connect_reply((uint8_t *)b, n + 1, &status, &hl, NULL),
	                 NS_ERR_TOOBIG);
	/* header count: the cap is fine, one more is not */
	n = (size_t)sprintf(b, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < NS_HTTP_CONNECT_HEADERS_MAX; i++) {
		n += (size_t)sprintf(b + n, "H: v\r\n");
	}
	strcpy(b + n, "\r\n");
	assert_int_equal(reply(b, &status, &hl, NULL), 0);
	strcpy(b + n, "H: v\r\n\r\n");
	assert_int_equal(reply(b, &status, &hl, &why), NS_ERR_TOOBIG);
	assert_string_equal(why, "too-many-headers");
	/* the head's size */
	n = (size_t)sprintf(b, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i < 20; i++) {
		n += (size_t)sprintf(b + n, "H: ");
		memset(b + n, 'v', 500);
		n += 500;
		n += (size_t)sprintf(b + n, "\r\n");
	}
	strcpy(b + n, "\r\n");
	assert_int_equal(reply(b, &status, &hl, &why), NS_ERR_TOOBIG);
	assert_string_equal(why, "head-too-large");
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_proxy_url),    cmocka_unit_test(test_no_proxy),
	    cmocka_unit_test(test_request),      cmocka_unit_test(test_reply),
	    cmocka_unit_test(test_reply_limits),
	};

	if (sodium_init() < 0) {
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
