/* Tests for the relay's keep-awake batching (transport/relay/
 * relay_activity_set.c): sandbox ids kept once each in arrival order, the
 * pending limit, a report's batch taken off the front (the rest stays for
 * the next), a failed batch merged back (the union), and the JSON body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/error.h"
#include "relay_int.h"

static void test_once_in_order(void **state)
{
	ns_relay_idset s;
	char *body;

	(void)state;
	ns_relay_idset_init(&s, 8);
	assert_int_equal(ns_relay_idset_add(&s, "sb_a"), 0);
	assert_int_equal(ns_relay_idset_add(&s, "sb_b"), 0);
	assert_int_equal(ns_relay_idset_add(&s, "sb_a"), 1); /* once */
	assert_int_equal(ns_relay_idset_add(&s, "a b"), NS_ERR_INVALID);
	assert_int_equal(ns_relay_idset_add(&s, "\"}"), NS_ERR_INVALID);
	assert_int_equal(s.n, 2);
	body = ns_relay_activity_body(&s);
	assert_non_null(body);
	assert_string_equal(body, "{\"sandboxes\":[\"sb_a\",\"sb_b\"]}");
	free(body);
	ns_relay_idset_clear(&s);
	assert_int_equal(s.n, 0);
	assert_int_equal(ns_relay_idset_add(&s, "sb_a"), 0); /* gone from the index too */
	body = ns_relay_activity_body(&s);
	assert_string_equal(body, "{\"sandboxes\":[\"sb_a\"]}");
	free(body);
	ns_relay_idset_clear(&s);
	body = ns_relay_activity_body(&s);
	assert_string_equal(body, "{\"sandboxes\":[]}");
	free(body);
	ns_relay_idset_free(&s);
}

static void test_limit_and_growth(void **state)
{
	ns_relay_idset s;
	char id[32];
	uint32_t i;

	(void)state;
	ns_relay_idset_init(&s, 1000); /* not a power of two: the index still is */
	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "sb_%u", i);
		assert_int_equal(ns_relay_idset_add(&s, id), 0);
	}
	assert_int_equal(ns_relay_idset_add(&s, "sb_new"), NS_ERR_LIMIT);
	assert_int_equal(ns_relay_idset_add(&s, "sb_999"), 1); /* known ones still are */
	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "sb_%u", i);
		assert_int_equal(ns_relay_idset_add(&s, id), 1);
		assert_string_equal(s.ids[i], id);
	}
	ns_relay_idset_free(&s);
}

static void test_take_and_merge(void **state)
{
	ns_relay_idset pending, inflight;
	char id[32], *body;
	uint32_t i;

	(void)state;
	ns_relay_idset_init(&pending, NS_RELAY_ACTIVITY_PENDING_MAX);
	ns_relay_idset_init(&inflight, NS_RELAY_ACTIVITY_BATCH_MAX);
	for (i = 0; i < NS_RELAY_ACTIVITY_BATCH_MAX + 10; i++) {
		snprintf(id, sizeof(id), "sb_%u", i);
		assert_int_equal(ns_relay_idset_add(&pending, id), 0);
	}
	/* one report holds a batch; the rest waits, in order */
	assert_int_equal(ns_relay_idset_take(&pending, NS_RELAY_ACTIVITY_BATCH_MAX, &inflight),
	                 NS_RELAY_ACTIVITY_BATCH_MAX);
	assert_int_equal(inflight.n, NS_RELAY_ACTIVITY_BATCH_MAX);
	assert_int_equal(pending.n, 10);
	snprintf(id, sizeof(id), "sb_%u", NS_RELAY_ACTIVITY_BATCH_MAX);
	assert_string_equal(pending.ids[0], id);
	assert_int_equal(ns_relay_idset_add(&pending, "sb_0"), 0); /* left: not in pending */
	assert_int_equal(ns_relay_idset_add(&pending, id), 1);     /* reindexed */
	body = ns_relay_activity_body(&inflight);
	assert_non_null(body);
	assert_true(strlen(body) < 64 * 1024); /* within the API's body limit */
	free(body);
	/* the report failed: merged back, the union, each once */
	assert_int_equal(ns_relay_idset_merge(&pending, &inflight), 0);
	assert_int_equal(pending.n, NS_RELAY_ACTIVITY_BATCH_MAX + 10);
	ns_relay_idset_clear(&inflight);
	/* a small pending set: taken whole */
	ns_relay_idset_clear(&pending);
	assert_int_equal(ns_relay_idset_add(&pending, "sb_x"), 0);
	assert_int_equal(ns_relay_idset_take(&pending, NS_RELAY_ACTIVITY_BATCH_MAX, &inflight), 1);
	assert_int_equal(pending.n, 0);
	assert_string_equal(inflight.ids[0], "sb_x");
	/* merging into a full set: what does not fit is counted */
	ns_relay_idset_free(&pending);
	ns_relay_idset_init(&pending, 1);
	assert_int_equal(ns_relay_idset_add(&pending, "sb_y"), 0);
	assert_int_equal(ns_relay_idset_merge(&pending, &inflight), 1);
	ns_relay_idset_free(&pending);
	ns_relay_idset_free(&inflight);
}

static void test_take_empty(void **state)
{
	ns_relay_idset a, b;

	(void)state;
	ns_relay_idset_init(&a, 4);
	ns_relay_idset_init(&b, 4);
	assert_int_equal(ns_relay_idset_take(&a, 4, &b), 0);
	assert_int_equal(b.n, 0);
	ns_relay_idset_free(&a);
	ns_relay_idset_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_once_in_order),
	    cmocka_unit_test(test_limit_and_growth),
	    cmocka_unit_test(test_take_and_merge),
	    cmocka_unit_test(test_take_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
