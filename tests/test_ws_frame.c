/* Tests for transport/common/ws_frame.c and transport/common/ws_http.c: frames split at
 * every byte, fragmentation, control frames, each refusal with its close
 * code; the upgrade request's limits and its required headers, and the
 * RFC 6455 Sec-WebSocket-Accept example. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "nullspace/error.h"
#include "ws_frame.h"
#include "ws_http.h"

static const uint8_t MASK[4] = {0x37, 0xfa, 0x21, 0x3d};

/* A masked client frame of op with payload p (n bytes) into out. */
static size_t frame(uint8_t *out, int op, int fin, const void *p, size_t n)
{
	size_t h = ns_ws_frame_header(out, op, n, MASK);

	if (!fin) {
		out[0] &= 0x7f;
	}
	memcpy(out + h, p, n);
	ns_ws_mask(out + h, n, MASK, 0);
	return h + n;
}

/* Feed buf in pieces of step bytes; collect data, count events. */
static int feed(ns_ws_dec *d, uint8_t *buf, size_t len, size_t step, uint8_t *data, size_t *dlen,
                ns_ws_ev *last)
{
	size_t off = 0, used, n;
	int events = 0;

	*dlen = 0;
	while (off < len) {
		n = len - off < step ? len - off : step;
		do {
			ns_ws_dec_next(d, buf + off, n, &used, last);
			off += used;
			n -= used;
			if (last->type == NS_WS_EV_DATA) {
				memcpy(data + *dlen, last->p, last->len);
				*dlen += last->len;
			} else if (last->type != NS_WS_EV_NONE) {
				events++;
				if (last->type == NS_WS_EV_ERROR || last->type == NS_WS_EV_CLOSE) {
					return events;
				}
			}
		} while (n > 0 && used > 0);
	}
	return events;
}

static void test_split_everywhere(void **state)
{
	uint8_t buf[70000 + 64], data[70000], big[70000];
	size_t len = 0, dlen, step;
	ns_ws_dec d;
	ns_ws_ev ev;

	(void)state;
	randombytes_buf(big, sizeof(big));
	len += frame(buf + len, NS_WS_OP_BINARY, 0, "hello ", 6);
	len += frame(buf + len, NS_WS_OP_PING, 1, "p", 1); /* between fragments */
	len += frame(buf + len, NS_WS_OP_CONT, 1, "world", 5);
	len += frame(buf + len, NS_WS_OP_BINARY, 1, big, 300);
	len += frame(buf + len, NS_WS_OP_BINARY, 1, big, sizeof(big) - 300 - 11);
	for (step = 1; step < 20; step++) {
		ns_ws_dec_init(&d, 1, NS_WS_FRAME_MAX);
		assert_int_equal(feed(&d, buf, len, step, data, &dlen, &ev), 1); /* the ping */
		assert_int_equal(dlen, 11 + sizeof(big) - 11);
		assert_memory_equal(data, "hello world", 11);
		assert_memory_equal(data + 11, big, 300);
		/* re-mask: feed unmasked it in place */
		len = 0;
		len += frame(buf + len, NS_WS_OP_BINARY, 0, "hello ", 6);
		len += frame(buf + len, NS_WS_OP_PING, 1, "p", 1);
		len += frame(buf + len, NS_WS_OP_CONT, 1, "world", 5);
		len += frame(buf + len, NS_WS_OP_BINARY, 1, big, 300);
		len += frame(buf + len, NS_WS_OP_BINARY, 1, big, sizeof(big) - 300 - 11);
	}
}

static void test_control(void **state)
{
	uint8_t buf[256], data[256];
	size_t len, dlen;
	ns_ws_dec d;
	ns_ws_ev ev;

	(void)state;
	ns_ws_dec_init(&d, 1, NS_WS_FRAME_MAX);
	len = frame(buf, NS_WS_OP_PING, 1, "abc", 3);
	assert_int_equal(feed(&d, buf, len, 2, data, &dlen, &ev), 1);
	assert_int_equal(ev.type, NS_WS_EV_PING);
	assert_int_equal(ev.len, 3);
	assert_memory_equal(ev.p, "abc", 3);
	len = frame(buf, NS_WS_OP_CLOSE, 1,
	            "\x03\xe8"
	            "bye",
	            5);
	assert_int_equal(feed(&d, buf, len, 100, data, &dlen, &ev), 1);
	assert_int_equal(ev.type, NS_WS_EV_CLOSE);
	assert_int_equal(ev.code, 1000);
	ns_ws_dec_init(&d, 1, NS_WS_FRAME_MAX);
	len = frame(buf, NS_WS_OP_CLOSE, 1, "", 0);
	assert_int_equal(feed(&d, buf, len, 100, data, &dlen, &ev), 1);
	assert_int_equal(ev.code, NS_WS_CLOSE_NO_STATUS);
}

/* Each refusal with its close code. */
static void refused(const uint8_t *in, size_t len, uint16_t code, const char *why)
{
	uint8_t buf[256], data[256];
	size_t dlen;
	ns_ws_dec d;
	ns_ws_ev ev;

	memcpy(buf, in, len);
	ns_ws_dec_init(&d, 1, 1000);
	feed(&d, buf, len, 1, data, &dlen, &ev);
	assert_int_equal(ev.type, NS_WS_EV_ERROR);
	assert_int_equal(ev.code, code);
	assert_string_equal(ev.why, why);
	assert_int_equal(d.err, code);
}

static void test_refusals(void **state)
{
	uint8_t b[256], p[200];
	size_t n;

	(void)state;
	memset(p, 'x', sizeof(p));
	n = ns_ws_frame_header(b, NS_WS_OP_BINARY, 3, NULL);
	refused(b, n + 3, NS_WS_CLOSE_PROTOCOL, "unmasked-frame");
	n = frame(b, NS_WS_OP_TEXT, 1, "hi", 2);
	refused(b, n, NS_WS_CLOSE_UNSUPPORTED, "text-frame");
	n = ns_ws_frame_header(b, NS_WS_OP_BINARY, 1001, MASK);
	refused(b, n, NS_WS_CLOSE_TOO_BIG, "frame-too-big");
	n = frame(b, NS_WS_OP_CONT, 1, "x", 1);
	refused(b, n, NS_WS_CLOSE_PROTOCOL, "unexpected-continuation");
	n = frame(b, NS_WS_OP_BINARY, 0, "x", 1);
	n += frame(b + n, NS_WS_OP_BINARY, 1, "y", 1);
	refused(b, n, NS_WS_CLOSE_PROTOCOL, "expected-continuation");
	n = frame(b, NS_WS_OP_PING, 0, "x", 1);
	refused(b, n, NS_WS_CLOSE_PROTOCOL, "bad-control-frame");
	n = frame(b, NS_WS_OP_PING, 1, p, 126);
	refused(b, n, NS_WS_CLOSE_PROTOCOL, "bad-control-frame");
	n = frame(b, 3, 1, "x", 1);
	refused(b, n, NS_WS_CLOSE_PROTOCOL, "bad-opcode");
	n = frame(b, NS_WS_OP_BINARY, 1, "x", 1);
	b[0] |= 0x40;
	refused(b, n, NS_WS_CLOSE_PROTOCOL, "reserved-bits");
	n = frame(b, NS_WS_OP_CLOSE, 1, "\x03", 1);
	refused(b, n, NS_WS_CLOSE_PROTOCOL, "bad-close-frame");
	n = frame(b, NS_WS_OP_CLOSE, 1, "\x03\xed", 2); /* 1005 on the wire */
	refused(b, n, NS_WS_CLOSE_PROTOCOL, "bad-close-code");
	/* 126 form for a length under 126 */
	b[0] = 0x82;
	b[1] = 0x80 | 126;
	b[2] = 0;
	b[3] = 5;
	memcpy(b + 4, MASK, 4);
	refused(b, 8, NS_WS_CLOSE_PROTOCOL, "non-minimal-length");
}

static void test_header_writer(void **state)
{
	uint8_t h[NS_WS_HDR_MAX];

	(void)state;
	assert_int_equal(ns_ws_frame_header(h, NS_WS_OP_BINARY, 125, NULL), 2);
	assert_int_equal(h[0], 0x82);
	assert_int_equal(h[1], 125);
	assert_int_equal(ns_ws_frame_header(h, NS_WS_OP_BINARY, 126, NULL), 4);
	assert_int_equal(ns_ws_frame_header(h, NS_WS_OP_BINARY, 65536, MASK), 14);
	assert_int_equal(h[1], 0x80 | 127);
	assert_int_equal(h[7], 1);
}

#define REQ_HEAD "GET /v1/sandboxes/sb_x/ssh?exp=1&sig=ab HTTP/1.1\r\nHost: h:1\r\n"
#define REQ_WS                                                                                     \
	"Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"                                \
	"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"

static int http(const char *s, size_t *head, const char **why)
{
	ns_ws_http_req req;

	return ns_ws_http_parse((const uint8_t *)s, strlen(s), &req, head, why);
}

static void test_http(void **state)
{
	ns_ws_http_req req;
	const char *why;
	size_t head;
	char acc[NS_WS_ACCEPT_LEN + 1], big[NS_WS_HTTP_HEAD_MAX + 64];
	static char huge[16384];
	const char *ok = REQ_HEAD REQ_WS "\r\nrest";
	int i;

	(void)state;
	assert_int_equal(ns_ws_http_parse((const uint8_t *)ok, strlen(ok), &req, &head, &why), 0);
	assert_int_equal(head, strlen(ok) - 4);
	assert_string_equal(req.target, "/v1/sandboxes/sb_x/ssh?exp=1&sig=ab");
	assert_string_equal(req.key, "dGhlIHNhbXBsZSBub25jZQ==");
	ns_ws_http_accept(req.key, acc); /* RFC 6455 section 1.3 */
	assert_string_equal(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	/* every prefix asks for more */
	for (i = 0; i < (int)strlen(ok) - 4; i++) {
		assert_int_equal(
		    ns_ws_http_parse((const uint8_t *)ok, (size_t)i, &req, &head, &why),
		    NS_ERR_AGAIN);
	}
	assert_int_equal(http(REQ_HEAD "\r\n", &head, &why), NS_ERR_FORMAT);
	assert_string_equal(why, "not-websocket");
	assert_int_equal(http("POST / HTTP/1.1\r\n" REQ_WS "\r\n", &head, &why), NS_ERR_FORMAT);
	assert_string_equal(why, "bad-method");
	assert_int_equal(http("GET / HTTP/1.0\r\nHost: h\r\n" REQ_WS "\r\n", &head, &why),
	                 NS_ERR_FORMAT);
	assert_string_equal(why, "bad-version");
	assert_int_equal(http(REQ_HEAD REQ_WS "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
	                      &head, &why),
	                 NS_ERR_FORMAT);
	assert_string_equal(why, "bad-key");
	assert_int_equal(http(REQ_HEAD "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	                               "Sec-WebSocket-Version: 8\r\nSec-WebSocket-Key: "
	                               "dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
	                      &head, &why),
	                 NS_ERR_FORMAT);
	assert_string_equal(why, "bad-ws-version");
	assert_int_equal(http(REQ_HEAD "Host: again\r\n" REQ_WS "\r\n", &head, &why),
	                 NS_ERR_FORMAT);
	assert_string_equal(why, "bad-host");
	assert_int_equal(http(REQ_HEAD "Bad Name: x\r\n" REQ_WS "\r\n", &head, &why),
	                 NS_ERR_FORMAT);
	assert_int_equal(http(REQ_HEAD "X: a\n" REQ_WS "\r\n", &head, &why), NS_ERR_FORMAT);
	assert_string_equal(why, "bare-lf");
	/* limits: one long line, too many headers, a long head */
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	big[NS_WS_HTTP_LINE_MAX + 10] = '\0';
	assert_int_equal(http(big, &head, &why), NS_ERR_TOOBIG);
	assert_string_equal(why, "line-too-long");
	big[0] = '\0';
	strcat(big, REQ_HEAD);
	for (i = 0; i < NS_WS_HTTP_HEADERS_MAX; i++) {
		strcat(big, "X-A: b\r\n");
	}
	strcat(big, REQ_WS "\r\n");
	assert_int_equal(http(big, &head, &why), NS_ERR_TOOBIG);
	assert_string_equal(why, "too-many-headers");
	huge[0] = '\0';
	strcat(huge, REQ_HEAD);
	for (i = 0; i < 12; i++) {
		size_t at = strlen(huge);
		memcpy(huge + at, "X-A: ", 5);
		memset(huge + at + 5, 'b', 700);
		memcpy(huge + at + 705, "\r\n", 3);
	}
	assert_int_equal(http(huge, &head, &why), NS_ERR_TOOBIG);
	assert_string_equal(why, "head-too-large");
}

static void test_http_response(void **state)
{
	const char *ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	                 "sec-websocket-accept:  s3pPLMBiTxaQ9kYGzzhZRbK+xOo= \r\n\r\nxx";
	const char *no = "HTTP/1.1 403 Forbidden\r\nContent-Length: 14\r\n\r\nbad-signature\n";
	char acc[NS_WS_ACCEPT_LEN + 1];
	size_t head;
	int status;

	(void)state;
	assert_int_equal(ns_ws_http_response((const uint8_t *)ok, strlen(ok), &status, acc, &head),
	                 0);
	assert_int_equal(status, 101);
	assert_string_equal(acc, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_int_equal(head, strlen(ok) - 2);
	assert_int_equal(ns_ws_http_response((const uint8_t *)ok, 20, &status, acc, &head),
	                 NS_ERR_AGAIN);
	assert_int_equal(ns_ws_http_response((const uint8_t *)no, strlen(no), &status, acc, &head),
	                 0);
	assert_int_equal(status, 403);
	assert_string_equal(acc, "");
	assert_int_equal(ns_ws_http_response((const uint8_t *)"HTTP/1.0 200 OK\r\n\r\n", 19,
	                                     &status, acc, &head),
	                 NS_ERR_FORMAT);
	assert_int_equal(ns_ws_http_response((const uint8_t *)"HTTP/1.1 20x OK\r\n\r\n", 19,
	                                     &status, acc, &head),
	                 NS_ERR_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_everywhere),
	    cmocka_unit_test(test_control),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_header_writer),
	    cmocka_unit_test(test_http),
	    cmocka_unit_test(test_http_response),
	};
	return sodium_init() < 0 ? 1 : cmocka_run_group_tests(tests, NULL, NULL);
}
