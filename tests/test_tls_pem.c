/* Tests for transport/common/tls_pem.c: objects and their names decoded,
 * text between objects skipped, a missing last newline, CRLF lines, broken
 * objects (an END label other than the BEGIN one is refused, though BearSSL
 * alone accepts it), and the limits (NS_TLS_PEM_OBJ_MAX bytes of one object,
 * NS_TLS_PEM_OBJS_MAX objects). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>
#include <cmocka.h>

#include "nullspace/error.h"
#include "tls_pem.h"

/* One object of n bytes (each byte = fill) named name, PEM, appended at out. */
static size_t obj(char *out, const char *name, size_t n, uint8_t fill)
{
	uint8_t *b = malloc(n ? n : 1);
	size_t len;

	assert_non_null(b);
	memset(b, fill, n);
	len = br_pem_encode(out, b, n, name, BR_PEM_LINE64);
	free(b);
	return len;
}

static void test_objects(void **state)
{
	char text[4096];
	size_t len = 0;
	ns_tls_pem p;

	(void)state;
	len += obj(text + len, "CERTIFICATE", 100, 1);
	memcpy(text + len, "comment between\n", 16);
	len += 16;
	len += obj(text + len, "EC PRIVATE KEY", 33, 2);
	len--; /* no last newline */
	assert_int_equal(ns_tls_pem_parse((const uint8_t *)text, len, &p), 0);
	assert_int_equal(p.n, 2);
	assert_string_equal(p.objs[0].name, "CERTIFICATE");
	assert_int_equal(p.objs[0].len, 100);
	assert_int_equal(p.objs[0].der[99], 1);
	assert_string_equal(p.objs[1].name, "EC PRIVATE KEY");
	assert_int_equal(p.objs[1].len, 33);
	ns_tls_pem_free(&p);
}

static void test_broken(void **state)
{
	static const char *bad[] = {
	    "",
	    "no pem here\n",
	    "-----BEGIN X-----\n!!!!\n-----END X-----\n",
	    "-----BEGIN X-----\nAAAA\n",                                           /* never ends */
	    "-----BEGIN X-----\nAAAA\n-----END X-----\n-----BEGIN X-----\nAAAA\n", /* nor the 2nd */
	    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n",      /* RFC 7468 2 */
	    "-----BEGIN X-----\nAAAA\n-----END XY-----\n",
	    "-----BEGIN X-----\r\nAAAA\r\n-----END Y-----\r\n",
	    "-----BEGIN X-----\nAAAA\n-----END X-----\n-----BEGIN Y-----\nAAAA\n-----END X-----\n",
	};
	ns_tls_pem p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ns_tls_pem_parse((const uint8_t *)bad[i], strlen(bad[i]), &p),
		                 NS_ERR_FORMAT);
		ns_tls_pem_free(&p);
	}
}

static void test_crlf(void **state)
{
	static const char text[] = "-----BEGIN X-----\r\nAAAA\r\n-----END X-----\r\n";
	ns_tls_pem p;

	(void)state;
	assert_int_equal(ns_tls_pem_parse((const uint8_t *)text, strlen(text), &p), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.objs[0].name, "X");
	assert_int_equal(p.objs[0].len, 3);
	ns_tls_pem_free(&p);
}

static void test_object_size_limit(void **state)
{
	char *text = malloc(4 * NS_TLS_PEM_OBJ_MAX);
	ns_tls_pem p;
	size_t len;

	(void)state;
	assert_non_null(text);
	len = obj(text, "CERTIFICATE", NS_TLS_PEM_OBJ_MAX, 3);
	assert_int_equal(ns_tls_pem_parse((const uint8_t *)text, len, &p), 0);
	assert_int_equal(p.objs[0].len, NS_TLS_PEM_OBJ_MAX);
	ns_tls_pem_free(&p);
	len = obj(text, "CERTIFICATE", NS_TLS_PEM_OBJ_MAX + 1, 3);
	assert_int_equal(ns_tls_pem_parse((const uint8_t *)text, len, &p), NS_ERR_TOOBIG);
	ns_tls_pem_free(&p);
	free(text);
}

static void test_object_count_limit(void **state)
{
	char *text = malloc((NS_TLS_PEM_OBJS_MAX + 1) * 64);
	ns_tls_pem p;
	size_t len = 0, i;

	(void)state;
	assert_non_null(text);
	for (i = 0; i < NS_TLS_PEM_OBJS_MAX; i++) {
		len += obj(text + len, "A", 3, 4);
	}
	assert_int_equal(ns_tls_pem_parse((const uint8_t *)text, len, &p), 0);
	assert_int_equal(p.n, NS_TLS_PEM_OBJS_MAX);
	ns_tls_pem_free(&p);
	len += obj(text + len, "A", 3, 4);
	assert_int_equal(ns_tls_pem_parse((const uint8_t *)text, len, &p), NS_ERR_TOOBIG);
	ns_tls_pem_free(&p);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_objects),
	    cmocka_unit_test(test_broken),
	    cmocka_unit_test(test_crlf),
	    cmocka_unit_test(test_object_size_limit),
	    cmocka_unit_test(test_object_count_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
