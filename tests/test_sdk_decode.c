/* Tests for api/sdk_decode.c: the sandbox, list, access and error bodies of
 * docs/api.md decode; each required member missing or of the wrong type,
 * duplicate members, over-long strings, bad timestamps and ports are refused
 * with the output zeroed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "sdk_decode.h"
#include "nullspace/error.h"
#include "nullspace/sdk.h"

#define SB                                                                                         \
	"{\"id\": \"sb_4k2j9x0q1m7a\", \"template\": \"base\", \"state\": \"running\", "           \
	"\"stop_reason\": null, \"created_at\": \"2026-11-28T10:00:00Z\", "                        \
	"\"expires_at\": \"2026-11-28T10:10:00Z\", \"timeout\": 600}"
#define SB_STOPPED                                                                                 \
	"{\"id\": \"sb_aaaaaaaaaaaa\", \"template\": \"base\", \"state\": \"stopped\", "           \
	"\"stop_reason\": \"killed\", \"created_at\": \"2024-02-29T23:59:59Z\", "                  \
	"\"expires_at\": \"2024-03-01T00:00:59Z\", \"timeout\": 60, \"extra\": [1, 2]}"
#define ACCESS                                                                                     \
	"{\"access_id\": \"acc_0f3kq9\", \"sandbox_id\": \"sb_4k2j9x0q1m7a\", "                    \
	"\"user\": \"sb_4k2j9x0q1m7a\", "                                                          \
	"\"certificate\": \"ssh-ed25519-cert-v01@openssh.com AAAAcert acc_0f3kq9\", "              \
	"\"expires_at\": \"2026-11-28T10:10:00Z\", \"relay\": {\"host\": \"127.0.0.1\", "          \
	"\"port\": 2222, \"host_key\": \"ssh-ed25519 AAAAhost\", "                                 \
	"\"known_hosts\": \"[127.0.0.1]:2222 ssh-ed25519 AAAAhost\"}, "                            \
	"\"command\": \"ssh -i id_ed25519 -p 2222 sb_4k2j9x0q1m7a@127.0.0.1\"}"

/* 2026-11-28T10:00:00Z */
#define T_CREATED 1795860000
#define ZERO_SB(sb) assert_true(is_zero(&(sb), sizeof(sb)))

static int is_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] != 0) {
			return 0;
		}
	}
	return 1;
}

static int decode_sb(const char *body, ns_sandbox_info *sb, const char **why)
{
	memset(sb, 0xAA, sizeof(*sb));
	return ns_api_decode_sandbox(body, strlen(body), sb, why);
}

/* SB with member name replaced by value (raw JSON) or removed (NULL). */
static char *sb_with(const char *base, const char *name, const char *value)
{
	json_t *j = json_loads(base, 0, NULL), *v = NULL;
	char *out;

	assert_non_null(j);
	if (value != NULL) {
		v = json_loads(value, JSON_DECODE_ANY, NULL);
		assert_non_null(v);
		assert_int_equal(json_object_set_new(j, name, v), 0);
	} else {
		assert_int_equal(json_object_del(j, name), 0);
	}
	out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	assert_non_null(out);
	return out;
}

static void test_sandbox_good(void **state)
{
	ns_sandbox_info sb;
	const char *why = "x";

	(void)state;
	assert_int_equal(decode_sb(SB, &sb, &why), 0);
	assert_null(why);
	assert_string_equal(sb.id, "sb_4k2j9x0q1m7a");
	assert_string_equal(sb.template_name, "base");
	assert_string_equal(sb.state, "running");
	assert_string_equal(sb.stop_reason, "");
	assert_int_equal(sb.created_at, T_CREATED);
	assert_int_equal(sb.expires_at, T_CREATED + 600);
	assert_int_equal(sb.timeout, 600);

	assert_int_equal(decode_sb(SB_STOPPED, &sb, NULL), 0);
	assert_string_equal(sb.state, "stopped");
	assert_string_equal(sb.stop_reason, "killed");
	assert_int_equal(sb.expires_at - sb.created_at, 60);
	assert_int_equal(sb.timeout, 60);
}

/* Keep-awake members: read when there, the old fixed deadline when an
 * older server sends none; a bad one names itself. */
static void test_sandbox_keep_awake(void **state)
{
	static const char *awake =
	    "{\"id\": \"sb_4k2j9x0q1m7a\", \"template\": \"base\", \"state\": \"running\", "
	    "\"stop_reason\": null, \"created_at\": \"2026-11-28T10:00:00Z\", "
	    "\"expires_at\": \"2026-11-28T10:30:00Z\", \"timeout\": 600, \"max_lifetime\": 3600, "
	    "\"max_expires_at\": \"2026-11-28T11:00:00Z\", "
	    "\"last_activity_at\": \"2026-11-28T10:20:00Z\"}";
	static const char *bad =
	    "{\"id\": \"sb_4k2j9x0q1m7a\", \"template\": \"base\", \"state\": \"running\", "
	    "\"stop_reason\": null, \"created_at\": \"2026-11-28T10:00:00Z\", "
	    "\"expires_at\": \"2026-11-28T10:30:00Z\", \"timeout\": 600, \"max_lifetime\": \"1h\"}";
	ns_sandbox_info sb;
	const char *why = "x";

	(void)state;
	assert_int_equal(decode_sb(awake, &sb, &why), 0);
	assert_int_equal(sb.max_lifetime, 3600);
	assert_int_equal(sb.max_expires_at, T_CREATED + 3600);
	assert_int_equal(sb.last_activity_at, T_CREATED + 1200);
	assert_int_equal(sb.expires_at, T_CREATED + 1800);
	assert_int_equal(decode_sb(SB, &sb, &why), 0); /* an older server */
	assert_int_equal(sb.max_lifetime, 600);
	assert_int_equal(sb.max_expires_at, T_CREATED + 600);
	assert_int_equal(sb.last_activity_at, 0);
	assert_int_equal(decode_sb(bad, &sb, &why), NS_ERR_FORMAT);
	assert_string_equal(why, "bad \"max_lifetime\"");
	ZERO_SB(sb);
}

static void test_sandbox_missing_and_types(void **state)
{
	static const char *members[] = {"id",         "template",   "state",  "stop_reason",
	                                "created_at", "expires_at", "timeout"};
	/* a wrong type for each member, in the same order */
	static const char *wrong[] = {"42", "null", "true", "7", "1795860000", "{}", "\"600\""};
	ns_sandbox_info sb;
	const char *why;
	size_t i;
	char *body;

	(void)state;
	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		body = sb_with(SB, members[i], NULL);
		why = NULL;
		assert_int_equal(decode_sb(body, &sb, &why), NS_ERR_FORMAT);
		assert_non_null(why);
		assert_non_null(strstr(why, members[i]));
		ZERO_SB(sb);
		free(body);

		body = sb_with(SB, members[i], wrong[i]);
		assert_int_equal(decode_sb(body, &sb, &why), NS_ERR_FORMAT);
		ZERO_SB(sb);
		free(body);
	}
}

static void test_sandbox_values(void **state)
{
	static const struct {
		const char *name, *value;
		int ok;
	} cases[] = {
	    {"timeout", "0", 0},
	    {"timeout", "86401", 0},
	    {"timeout", "-5", 0},
	    {"timeout", "1.5", 0},
	    {"timeout", "86400", 1},
	    {"id", "\"\"", 0},
	    {"id", "\"sb/../x\"", 0},
	    {"id", "\"sb 1\"", 0},
	    {"template", "\"bad\\nline\"", 0},
	    {"template", "\"\\u001b[31m\"", 0},
	    /* exactly the field size fits; one more does not (never truncated) */
	    {"state", "\"aaaaaaaaaaaaaaaa\"", 1},
	    {"state", "\"aaaaaaaaaaaaaaaaa\"", 0},
	    {"stop_reason", "\"timeout\"", 1},
	    {"stop_reason", "\"\"", 0},
	    {"created_at", "\"2026-11-28T10:00:00+00:00\"", 0},
	    {"created_at", "\"2026-11-28 10:00:00Z\"", 0},
	    {"created_at", "\"2026-11-28T10:00:00.5Z\"", 0},
	    {"created_at", "\"2026-11-28t10:00:00z\"", 0},
	    {"created_at", "\"2026-02-29T10:00:00Z\"", 0},
	    {"created_at", "\"2024-02-29T10:00:00Z\"", 1},
	    {"created_at", "\"2026-04-31T10:00:00Z\"", 0},
	    {"created_at", "\"2026-13-01T10:00:00Z\"", 0},
	    {"created_at", "\"2026-00-01T10:00:00Z\"", 0},
	    {"created_at", "\"2026-11-28T24:00:00Z\"", 0},
	    {"created_at", "\"2026-11-28T10:60:00Z\"", 0},
	    {"created_at", "\"2026-11-28T10:00:60Z\"", 0},
	    {"created_at", "\"1969-12-31T23:59:59Z\"", 0},
	    {"created_at", "\"+026-11-28T10:00:00Z\"", 0},
	    {"created_at", "\"2026-1a-28T10:00:00Z\"", 0},
	    {"expires_at", "\"\"", 0},
	    {"expires_at", "\"1970-01-01T00:00:00Z\"", 1},
	};
	ns_sandbox_info sb;
	size_t i;
	char *body;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		body = sb_with(SB, cases[i].name, cases[i].value);
		if (cases[i].ok) {
			assert_int_equal(decode_sb(body, &sb, NULL), 0);
		} else {
			if (decode_sb(body, &sb, NULL) != NS_ERR_FORMAT) {
				fail_msg("accepted %s = %s", cases[i].name, cases[i].value);
			}
			ZERO_SB(sb);
		}
		free(body);
	}
	body = sb_with(SB, "created_at", "\"1970-01-01T00:00:01Z\"");
	assert_int_equal(decode_sb(body, &sb, NULL), 0);
	assert_int_equal(sb.created_at, 1);
	free(body);
}

static void test_sandbox_not_json(void **state)
{
	static const char *bodies[] = {
	    "",
	    "null",
	    "[]",
	    "\"sb\"",
	    "{",
	    SB "x",
	    "{\"id\": \"sb_a\", \"id\": \"sb_b\", \"template\": \"base\", \"state\": \"running\", "
	    "\"stop_reason\": null, \"created_at\": \"2026-11-28T10:00:00Z\", "
	    "\"expires_at\": \"2026-11-28T10:10:00Z\", \"timeout\": 600}",
	};
	ns_sandbox_info sb;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(decode_sb(bodies[i], &sb, NULL), NS_ERR_FORMAT);
		ZERO_SB(sb);
	}
	/* a NUL byte inside the length is refused, not read as an end */
	assert_int_equal(ns_api_decode_sandbox(SB "\0", sizeof(SB), &sb, NULL), NS_ERR_FORMAT);
	assert_int_equal(ns_api_decode_sandbox(NULL, 0, &sb, NULL), NS_ERR_FORMAT);
}

static void test_list(void **state)
{
	const char *body = "{\"sandboxes\": [" SB ", " SB_STOPPED "]}";
	ns_sandbox_info sb[3];
	size_t n = 99;

	(void)state;
	assert_int_equal(ns_api_decode_sandbox_list(body, strlen(body), sb, 3, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(sb[0].id, "sb_4k2j9x0q1m7a");
	assert_string_equal(sb[1].id, "sb_aaaaaaaaaaaa");
	ZERO_SB(sb[2]);

	/* fewer slots than sandboxes: the newest ones, the whole count */
	assert_int_equal(ns_api_decode_sandbox_list(body, strlen(body), sb, 1, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_string_equal(sb[0].id, "sb_4k2j9x0q1m7a");
	assert_int_equal(ns_api_decode_sandbox_list(body, strlen(body), NULL, 0, &n, NULL), 0);
	assert_int_equal(n, 2);

	body = "{\"sandboxes\": []}";
	assert_int_equal(ns_api_decode_sandbox_list(body, strlen(body), sb, 3, &n, NULL), 0);
	assert_int_equal(n, 0);
}

static void test_list_bad(void **state)
{
	static const char *bodies[] = {
	    "{}",
	    "{\"sandboxes\": null}",
	    "{\"sandboxes\": {}}",
	    "{\"sandboxes\": [" SB ", 1]}",
	    "{\"sandboxes\": [" SB ", {}]}",
	    "{\"sandboxes\": [], \"sandboxes\": []}",
	    "[" SB "]",
	};
	/* a bad entry past cap is still refused */
	const char *late = "{\"sandboxes\": [" SB ", {\"id\": 1}]}";
	ns_sandbox_info sb[2];
	const char *why;
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		n = 7;
		why = NULL;
		assert_int_equal(
		    ns_api_decode_sandbox_list(bodies[i], strlen(bodies[i]), sb, 2, &n, &why),
		    NS_ERR_FORMAT);
		assert_non_null(why);
		assert_int_equal(n, 0);
		assert_true(is_zero(sb, sizeof(sb)));
	}
	assert_int_equal(ns_api_decode_sandbox_list(late, strlen(late), sb, 1, &n, NULL),
	                 NS_ERR_FORMAT);
	assert_true(is_zero(sb, sizeof(sb[0])));
}

static void test_access_good(void **state)
{
	ns_ssh_access a;
	const char *why = "x";

	(void)state;
	assert_int_equal(ns_api_decode_access(ACCESS, strlen(ACCESS), &a, &why), 0);
	assert_null(why);
	assert_string_equal(a.access_id, "acc_0f3kq9");
	assert_string_equal(a.sandbox_id, "sb_4k2j9x0q1m7a");
	assert_string_equal(a.user, "sb_4k2j9x0q1m7a");
	assert_string_equal(a.certificate, "ssh-ed25519-cert-v01@openssh.com AAAAcert acc_0f3kq9");
	assert_int_equal(a.expires_at, T_CREATED + 600);
	assert_string_equal(a.relay_host, "127.0.0.1");
	assert_int_equal(a.relay_port, 2222);
	assert_string_equal(a.relay_host_key, "ssh-ed25519 AAAAhost");
	assert_string_equal(a.relay_known_hosts, "[127.0.0.1]:2222 ssh-ed25519 AAAAhost");
	assert_string_equal(a.command, "ssh -i id_ed25519 -p 2222 sb_4k2j9x0q1m7a@127.0.0.1");
	ns_ssh_access_free(&a);
	assert_true(is_zero(&a, sizeof(a)));
	ns_ssh_access_free(&a); /* twice is fine */
	ns_ssh_access_free(NULL);
}

static char *access_with(const char *obj, const char *name, const char *value)
{
	json_t *j = json_loads(ACCESS, 0, NULL), *target, *v = NULL;
	char *out;

	assert_non_null(j);
	target = obj != NULL ? json_object_get(j, obj) : j;
	assert_non_null(target);
	if (value != NULL) {
		v = json_loads(value, JSON_DECODE_ANY, NULL);
		assert_non_null(v);
		assert_int_equal(json_object_set_new(target, name, v), 0);
	} else {
		assert_int_equal(json_object_del(target, name), 0);
	}
	out = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return out;
}

static void test_access_bad(void **state)
{
	static const struct {
		const char *obj, *name;
	} members[] = {
	    {NULL, "access_id"},   {NULL, "sandbox_id"},     {NULL, "user"},
	    {NULL, "certificate"}, {NULL, "expires_at"},     {NULL, "relay"},
	    {NULL, "command"},     {"relay", "host"},        {"relay", "port"},
	    {"relay", "host_key"}, {"relay", "known_hosts"},
	};
	static const struct {
		const char *obj, *name, *value;
	} values[] = {
	    {"relay", "port", "0"},
	    {"relay", "port", "65536"},
	    {"relay", "port", "\"2222\""},
	    {"relay", "port", "-1"},
	    {"relay", "host", "\"\""},
	    {NULL, "relay", "\"127.0.0.1:2222\""},
	    {NULL, "user", "\"a@b\""},
	    {NULL, "expires_at", "\"tomorrow\""},
	    {NULL, "command", "\"ssh\\n\""},
	    {NULL, "certificate", "null"},
	    {NULL, "access_id",
	     "\"acc_0f3kq9acc_0f3kq9acc_0f3kq9acc_0f3kq9acc_0f3kq9acc_0f3kq9"
	     "acc_0f3kq9\""},
	};
	ns_ssh_access a;
	const char *why;
	size_t i;
	char *body;

	(void)state;
	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		body = access_with(members[i].obj, members[i].name, NULL);
		why = NULL;
		memset(&a, 0x55, sizeof(a));
		assert_int_equal(ns_api_decode_access(body, strlen(body), &a, &why), NS_ERR_FORMAT);
		assert_non_null(why);
		assert_non_null(strstr(why, members[i].name));
		assert_true(is_zero(&a, sizeof(a))); /* and ASan sees no leak */
		free(body);
	}
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		body = access_with(values[i].obj, values[i].name, values[i].value);
		assert_int_equal(ns_api_decode_access(body, strlen(body), &a, NULL), NS_ERR_FORMAT);
		assert_true(is_zero(&a, sizeof(a)));
		free(body);
	}
	body = "{\"access_id\": \"a\", \"access_id\": \"b\"}";
	assert_int_equal(ns_api_decode_access(body, strlen(body), &a, NULL), NS_ERR_FORMAT);
	/* ports at the ends of the range */
	body = access_with("relay", "port", "65535");
	assert_int_equal(ns_api_decode_access(body, strlen(body), &a, NULL), 0);
	assert_int_equal(a.relay_port, 65535);
	ns_ssh_access_free(&a);
	free(body);
}

/* The legacy WebSocket members: optional (absent or null: NULL), a URL
 * nullspace proxy reads, a pin of 64 lowercase hex digits. */
static void test_access_websocket(void **state)
{
	static const char url[] = "\"ws://127.0.0.1:8781/v1/sandboxes/sb_4k2j9x0q1m7a/ssh"
	                          "?exp=1795860600&sig=00\"";
	static const char pin[] = "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
	                          "abcdef\"";
	static const char *const bad_url[] = {"\"http://x/\"", "5", "\"\"", "\"ws://\"",
	                                      "\"ws://h:0/\""};
	static const char *const bad_pin[] = {"\"abc\"",
	                                      "\"0123456789ABCDEF0123456789abcdef01234"
	                                      "56789abcdef0123456789abcdef\"",
	                                      "true"};
	ns_ssh_access a;
	const char *why;
	char *body, *b2;
	size_t i;

	(void)state;
	assert_int_equal(ns_api_decode_access(ACCESS, strlen(ACCESS), &a, NULL), 0);
	assert_null(a.websocket_url);
	assert_null(a.websocket_tls_sha256);
	assert_int_equal(a.size, sizeof(a));
	ns_ssh_access_free(&a);
	body = access_with(NULL, "websocket_url", "null");
	assert_int_equal(ns_api_decode_access(body, strlen(body), &a, NULL), 0);
	assert_null(a.websocket_url);
	ns_ssh_access_free(&a);
	free(body);
	body = access_with(NULL, "websocket_url", url);
	assert_int_equal(ns_api_decode_access(body, strlen(body), &a, NULL), 0);
	assert_non_null(a.websocket_url);
	assert_int_equal(strncmp(a.websocket_url, url + 1, strlen(url) - 2), 0);
	ns_ssh_access_free(&a);
	b2 = access_with(NULL, "websocket_tls_sha256", pin);
	assert_int_equal(ns_api_decode_access(b2, strlen(b2), &a, NULL), 0);
	assert_int_equal(strlen(a.websocket_tls_sha256), 64);
	ns_ssh_access_free(&a);
	free(b2);
	free(body);
	for (i = 0; i < sizeof(bad_url) / sizeof(bad_url[0]); i++) {
		body = access_with(NULL, "websocket_url", bad_url[i]);
		why = NULL;
		assert_int_equal(ns_api_decode_access(body, strlen(body), &a, &why), NS_ERR_FORMAT);
		assert_non_null(strstr(why, "websocket_url"));
		assert_true(is_zero(&a, sizeof(a)));
		free(body);
	}
	for (i = 0; i < sizeof(bad_pin) / sizeof(bad_pin[0]); i++) {
		body = access_with(NULL, "websocket_tls_sha256", bad_pin[i]);
		why = NULL;
		assert_int_equal(ns_api_decode_access(body, strlen(body), &a, &why), NS_ERR_FORMAT);
		assert_non_null(strstr(why, "websocket_tls_sha256"));
		assert_true(is_zero(&a, sizeof(a)));
		free(body);
	}
}

static void test_error(void **state)
{
	char msg[64];
	const char *body = "{\"error\": \"sandbox sb_4k2j9x0q1m7a is stopped (timeout)\"}";

	(void)state;
	assert_int_equal(ns_api_decode_error(body, strlen(body), msg, sizeof(msg)), 0);
	assert_string_equal(msg, "sandbox sb_4k2j9x0q1m7a is stopped (timeout)");

	/* control bytes are made harmless; long messages are cut to fit */
	body = "{\"error\": \"bad\\u001b[2Jthing\\n\"}";
	assert_int_equal(ns_api_decode_error(body, strlen(body), msg, sizeof(msg)), 0);
	assert_string_equal(msg, "bad?[2Jthing?");
	body = "{\"error\": \"0123456789abcdef\"}";
	assert_int_equal(ns_api_decode_error(body, strlen(body), msg, 5), 0);
	assert_string_equal(msg, "0123");

	strcpy(msg, "old");
	body = "{\"message\": \"x\"}";
	assert_int_equal(ns_api_decode_error(body, strlen(body), msg, sizeof(msg)), NS_ERR_FORMAT);
	assert_string_equal(msg, "");
	body = "{\"error\": 5}";
	assert_int_equal(ns_api_decode_error(body, strlen(body), msg, sizeof(msg)), NS_ERR_FORMAT);
	body = "{\"error\": \"\"}";
	assert_int_equal(ns_api_decode_error(body, strlen(body), msg, sizeof(msg)), NS_ERR_FORMAT);
	body = "<html>502 Bad Gateway</html>";
	assert_int_equal(ns_api_decode_error(body, strlen(body), msg, sizeof(msg)), NS_ERR_FORMAT);
	body = "{\"error\": \"a\", \"error\": \"b\"}";
	assert_int_equal(ns_api_decode_error(body, strlen(body), msg, sizeof(msg)), NS_ERR_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sandbox_good),
	    cmocka_unit_test(test_sandbox_keep_awake),
	    cmocka_unit_test(test_sandbox_missing_and_types),
	    cmocka_unit_test(test_sandbox_values),
	    cmocka_unit_test(test_sandbox_not_json),
	    cmocka_unit_test(test_list),
	    cmocka_unit_test(test_list_bad),
	    cmocka_unit_test(test_access_good),
	    cmocka_unit_test(test_access_bad),
	    cmocka_unit_test(test_access_websocket),
	    cmocka_unit_test(test_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
