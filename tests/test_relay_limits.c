/* Tests for the relay's connection accounting: the MaxStartups parser and
 * drop chance, the choice of which waiting connection goes
 * (transport/relay/relay_startups.c) and the tallies by address and sandbox
 * (transport/relay/relay_src.c). The limits in action: tests/interop/relay_limits.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/error.h"
#include "relay_int.h"

static void test_startups_parse(void **state)
{
	ns_relay_startups m;

	(void)state;
	assert_int_equal(ns_relay_startups_parse("10:30:100", &m), 0);
	assert_int_equal(m.start, 10);
	assert_int_equal(m.rate, 30);
	assert_int_equal(m.full, 100);
	assert_int_equal(ns_relay_startups_parse("1000:30:3000", &m), 0);
	assert_int_equal(m.full, 3000);
	assert_int_equal(ns_relay_startups_parse("0:1:1", &m), 0);
	assert_int_equal(ns_relay_startups_parse("7:100:7", &m), 0);
	/* "N": at most N, no early drop, as sshd's MaxStartups N */
	assert_int_equal(ns_relay_startups_parse("50", &m), 0);
	assert_int_equal(m.start, 50);
	assert_int_equal(m.rate, 100);
	assert_int_equal(m.full, 50);
	assert_int_equal(ns_relay_startups_parse("1000000:30:1000000", &m), 0);
}

static void test_startups_parse_bad(void **state)
{
	static const char *bad[] = {
	    "",
	    ":",
	    "10:30",
	    "10:30:",
	    "10:30:100:",
	    "10:30:100:1",
	    "10:0:100",
	    "10:101:100",
	    "101:30:100",
	    "0",
	    "-1",
	    "10:30:1x",
	    " 10:30:100",
	    "10 :30:100",
	    "+10:30:100",
	    "10::100",
	    "1000001",
	    "1:1:1000001",
	    "99999999999:1:1",
	    "4294967306:1:10",
	    "10:30:100\n",
	    "0x10",
	};
	ns_relay_startups m;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.full = 99;
		assert_int_equal(ns_relay_startups_parse(bad[i], &m), NS_ERR_INVALID);
		assert_int_equal(m.full, 0); /* zeroed on failure */
	}
	assert_int_equal(ns_relay_startups_parse(NULL, &m), NS_ERR_INVALID);
}

static void test_startups_drop_pct(void **state)
{
	ns_relay_startups m = {10, 30, 100}, n = {50, 100, 50};

	(void)state;
	assert_int_equal(ns_relay_startups_drop_pct(&m, 0), 0);
	assert_int_equal(ns_relay_startups_drop_pct(&m, 9), 0);
	assert_int_equal(ns_relay_startups_drop_pct(&m, 10), 30);
	assert_int_equal(ns_relay_startups_drop_pct(&m, 55), 65); /* halfway: 30 + 70/2 */
	assert_int_equal(ns_relay_startups_drop_pct(&m, 99), 99);
	assert_int_equal(ns_relay_startups_drop_pct(&m, 100), 100);
	assert_int_equal(ns_relay_startups_drop_pct(&m, 5000), 100);
	assert_int_equal(ns_relay_startups_drop_pct(&n, 49), 0);
	assert_int_equal(ns_relay_startups_drop_pct(&n, 50), 100);
}

/* The address holding most goes; between equals the oldest; the newcomer
 * (index 0, the youngest) only when it holds strictly most. */
static void test_startups_victim(void **state)
{
	ns_relay_cand flood[] = {{1, 1000}, {8, 500}, {7, 100}, {8, 200}, {2, 50}};
	ns_relay_cand heavy_newcomer[] = {{9, 1000}, {8, 100}, {3, 50}};
	ns_relay_cand spread[] = {{1, 1000}, {1, 300}, {1, 200}, {1, 400}};
	ns_relay_cand same[] = {{2, 5}, {2, 5}, {2, 5}};

	(void)state;
	assert_int_equal(ns_relay_startups_victim(flood, 5), 3);
	assert_int_equal(ns_relay_startups_victim(heavy_newcomer, 3), 0);
	assert_int_equal(ns_relay_startups_victim(spread, 4), 2);
	assert_int_equal(ns_relay_startups_victim(same, 3), 0);
	assert_int_equal(ns_relay_startups_victim(flood, 1), 0);
}

static void test_tally(void **state)
{
	ns_relay_tally *t = ns_relay_tally_new();
	char longkey[NS_RELAY_KEY_MAX + 1];

	(void)state;
	assert_non_null(t);
	assert_int_equal(ns_relay_tally_get(t, "127.0.0.1"), 0);
	assert_int_equal(ns_relay_tally_add(t, "127.0.0.1", 1, 2), 0);
	assert_int_equal(ns_relay_tally_add(t, "127.0.0.1", 1, 2), 0);
	assert_int_equal(ns_relay_tally_add(t, "127.0.0.1", 1, 2), NS_ERR_LIMIT);
	assert_int_equal(ns_relay_tally_get(t, "127.0.0.1"), 2);
	assert_int_equal(ns_relay_tally_add(t, "sb_a", 5, 4), NS_ERR_LIMIT); /* n past the limit */
	assert_int_equal(ns_relay_tally_get(t, "sb_a"), 0);
	assert_int_equal(ns_relay_tally_add(t, "sb_a", 5, 0), 0); /* 0: no limit */
	assert_int_equal(ns_relay_tally_add(t, "sb_a", 0, 1), 0);
	assert_int_equal(ns_relay_tally_get(t, "sb_a"), 5);
	ns_relay_tally_sub(t, "sb_a", 3);
	assert_int_equal(ns_relay_tally_get(t, "sb_a"), 2);
	ns_relay_tally_sub(t, "sb_a", 7); /* never below zero: the entry goes */
	assert_int_equal(ns_relay_tally_get(t, "sb_a"), 0);
	ns_relay_tally_sub(t, "nobody", 1);
	ns_relay_tally_sub(t, "127.0.0.1", 2);
	assert_int_equal(ns_relay_tally_add(t, "127.0.0.1", 2, 2), 0);
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_int_equal(ns_relay_tally_add(t, longkey, 1, 0), NS_ERR_INVALID);
	ns_relay_tally_free(t);
	ns_relay_tally_free(NULL);
}

/* Many keys in few buckets: every count stays its own. */
static void test_tally_many(void **state)
{
	ns_relay_tally *t = ns_relay_tally_new();
	char key[32];
	uint32_t i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "127.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		assert_int_equal(ns_relay_tally_add(t, key, i % 3 + 1, 0), 0);
	}
	for (i = 0; i < 20000; i += 7) {
		snprintf(key, sizeof(key), "127.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
		assert_int_equal(ns_relay_tally_get(t, key), i % 3 + 1);
		ns_relay_tally_sub(t, key, i % 3 + 1);
		assert_int_equal(ns_relay_tally_get(t, key), 0);
	}
	ns_relay_tally_free(t); /* leaks show under LeakSanitizer */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_startups_parse),
	    cmocka_unit_test(test_startups_parse_bad),
	    cmocka_unit_test(test_startups_drop_pct),
	    cmocka_unit_test(test_startups_victim),
	    cmocka_unit_test(test_tally),
	    cmocka_unit_test(test_tally_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
