/* Tests for keep-awake in the API: the extension rule of
 * api/runtime_activity.c (max(expires_at, now + timeout), clamped to
 * max_expires_at, never shortened; "max_lifetime" as the stop reason only
 * when activity took it there), the body of POST /v1/activity
 * (api/request_activity.c) and max_lifetime in the create body
 * (api/request.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/error.h"
#include "request.h"
#include "request_activity.h"
#include "runtime.h"

#define NOW 1800000000

static ns_sandbox_info sb(uint32_t timeout, uint32_t lifetime)
{
	ns_sandbox_info s;

	memset(&s, 0, sizeof(s));
	s.created_at = NOW;
	s.timeout = timeout;
	s.expires_at = NOW + timeout;
	s.max_lifetime = lifetime;
	s.max_expires_at = NOW + lifetime;
	return s;
}

static void test_rule(void **state)
{
	ns_sandbox_info s = sb(60, 300);

	(void)state;
	assert_int_equal(ns_runtime_extend_rule(&s, NOW + 10), NOW + 70);   /* moved */
	assert_int_equal(ns_runtime_extend_rule(&s, NOW), NOW + 60);        /* unchanged */
	assert_int_equal(ns_runtime_extend_rule(&s, NOW + 280), NOW + 300); /* clamped */
	s.expires_at = NOW + 200;                                           /* never shortened */
	assert_int_equal(ns_runtime_extend_rule(&s, NOW + 10), NOW + 200);
	s = sb(60, 60); /* max_lifetime = timeout: the old fixed deadline */
	assert_int_equal(ns_runtime_extend_rule(&s, NOW + 30), NOW + 60);
	s = sb(60, 300); /* reported after the end: still not past the max */
	assert_int_equal(ns_runtime_extend_rule(&s, NOW + 1000), NOW + 300);
}

static void test_at_max(void **state)
{
	ns_sandbox_info s = sb(60, 300);

	(void)state;
	assert_false(ns_runtime_at_max(&s)); /* no activity: "timeout" */
	s.last_activity_at = NOW + 280;
	s.expires_at = ns_runtime_extend_rule(&s, NOW + 280);
	assert_true(ns_runtime_at_max(&s));
	s = sb(60, 60);
	s.last_activity_at = NOW + 10;
	assert_false(ns_runtime_at_max(&s)); /* could never move: its timeout */
}

static void test_runtime_ignores(void **state)
{
	(void)state;
	/* no runtime, no such sandbox: ignored, nothing touched */
	assert_int_equal(ns_runtime_activity(NULL, "sb_x", NOW), NS_RT_IGNORED);
}

static void test_body(void **state)
{
	ns_activity_request *r = malloc(sizeof(*r));
	const char *why = NULL;
	char *big;
	size_t i, off;

	(void)state;
	assert_non_null(r);
	assert_int_equal(
	    ns_api_parse_activity("{\"sandboxes\":[\"sb_a\",\"sb_b\",\"sb_a\"]}",
	                          strlen("{\"sandboxes\":[\"sb_a\",\"sb_b\",\"sb_a\"]}"), r, &why),
	    0);
	assert_int_equal(r->n, 2);
	assert_string_equal(r->ids[1], "sb_b");
	assert_int_equal(ns_api_parse_activity("{\"sandboxes\":[],\"x\":1}",
	                                       strlen("{\"sandboxes\":[],\"x\":1}"), r, &why),
	                 0);
	assert_int_equal(r->n, 0);
#define BAD(s, rc)                                                                                 \
	do {                                                                                       \
		why = NULL;                                                                        \
		assert_int_equal(ns_api_parse_activity(s, strlen(s), r, &why), rc);                \
		assert_non_null(why);                                                              \
		assert_int_equal(r->n, 0);                                                         \
	} while (0)
	BAD("", NS_ERR_FORMAT);
	BAD("[]", NS_ERR_FORMAT);
	BAD("{}", NS_ERR_FORMAT);
	BAD("{\"sandboxes\":\"sb_a\"}", NS_ERR_FORMAT);
	BAD("{\"sandboxes\":[\"sb_a\",2]}", NS_ERR_FORMAT);
	BAD("{\"sandboxes\":[\"\"]}", NS_ERR_INVALID);
	BAD("{\"sandboxes\":[\"../x\"]}", NS_ERR_INVALID);
	BAD("{\"sandboxes\":[\"sb\\u0000x\"]}", NS_ERR_FORMAT); /* no NUL in JSON */
	BAD("{\"sandboxes\":[],\"sandboxes\":[]}", NS_ERR_FORMAT);
	/* one past NS_API_ACTIVITY_MAX */
	big = malloc(16 * (NS_API_ACTIVITY_MAX + 1) + 32);
	assert_non_null(big);
	off = (size_t)sprintf(big, "{\"sandboxes\":[");
	for (i = 0; i <= NS_API_ACTIVITY_MAX; i++) {
		off += (size_t)sprintf(big + off, "%s\"sb_%zu\"", i > 0 ? "," : "", i);
	}
	strcpy(big + off, "]}");
	BAD(big, NS_ERR_INVALID);
	off -= strlen(",\"sb_512\"");
	strcpy(big + off, "]}"); /* exactly the most */
	assert_int_equal(ns_api_parse_activity(big, strlen(big), r, &why), 0);
	assert_int_equal(r->n, NS_API_ACTIVITY_MAX);
	free(big);
	free(r);
}

static void test_create_lifetime(void **state)
{
	ns_create_request c;
	const char *why = NULL;

	(void)state;
	assert_int_equal(ns_api_parse_create("", strlen(""), &c, &why), 0);
	assert_int_equal(c.max_lifetime, NS_API_SANDBOX_LIFETIME_DEFAULT);
	assert_int_equal(ns_api_parse_create("{\"timeout\":8,\"max_lifetime\":14}",
	                                     strlen("{\"timeout\":8,\"max_lifetime\":14}"), &c,
	                                     &why),
	                 0);
	assert_int_equal(c.timeout, 8);
	assert_int_equal(c.max_lifetime, 14);
	/* a short life alone: the idle window fits in it */
	assert_int_equal(
	    ns_api_parse_create("{\"max_lifetime\":30}", strlen("{\"max_lifetime\":30}"), &c, &why),
	    0);
	assert_int_equal(c.timeout, 30);
	assert_int_equal(ns_api_parse_create("{\"timeout\":60,\"max_lifetime\":30}",
	                                     strlen("{\"timeout\":60,\"max_lifetime\":30}"), &c,
	                                     &why),
	                 NS_ERR_INVALID);
	assert_string_equal(why, "max_lifetime must be at least timeout");
	assert_int_equal(c.max_lifetime, NS_API_SANDBOX_LIFETIME_DEFAULT);
	assert_int_equal(ns_api_parse_create("{\"max_lifetime\":86401}",
	                                     strlen("{\"max_lifetime\":86401}"), &c, &why),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_api_parse_create("{\"max_lifetime\":\"1h\"}",
	                                     strlen("{\"max_lifetime\":\"1h\"}"), &c, &why),
	                 NS_ERR_FORMAT);
}

static void test_route(void **state)
{
	char id[NS_API_ID_MAX + 1];

	(void)state;
	assert_int_equal(ns_api_route("/v1/activity", id), NS_ROUTE_ACTIVITY);
	assert_string_equal(id, "");
	assert_int_equal(ns_api_route("/v1/activity/x", id), NS_ROUTE_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule),
	    cmocka_unit_test(test_at_max),
	    cmocka_unit_test(test_runtime_ignores),
	    cmocka_unit_test(test_body),
	    cmocka_unit_test(test_create_lifetime),
	    cmocka_unit_test(test_route),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
