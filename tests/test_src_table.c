/* Tests for transport/src_table.c, the per-source connection count shared by
 * the relay and the agent: the limit per address, addresses independent,
 * counts given back, entries freed at zero, long addresses cut consistently. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/error.h"
#include "src_table.h"

static void test_limit_per_source(void **state)
{
	ns_src_table *t = calloc(1, sizeof(*t));
	int i;

	(void)state;
	assert_non_null(t);
	ns_src_table_init(t);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ns_src_table_add(t, "127.0.0.2", 3), 0);
	}
	assert_int_equal(ns_src_table_add(t, "127.0.0.2", 3), NS_ERR_LIMIT);
	assert_int_equal(ns_src_table_count(t, "127.0.0.2"), 3);
	/* another source is not affected */
	assert_int_equal(ns_src_table_add(t, "127.0.0.3", 3), 0);
	assert_int_equal(ns_src_table_count(t, "127.0.0.3"), 1);
	/* one given back: one more allowed */
	ns_src_table_del(t, "127.0.0.2");
	assert_int_equal(ns_src_table_add(t, "127.0.0.2", 3), 0);
	assert_int_equal(ns_src_table_add(t, "127.0.0.2", 3), NS_ERR_LIMIT);
	/* an unknown address is ignored; a zero limit admits nobody */
	ns_src_table_del(t, "10.0.0.1");
	assert_int_equal(ns_src_table_add(t, "10.0.0.1", 0), NS_ERR_LIMIT);
	assert_int_equal(ns_src_table_count(t, "10.0.0.1"), 0);
	ns_src_table_clear(t);
	assert_int_equal(ns_src_table_count(t, "127.0.0.2"), 0);
	free(t);
}

static void test_entries_freed(void **state)
{
	ns_src_table *t = calloc(1, sizeof(*t));
	char a[32];
	int i;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < 10000; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
		assert_int_equal(ns_src_table_add(t, a, 1), 0);
	}
	for (i = 0; i < 10000; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
		ns_src_table_del(t, a);
	}
	for (i = 0; i < NS_SRC_BUCKETS; i++) {
		assert_null(t->b[i]); /* nothing left behind at zero */
	}
	free(t);
}

static void test_long_address(void **state)
{
	ns_src_table *t = calloc(1, sizeof(*t));
	char a[200];

	(void)state;
	assert_non_null(t);
	memset(a, 'a', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	/* cut to NS_SRC_ADDR_MAX - 1 bytes, the same way every time */
	assert_int_equal(ns_src_table_add(t, a, 2), 0);
	assert_int_equal(ns_src_table_add(t, a, 2), 0);
	assert_int_equal(ns_src_table_add(t, a, 2), NS_ERR_LIMIT);
	assert_int_equal(ns_src_table_count(t, a), 2);
	ns_src_table_del(t, a);
	ns_src_table_del(t, a);
	assert_int_equal(ns_src_table_count(t, a), 0);
	ns_src_table_clear(t);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limit_per_source),
	    cmocka_unit_test(test_entries_freed),
	    cmocka_unit_test(test_long_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
