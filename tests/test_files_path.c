/* Tests for api/files_path.c (paths confined to the sandbox user's home,
 * modes), api/files_out.c (what the sandbox sends back: text made UTF-8,
 * listing records, a download's size line) and api/request_files.c (the
 * bodies and the quoted helper command lines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "files_out.h"
#include "files_path.h"
#include "nullspace/error.h"
#include "request_files.h"

#define HOME "/home/user"
#define B(s) s, strlen(s) /* a JSON body and its length */

static const char *check(const char *p, size_t n, char *out)
{
	const char *why = NULL;

	if (ns_files_path_check(p, n, HOME, out, NS_FILES_PATH_MAX + 1, &why) != 0) {
		assert_non_null(why);
		return NULL;
	}
	return out;
}

static void test_paths_accepted(void **state)
{
	char out[NS_FILES_PATH_MAX + 1];

	(void)state;
	assert_string_equal(check("a.txt", 5, out), "a.txt");
	assert_string_equal(check("./a//b/./c", 10, out), "a/b/c");
	assert_string_equal(check("/home/user/x/y", 14, out), "x/y");
	assert_string_equal(check("/home/user", 10, out), ".");
	assert_string_equal(check("/home/user/", 11, out), ".");
	assert_string_equal(check(".", 1, out), ".");
	assert_string_equal(check("a..b/..c", 8, out), "a..b/..c");
}

static void test_paths_refused(void **state)
{
	char out[NS_FILES_PATH_MAX + 1], *big;
	const char *why = NULL;

	(void)state;
	assert_null(check("..", 2, out));
	assert_null(check("a/../../etc", 11, out));
	assert_null(check("a/..", 4, out));
	assert_null(check("/etc/passwd", 11, out));
	assert_null(check("/home/username/x", 16, out)); /* a prefix is not a parent */
	assert_null(check("/home/user/../x", 15, out));
	assert_null(check("a\0b", 3, out));
	assert_null(check("a\nb", 3, out));
	assert_null(check("", 0, out));
	assert_int_equal(ns_files_path_check("a\0b", 3, HOME, out, sizeof(out), &why),
	                 NS_ERR_INVALID);
	assert_non_null(strstr(why, "NUL"));
	assert_int_equal(ns_files_path_check("../x", 4, HOME, out, sizeof(out), &why),
	                 NS_ERR_INVALID);
	assert_non_null(strstr(why, ".."));
	big = malloc(NS_FILES_PATH_MAX + 2);
	memset(big, 'a', NS_FILES_PATH_MAX + 1);
	assert_null(check(big, NS_FILES_PATH_MAX + 1, out));
	free(big);
}

static void test_modes(void **state)
{
	unsigned m;

	(void)state;
	assert_int_equal(ns_files_mode_parse("0644", &m), 0);
	assert_int_equal(m, 0644);
	assert_int_equal(ns_files_mode_parse("7777", &m), 0);
	assert_int_equal(ns_files_mode_parse("10000", &m), NS_ERR_INVALID);
	assert_int_equal(ns_files_mode_parse("8", &m), NS_ERR_INVALID);
	assert_int_equal(ns_files_mode_parse("", &m), NS_ERR_INVALID);
}

static void test_text_made_utf8(void **state)
{
	json_t *j = ns_files_text((const uint8_t *)"a\xff"
	                                           "b\xc3\xa9\xed\xa0\x80",
	                          8);

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(j), "a\xef\xbf\xbd"
	                                          "b\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	json_decref(j);
}

static void test_listing(void **state)
{
	static const char ok[] = "f 5 644 a b\0d 4096 755 dir\0l 4 777 \xff\0";
	json_t *arr = NULL;

	(void)state;
	assert_int_equal(ns_files_list_parse((const uint8_t *)ok, sizeof(ok) - 1, &arr), 0);
	assert_int_equal(json_array_size(arr), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "name")),
	                    "a b");
	assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 1), "type")),
	                    "dir");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "mode")), 0644);
	json_decref(arr);
	assert_int_equal(ns_files_list_parse((const uint8_t *)"f 5 644 a", 9, &arr), NS_ERR_FORMAT);
	assert_int_equal(ns_files_list_parse((const uint8_t *)"x 5 644 a\0", 10, &arr),
	                 NS_ERR_FORMAT);
	assert_int_equal(ns_files_list_parse((const uint8_t *)"f -5 644 a\0", 11, &arr),
	                 NS_ERR_FORMAT);
	assert_int_equal(ns_files_list_parse((const uint8_t *)"f 5 999 a\0", 10, &arr),
	                 NS_ERR_FORMAT);
	assert_int_equal(ns_files_list_parse((const uint8_t *)"f 5 644 \0", 9, &arr),
	                 NS_ERR_FORMAT);
	assert_null(arr);
}

static void test_head(void **state)
{
	uint64_t size;
	size_t used;

	(void)state;
	assert_int_equal(ns_files_head_parse("123\nxyz", 7, 1000, &size, &used), 0);
	assert_int_equal(size, 123);
	assert_int_equal(used, 4);
	assert_int_equal(ns_files_head_parse("12", 2, 1000, &size, &used), NS_ERR_AGAIN);
	assert_int_equal(ns_files_head_parse("0123\n", 5, 1000, &size, &used), NS_ERR_FORMAT);
	assert_int_equal(ns_files_head_parse("1001\n", 5, 1000, &size, &used), NS_ERR_FORMAT);
	assert_int_equal(ns_files_head_parse("\n", 1, 1000, &size, &used), NS_ERR_FORMAT);
	assert_int_equal(
	    ns_files_head_parse("99999999999999999999999\n", 24, UINT64_MAX, &size, &used),
	    NS_ERR_FORMAT);
}

static void test_command_line_quoted(void **state)
{
	static const char body[] =
	    "{\"cmd\":\"echo 'hi' $X\",\"env\":{\"X\":\"a'b\"},\"cwd\":\"/t mp\",\"timeout\":5}";
	ns_command_request r;
	const char *why = NULL;

	(void)state;
	assert_int_equal(ns_api_parse_command(body, sizeof(body) - 1, "/opt/ns", &r, &why), 0);
	assert_string_equal(r.line, "exec '/opt/ns' sandbox-helper run 5 '/t mp' 'X=a'\\''b' -- "
	                            "'echo '\\''hi'\\'' $X'");
	ns_command_request_free(&r);
	assert_int_equal(
	    ns_api_parse_command(B("{\"cmd\":\"x\",\"env\":{\"1A\":\"v\"}}"), "/opt/ns", &r, &why),
	    NS_ERR_INVALID);
	assert_int_equal(ns_api_parse_command(B("{\"cmd\":\"x\",\"timeout\":0}"), "e", &r, &why),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_api_parse_command(B("{\"cmd\":\"\"}"), "e", &r, &why), NS_ERR_FORMAT);
	assert_int_equal(ns_api_parse_command("[]", 2, "e", &r, &why), NS_ERR_FORMAT);
}

static void test_files_url_body(void **state)
{
	ns_files_url_request r;
	const char *why = NULL;

	(void)state;
	assert_int_equal(ns_api_parse_files_url(B("{\"path\":\"a\"}"), &r, &why), 0);
	assert_int_equal(r.upload, 0);
	assert_int_equal(r.expires_in_minutes, 10);
	assert_int_equal(ns_api_parse_files_url(B("{\"path\":\"a\\u0000b\"}"), &r, &why),
	                 NS_ERR_FORMAT);
	assert_non_null(strstr(why, "NUL"));
	assert_int_equal(
	    ns_api_parse_files_url(B("{\"path\":\"a\",\"expires_in_minutes\":1441}"), &r, &why),
	    NS_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paths_accepted),
	    cmocka_unit_test(test_paths_refused),
	    cmocka_unit_test(test_modes),
	    cmocka_unit_test(test_text_made_utf8),
	    cmocka_unit_test(test_listing),
	    cmocka_unit_test(test_head),
	    cmocka_unit_test(test_command_line_quoted),
	    cmocka_unit_test(test_files_url_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
