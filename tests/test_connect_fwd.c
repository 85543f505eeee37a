/* Tests for cli/connect_fwd.c, the -L spec of the built-in client:
 * [BIND:]PORT:HOST:HOSTPORT with bracketed IPv6, loopback binds only, and
 * the refusals (Unix sockets, other binds, bad ports, missing fields). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../cli/connect_fwd.h"

static char store[NS_CONNECT_FWD_SPEC_MAX], err[1024];
static ns_client_forward f;

static int parse(const char *spec)
{
	return ns_connect_fwd_parse(spec, &f, store, err, sizeof(err));
}

static void test_ok(void **state)
{
	(void)state;
	assert_int_equal(parse("8080:localhost:3000"), 0);
	assert_string_equal(f.listen_host, "127.0.0.1");
	assert_int_equal(f.listen_port, 8080);
	assert_string_equal(f.host, "localhost");
	assert_int_equal(f.port, 3000);
	assert_int_equal(parse("127.0.0.1:9000:10.0.0.5:22"), 0);
	assert_string_equal(f.listen_host, "127.0.0.1");
	assert_string_equal(f.host, "10.0.0.5");
	assert_int_equal(parse("[::1]:9000:[fe80::1]:443"), 0);
	assert_string_equal(f.listen_host, "::1");
	assert_int_equal(f.listen_port, 9000);
	assert_string_equal(f.host, "fe80::1");
	assert_int_equal(f.port, 443);
	assert_int_equal(parse("localhost:1:h:65535"), 0);
}

static void test_refused(void **state)
{
	static char big[NS_CONNECT_FWD_SPEC_MAX + 10];

	(void)state;
	assert_int_equal(parse("0.0.0.0:80:h:80"), -1);
	assert_non_null(strstr(err, "loopback only"));
	assert_int_equal(parse("*:80:h:80"), -1);
	assert_int_equal(parse("/tmp/a.sock:/tmp/b.sock"), -1);
	assert_non_null(strstr(err, "not Unix sockets"));
	assert_int_equal(parse("8080:h:/run/x.sock"), -1);
	assert_int_equal(parse("h:80"), -1);
	assert_int_equal(parse("80"), -1);
	assert_int_equal(parse("0:h:80"), -1);
	assert_int_equal(parse("80:h:65536"), -1);
	assert_int_equal(parse("80:h:8x"), -1);
	assert_int_equal(parse("80::81"), -1);
	assert_int_equal(parse("a:b:c:d:e"), -1);
	assert_int_equal(parse("[::1:80:h:80"), -1);
	memset(big, '1', sizeof(big) - 1);
	assert_int_equal(parse(big), -1);
	assert_non_null(strstr(err, "too long"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ok),
	    cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
