/* Tests for transport/common/http_req.c, the admin listener's request
 * reader: what curl and HAProxy's health check send, every prefix
 * incomplete, and each refusal with its reason and limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http_req.h"
#include "nullspace/error.h"

static int parse(const char *s, ns_http_req *q, size_t *head, const char **why)
{
	return ns_http_req_parse((const uint8_t *)s, strlen(s), q, head, why);
}

static void expect(const char *s, int rc, const char *why)
{
	const char *w = NULL;
	ns_http_req q;
	size_t head;

	assert_int_equal(parse(s, &q, &head, &w), rc);
	assert_string_equal(w, why);
}

static void test_good(void **state)
{
	const char *curl = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9100\r\nUser-Agent: "
	                   "curl/7.88.1\r\nAccept: */*\r\n\r\nextra";
	const char *why = NULL;
	ns_http_req q;
	size_t head, i;

	(void)state;
	assert_int_equal(parse(curl, &q, &head, &why), 0);
	assert_string_equal(q.method, "GET");
	assert_string_equal(q.target, "/metrics");
	assert_int_equal(q.minor, 1);
	assert_int_equal(head, strlen(curl) - 5);
	for (i = 0; i < head; i++) {
		assert_int_equal(ns_http_req_parse((const uint8_t *)curl, i, &q, &head, &why),
		                 NS_ERR_AGAIN);
	}
	/* HAProxy's "option httpchk GET /healthz" */
	assert_int_equal(parse("GET /healthz HTTP/1.0\r\n\r\n", &q, &head, &why), 0);
	assert_string_equal(q.target, "/healthz");
	assert_int_equal(q.minor, 0);
	assert_int_equal(parse("OPTIONS / HTTP/1.0\r\nX-A:\t b\r\n\r\n", &q, &head, &why), 0);
	assert_string_equal(q.method, "OPTIONS");
}

static void test_refusals(void **state)
{
	char big[NS_HTTP_REQ_HEAD_MAX + 64], target[NS_HTTP_REQ_TARGET_MAX + 64];

	(void)state;
	expect("GET /healthz HTTP/1.1\nHost: x\n\n", NS_ERR_FORMAT, "bare-lf");
	expect("GET  /x HTTP/1.1\r\n\r\n", NS_ERR_FORMAT, "bad-target");
	expect("GET x HTTP/1.1\r\n\r\n", NS_ERR_FORMAT, "bad-target");
	expect("GET /x HTTP/2.0\r\n\r\n", NS_ERR_FORMAT, "bad-version");
	expect("GET /x HTTP/1.1 \r\n\r\n", NS_ERR_FORMAT, "bad-version");
	expect("G(T /x HTTP/1.1\r\n\r\n", NS_ERR_FORMAT, "bad-method");
	expect("\r\n\r\n", NS_ERR_FORMAT, "bad-method");
	expect("GET /x HTTP/1.1\r\nHost x\r\n\r\n", NS_ERR_FORMAT, "bad-header");
	expect("GET /x HTTP/1.1\r\nHost: a\x01z\r\n\r\n", NS_ERR_FORMAT, "bad-header");
	expect("ABCDEFGHIJKLMNOPQ /x HTTP/1.1\r\n\r\n", NS_ERR_TOOBIG, "method-too-long");
	memset(target, 'a', sizeof(target));
	memcpy(target, "GET /", 5);
	memcpy(target + 5 + NS_HTTP_REQ_TARGET_MAX, " HTTP/1.1\r\n\r\n", 14);
	expect(target, NS_ERR_TOOBIG, "target-too-long");
	/* a target of exactly the limit */
	memcpy(target + 4 + NS_HTTP_REQ_TARGET_MAX, " HTTP/1.1\r\n\r\n", 14);
	expect(target, 0, "");
	/* a head that never ends within the limit */
	memcpy(big, "GET / HTTP/1.1\r\n", 16);
	memset(big + 16, 'a', sizeof(big) - 17);
	big[sizeof(big) - 1] = '\0';
	expect(big, NS_ERR_TOOBIG, "head-too-large");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
