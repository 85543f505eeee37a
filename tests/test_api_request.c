/* Tests for api/request.c: every route and near miss, control bytes in URL
 * parts (raw and %-encoded) and headers, and the create and ssh-access
 * bodies: defaults, every member type and range error with its message,
 * duplicates, trailing garbage, unknown members ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/error.h"
#include "nullspace/cert.h"
#include "request.h"

#define SB "sb_4k2j9x0q1m7a"
#define KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfKll5C3VKMwONnIhoIKOq/uogrlCFlGQkt3uiRnDpi"

static void test_routes(void **state)
{
	char id[NS_API_ID_MAX + 1], long_id[NS_API_ID_MAX + 32], path[256];

	(void)state;
	assert_int_equal(ns_api_route("/v1/health", id), NS_ROUTE_HEALTH);
	assert_string_equal(id, "");
	assert_int_equal(ns_api_route("/v1/sandboxes", id), NS_ROUTE_SANDBOXES);
	assert_string_equal(id, "");
	assert_int_equal(ns_api_route("/v1/sandboxes/" SB, id), NS_ROUTE_SANDBOX);
	assert_string_equal(id, SB);
	assert_int_equal(ns_api_route("/v1/sandboxes/" SB "/kill", id), NS_ROUTE_SANDBOX_KILL);
	assert_string_equal(id, SB);
	assert_int_equal(ns_api_route("/v1/sandboxes/" SB "/ssh-access", id), NS_ROUTE_SSH_ACCESS);
	assert_string_equal(id, SB);

	/* near misses */
	static const char *const none[] = {
	    "",
	    "/",
	    "/v1",
	    "/v1/",
	    "/v1/health/",
	    "/v1/healthz",
	    "/V1/health",
	    "v1/health",
	    "/v1/sandboxes/",
	    "/v1/sandboxesx",
	    "/v1/sandboxes//kill",
	    "/v1/sandboxes/" SB "/",
	    "/v1/sandboxes/" SB "/kill/",
	    "/v1/sandboxes/" SB "/ssh-access/x",
	    "/v1/sandboxes/" SB "/shell",
	    "/v1/sandboxes/" SB "//kill",
	    "/v1/sandboxes/..",
	    "/v1/sandboxes/../kill",
	    "/v1/sandboxes/sb.x",
	    "/v1/sandboxes/sb x",
	    "/v1/sandboxes/sb%20x",
	    "/v2/sandboxes",
	    "//v1/health",
	};
	size_t i;

	for (i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		strcpy(id, "junk");
		assert_int_equal(ns_api_route(none[i], id), NS_ROUTE_NONE);
		assert_string_equal(id, "");
	}
	assert_int_equal(ns_api_route(NULL, id), NS_ROUTE_NONE);

	/* ids up to NS_API_ID_MAX characters */
	memset(long_id, 'a', NS_API_ID_MAX);
	long_id[NS_API_ID_MAX] = '\0';
	snprintf(path, sizeof(path), "/v1/sandboxes/%s/kill", long_id);
	assert_int_equal(ns_api_route(path, id), NS_ROUTE_SANDBOX_KILL);
	assert_string_equal(id, long_id);
	long_id[NS_API_ID_MAX] = 'a';
	long_id[NS_API_ID_MAX + 1] = '\0';
	snprintf(path, sizeof(path), "/v1/sandboxes/%s", long_id);
	assert_int_equal(ns_api_route(path, id), NS_ROUTE_NONE);
	assert_string_equal(id, "");
}

static int create(const char *body, ns_create_request *r, const char **why)
{
	return ns_api_parse_create(body, strlen(body), r, why);
}

static void test_create_ok(void **state)
{
	ns_create_request r;
	const char *why = "unset";

	(void)state;
	assert_int_equal(ns_api_parse_create(NULL, 0, &r, &why), 0);
	assert_null(why);
	assert_string_equal(r.template_name, "base");
	assert_int_equal(r.timeout, NS_API_SANDBOX_TIMEOUT_DEFAULT);
	assert_int_equal(create("{}", &r, &why), 0);
	assert_string_equal(r.template_name, "base");
	assert_int_equal(r.timeout, 600);
	assert_int_equal(create(" {\"template\": \"base\", \"timeout\": 30} \n", &r, &why), 0);
	assert_string_equal(r.template_name, "base");
	assert_int_equal(r.timeout, 30);
	assert_int_equal(create("{\"timeout\": 1}", &r, &why), 0);
	assert_int_equal(r.timeout, 1);
	assert_int_equal(create("{\"timeout\": 86400, \"extra\": [1, {\"x\": null}]}", &r, &why),
	                 0);
	assert_int_equal(r.timeout, 86400);
	/* a template name the runtime will judge (unknown is its 400) */
	assert_int_equal(create("{\"template\": \"ubuntu-22.04_x\"}", &r, &why), 0);
	assert_string_equal(r.template_name, "ubuntu-22.04_x");
	assert_int_equal(r.timeout, 600);
}

/* A refusal: the code, a reason, and when given the reason's words. */
static void expect_refused(int rc, const char *why, int want_rc, const char *want_why)
{
	assert_int_equal(rc, want_rc);
	assert_non_null(why);
	if (want_why != NULL) {
		assert_string_equal(why, want_why);
	}
}

static void expect_create(const char *body, int want_rc, const char *want_why)
{
	ns_create_request r;
	const char *why = NULL;
	int rc = create(body, &r, &why);

	expect_refused(rc, why, want_rc, want_why);
	/* refused bodies leave the defaults */
	assert_string_equal(r.template_name, "base");
	assert_int_equal(r.timeout, 600);
}

static void test_create_bad(void **state)
{
	const char *timeout_why = "timeout must be an integer from 1 to 86400 (seconds)";
	char big[200];

	(void)state;
	expect_create("{", NS_ERR_FORMAT, NULL);
	expect_create("not json", NS_ERR_FORMAT, NULL);
	expect_create("{} {}", NS_ERR_FORMAT, NULL);
	expect_create("{}x", NS_ERR_FORMAT, NULL);
	expect_create(" ", NS_ERR_FORMAT, NULL);
	expect_create("[]", NS_ERR_FORMAT, "the request body must be a JSON object");
	expect_create("[{\"timeout\": 5}]", NS_ERR_FORMAT,
	              "the request body must be a JSON object");
	expect_create("\"base\"", NS_ERR_FORMAT, NULL);
	expect_create("600", NS_ERR_FORMAT, NULL);
	expect_create("null", NS_ERR_FORMAT, NULL);
	expect_create("{\"timeout\": 5, \"timeout\": 6}", NS_ERR_FORMAT, NULL);
	expect_create("{\"template\": 5}", NS_ERR_FORMAT, "template must be a string");
	expect_create("{\"template\": null}", NS_ERR_FORMAT, "template must be a string");
	expect_create("{\"template\": [\"base\"]}", NS_ERR_FORMAT, "template must be a string");
	expect_create("{\"template\": \"\"}", NS_ERR_INVALID, NULL);
	expect_create("{\"template\": \"a b\"}", NS_ERR_INVALID, NULL);
	expect_create("{\"template\": \"../base\"}", NS_ERR_INVALID, NULL);
	expect_create("{\"template\": \"b\\u00e4se\"}", NS_ERR_INVALID, NULL);
	expect_create("{\"template\": \"ba\\u0000se\"}", NS_ERR_FORMAT, NULL);
	memset(big, 0, sizeof(big));
	strcpy(big, "{\"template\": \"");
	memset(big + strlen(big), 'a', NS_API_TEMPLATE_MAX + 1);
	strcat(big, "\"}");
	expect_create(big, NS_ERR_INVALID, NULL);
	expect_create("{\"timeout\": 10.5}", NS_ERR_FORMAT, timeout_why);
	expect_create("{\"timeout\": 10.0}", NS_ERR_FORMAT, timeout_why);
	expect_create("{\"timeout\": \"10\"}", NS_ERR_FORMAT, timeout_why);
	expect_create("{\"timeout\": true}", NS_ERR_FORMAT, timeout_why);
	expect_create("{\"timeout\": null}", NS_ERR_FORMAT, timeout_why);
	expect_create("{\"timeout\": 0}", NS_ERR_INVALID, timeout_why);
	expect_create("{\"timeout\": -1}", NS_ERR_INVALID, timeout_why);
	expect_create("{\"timeout\": 86401}", NS_ERR_INVALID, timeout_why);
	expect_create("{\"timeout\": 4294967897}", NS_ERR_INVALID, timeout_why);
	expect_create("{\"timeout\": 99999999999999999999999}", NS_ERR_FORMAT, NULL);
	/* the template is fine, the timeout is not: nothing is half-applied */
	expect_create("{\"template\": \"other\", \"timeout\": 0}", NS_ERR_INVALID, timeout_why);
	/* the length given is honoured */
	{
		ns_create_request r;
		const char *why = NULL;

		assert_int_equal(ns_api_parse_create("{\"timeout\": 5}garbage", 14, &r, &why), 0);
		assert_int_equal(r.timeout, 5);
		assert_int_equal(ns_api_parse_create("{\"timeout\": 5}", 13, &r, &why),
		                 NS_ERR_FORMAT);
	}
}

static int access_req(const char *body, ns_access_request *r, const char **why)
{
	return ns_api_parse_access(body, strlen(body), r, why);
}

static void test_access_ok(void **state)
{
	ns_access_request r;
	const char *why = "unset";

	(void)state;
	assert_int_equal(access_req("{\"public_key\": \"" KEY " me@laptop\"}", &r, &why), 0);
	assert_null(why);
	assert_string_equal(r.public_key, KEY " me@laptop");
	assert_int_equal(r.expires_in_minutes, NS_API_EXPIRES_DEFAULT);
	assert_int_equal(access_req("{\"expires_in_minutes\": 60, \"public_key\": \"" KEY
	                            "\", \"x\": 1}",
	                            &r, &why),
	                 0);
	assert_string_equal(r.public_key, KEY);
	assert_int_equal(r.expires_in_minutes, 60);
	assert_int_equal(
	    access_req("{\"public_key\": \"" KEY "\", \"expires_in_minutes\": 1}", &r, &why), 0);
	assert_int_equal(r.expires_in_minutes, 1);
	/* the key line itself is judged by the minting, not here */
	assert_int_equal(access_req("{\"public_key\": \"ssh-rsa AAAA\"}", &r, &why), 0);
	assert_string_equal(r.public_key, "ssh-rsa AAAA");
}

static void test_access_permits(void **state)
{
	ns_access_request r;
	const char *why = NULL;
	const char *pk = "{\"public_key\": \"" KEY "\"";
	char body[512];

	(void)state;
	snprintf(body, sizeof(body), "%s}", pk);
	assert_int_equal(access_req(body, &r, &why), 0);
	assert_int_equal(r.extensions, NS_EXT_PERMIT_PTY | NS_EXT_PERMIT_PORT_FORWARDING);
	snprintf(body, sizeof(body), "%s, \"permit_port_forwarding\": false}", pk);
	assert_int_equal(access_req(body, &r, &why), 0);
	assert_int_equal(r.extensions, NS_EXT_PERMIT_PTY);
	snprintf(body, sizeof(body),
	         "%s, \"permit_agent_forwarding\": true, \"permit_port_forwarding\": null}", pk);
	assert_int_equal(access_req(body, &r, &why), 0);
	assert_int_equal(r.extensions, NS_EXT_PERMIT_PTY | NS_EXT_PERMIT_PORT_FORWARDING |
	                                   NS_EXT_PERMIT_AGENT_FORWARDING);
	snprintf(body, sizeof(body), "%s, \"permit_agent_forwarding\": 1}", pk);
	assert_int_equal(access_req(body, &r, &why), NS_ERR_FORMAT);
	assert_string_equal(why, "permit_agent_forwarding must be true or false");
	assert_string_equal(r.public_key, "");
	snprintf(body, sizeof(body), "%s, \"permit_port_forwarding\": \"no\"}", pk);
	assert_int_equal(access_req(body, &r, &why), NS_ERR_FORMAT);
	assert_string_equal(why, "permit_port_forwarding must be true or false");
}

static void expect_access(const char *body, int want_rc, const char *want_why)
{
	ns_access_request r;
	const char *why = NULL;
	int rc = access_req(body, &r, &why);

	expect_refused(rc, why, want_rc, want_why);
	assert_string_equal(r.public_key, "");
	assert_int_equal(r.expires_in_minutes, NS_API_EXPIRES_DEFAULT);
}

static void test_access_bad(void **state)
{
	const char *min_why = "expires_in_minutes must be an integer from 1 to 60";
	const char *req_why = "public_key is required (one OpenSSH public key line: ssh-ed25519, "
	                      "ecdsa-sha2-nistp256, ssh-rsa or sk-*)";
	const char *pk = "\"public_key\": \"" KEY "\"";
	char body[NS_API_PUBKEY_MAX + 64];
	size_t n;

	(void)state;
	expect_access("", NS_ERR_FORMAT, req_why);
	expect_access("{}", NS_ERR_FORMAT, req_why);
	expect_access("{\"expires_in_minutes\": 5}", NS_ERR_FORMAT, req_why);
	expect_access("{\"public_key\": null}", NS_ERR_FORMAT, "public_key must be a string");
	expect_access("{\"public_key\": 42}", NS_ERR_FORMAT, "public_key must be a string");
	expect_access("{\"public_key\": [\"" KEY "\"]}", NS_ERR_FORMAT,
	              "public_key must be a string");
	expect_access("{\"public_key\": \"\"}", NS_ERR_INVALID, NULL);
	expect_access("[]", NS_ERR_FORMAT, "the request body must be a JSON object");
	expect_access("{\"public_key\": \"" KEY "\"", NS_ERR_FORMAT, NULL);
	expect_access("{\"public_key\": \"" KEY "\", \"public_key\": \"" KEY "\"}", NS_ERR_FORMAT,
	              NULL);
	snprintf(body, sizeof(body), "{%s, \"expires_in_minutes\": 0}", pk);
	expect_access(body, NS_ERR_INVALID, min_why);
	snprintf(body, sizeof(body), "{%s, \"expires_in_minutes\": 61}", pk);
	expect_access(body, NS_ERR_INVALID, min_why);
	snprintf(body, sizeof(body), "{%s, \"expires_in_minutes\": -3}", pk);
	expect_access(body, NS_ERR_INVALID, min_why);
	snprintf(body, sizeof(body), "{%s, \"expires_in_minutes\": 10.5}", pk);
	expect_access(body, NS_ERR_FORMAT, min_why);
	snprintf(body, sizeof(body), "{%s, \"expires_in_minutes\": \"10\"}", pk);
	expect_access(body, NS_ERR_FORMAT, min_why);
	snprintf(body, sizeof(body), "{%s, \"expires_in_minutes\": true}", pk);
	expect_access(body, NS_ERR_FORMAT, min_why);
	snprintf(body, sizeof(body), "{%s, \"expires_in_minutes\": null}", pk);
	expect_access(body, NS_ERR_FORMAT, min_why);

	/* a key string of NS_API_PUBKEY_MAX - 1 bytes fits, one more does not */
	strcpy(body, "{\"public_key\": \"");
	n = strlen(body);
	memset(body + n, 'A', NS_API_PUBKEY_MAX - 1);
	strcpy(body + n + NS_API_PUBKEY_MAX - 1, "\"}");
	{
		ns_access_request r;
		const char *why = NULL;

		assert_int_equal(access_req(body, &r, &why), 0);
		assert_int_equal(strlen(r.public_key), NS_API_PUBKEY_MAX - 1);
	}
	memset(body + n, 'A', NS_API_PUBKEY_MAX);
	strcpy(body + n + NS_API_PUBKEY_MAX, "\"}");
	expect_access(body, NS_ERR_INVALID, NULL);
}

static int url_ctl(const char *s)
{
	return ns_api_url_has_control(s, strlen(s));
}

static void test_control_bytes(void **state)
{
	static const char *const bad[] = {
	    "/v1/sandboxes/" SB "%00x_notreal",
	    "/v1/health%00",
	    "%00",
	    "%0a",
	    "%0D",
	    "%1f",
	    "%1F",
	    "%7f",
	    "%7F",
	    "a%09b",
	    "/v1/\x01",
	    "/v1/\x7f",
	    "/v1/a\tb",
	    "%%00",
	    "%2%00",
	};
	static const char *const good[] = {
	    "/v1/sandboxes/" SB,
	    "",
	    "%",
	    "%0",
	    "%0g",
	    "%g0",
	    "%20",
	    "%2500",
	    "%80",
	    "%ff",
	    "%7e",
	    "%25",
	    "a%",
	    "a%0",
	    "%%",
	    "/v1/\x80\xff",
	    "%20%21%3F",
	    "+",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!url_ctl(bad[i])) {
			fail_msg("not refused: %s", bad[i]);
		}
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (url_ctl(good[i])) {
			fail_msg("refused: %s", good[i]);
		}
	}
	/* a NUL inside the given length, raw; the length is what counts */
	assert_int_equal(ns_api_url_has_control("ab\0cd", 5), 1);
	assert_int_equal(ns_api_url_has_control("ab%00", 2), 0);
	assert_int_equal(ns_api_url_has_control("ab%00", 4), 0); /* "%0" cut: not an escape */
	assert_int_equal(ns_api_url_has_control("ab%00", 5), 1);

	assert_int_equal(ns_api_header_has_control("Bearer nsk_x", 12), 0);
	assert_int_equal(ns_api_header_has_control("a\tb", 3), 0);  /* HTAB is allowed */
	assert_int_equal(ns_api_header_has_control("a%00b", 5), 0); /* not decoded */
	assert_int_equal(ns_api_header_has_control("a\x01"
	                                           "b",
	                                           3),
	                 1);
	assert_int_equal(ns_api_header_has_control("a\x7f", 2), 1);
	assert_int_equal(ns_api_header_has_control("a\rb", 3), 1);
	assert_int_equal(ns_api_header_has_control("a\0b", 3), 1);
	assert_int_equal(ns_api_header_has_control("", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_routes),        cmocka_unit_test(test_create_ok),
	    cmocka_unit_test(test_create_bad),    cmocka_unit_test(test_access_ok),
	    cmocka_unit_test(test_access_bad),    cmocka_unit_test(test_access_permits),
	    cmocka_unit_test(test_control_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
