/* Tests for transport/common/tally.c, the counts by key shared by the relay and the
 * agent: the limit per key, keys independent, counts given back, entries
 * freed at zero, n at a time, long keys refused rather than cut. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/error.h"
#include "tally.h"

static void test_limit_per_key(void **state)
{
	ns_tally *t = calloc(1, sizeof(*t));
	int i;

	(void)state;
	assert_non_null(t);
	ns_tally_init(t);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ns_tally_add(t, "127.0.0.2", 1, 3), 0);
	}
	assert_int_equal(ns_tally_add(t, "127.0.0.2", 1, 3), NS_ERR_LIMIT);
	assert_int_equal(ns_tally_get(t, "127.0.0.2"), 3);
	/* another key is not affected */
	assert_int_equal(ns_tally_add(t, "127.0.0.3", 1, 3), 0);
	assert_int_equal(ns_tally_get(t, "127.0.0.3"), 1);
	/* one given back: one more allowed */
	ns_tally_sub(t, "127.0.0.2", 1);
	assert_int_equal(ns_tally_add(t, "127.0.0.2", 1, 3), 0);
	assert_int_equal(ns_tally_add(t, "127.0.0.2", 1, 3), NS_ERR_LIMIT);
	/* an absent key is ignored; limit 0 is no limit */
	ns_tally_sub(t, "10.0.0.1", 1);
	assert_int_equal(ns_tally_add(t, "10.0.0.1", 1000, 0), 0);
	assert_int_equal(ns_tally_get(t, "10.0.0.1"), 1000);
	ns_tally_clear(t);
	assert_int_equal(ns_tally_get(t, "127.0.0.2"), 0);
	free(t);
}

static void test_n_at_a_time(void **state)
{
	ns_tally *t = calloc(1, sizeof(*t));

	(void)state;
	assert_non_null(t);
	assert_int_equal(ns_tally_add(t, "sb_1", 4, 5), 0);
	assert_int_equal(ns_tally_add(t, "sb_1", 2, 5), NS_ERR_LIMIT); /* all or nothing */
	assert_int_equal(ns_tally_get(t, "sb_1"), 4);
	assert_int_equal(ns_tally_add(t, "sb_1", 1, 5), 0);
	assert_int_equal(ns_tally_add(t, "sb_1", 0, 5), 0); /* nothing to count */
	ns_tally_sub(t, "sb_1", 9);                         /* never below zero */
	assert_int_equal(ns_tally_get(t, "sb_1"), 0);
	assert_int_equal(ns_tally_add(t, "sb_2", UINT32_MAX, 0), 0);
	assert_int_equal(ns_tally_add(t, "sb_2", 1, 0), NS_ERR_LIMIT); /* no wrap */
	ns_tally_clear(t);
	free(t);
}

static void test_entries_freed(void **state)
{
	ns_tally *t = calloc(1, sizeof(*t));
	char a[32];
	int i;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < 10000; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
		assert_int_equal(ns_tally_add(t, a, 1, 1), 0);
	}
	for (i = 0; i < 10000; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 256, i % 256);
		ns_tally_sub(t, a, 1);
	}
	for (i = 0; i < NS_TALLY_BUCKETS; i++) {
		assert_null(t->b[i]); /* nothing left behind at zero */
	}
	free(t);
}

static void test_long_key(void **state)
{
	ns_tally *t = calloc(1, sizeof(*t));
	char a[NS_TALLY_KEY_MAX + 1];

	(void)state;
	assert_non_null(t);
	memset(a, 'a', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	assert_int_equal(ns_tally_add(t, a, 1, 2), NS_ERR_INVALID);
	a[NS_TALLY_KEY_MAX - 1] = '\0'; /* the longest that fits */
	assert_int_equal(ns_tally_add(t, a, 1, 2), 0);
	assert_int_equal(ns_tally_get(t, a), 1);
	ns_tally_sub(t, a, 1);
	assert_int_equal(ns_tally_get(t, a), 0);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limit_per_key),
	    cmocka_unit_test(test_n_at_a_time),
	    cmocka_unit_test(test_entries_freed),
	    cmocka_unit_test(test_long_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
