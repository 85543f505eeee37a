/* The one rule for untrusted text in log lines and messages (log_str.c):
 * a value can neither add a field nor split the line; a quoted text keeps
 * its spaces but cannot close its quotes; both are cut to fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log_str.h"

#define S(lit) ((ns_str){(const uint8_t *)(lit), sizeof(lit) - 1})

static void test_value(void **state)
{
	char out[64];

	(void)state;
	ns_log_str(S("alice"), out, sizeof(out));
	assert_string_equal(out, "alice");
	ns_log_str(S("a b=c\"d\ne\x7f\xff\x00z"), out, sizeof(out));
	assert_string_equal(out, "a?b?c?d?e???z");
	ns_log_str(S("0123456789"), out, 5);
	assert_string_equal(out, "0123");
	ns_log_cstr("GET /v1/x?a=1 result=ok", out, sizeof(out));
	assert_string_equal(out, "GET?/v1/x?a?1?result?ok");
	ns_log_cstr(NULL, out, sizeof(out));
	assert_string_equal(out, "");
}

static void test_text(void **state)
{
	char out[64];

	(void)state;
	ns_log_text(S("Too many authentication failures"), out, sizeof(out));
	assert_string_equal(out, "Too many authentication failures");
	ns_log_text(S("bye\" forged=\\yes\r\nnext line\t"), out, sizeof(out));
	assert_string_equal(out, "bye? forged=?yes??next line?");
	ns_log_text(S("abcdef"), out, 4);
	assert_string_equal(out, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_value),
	    cmocka_unit_test(test_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
