/* The public API's version and its size-tagged structs (issue 12): a
 * struct not set up by its *_init is refused, a newer caller's larger
 * struct works when its unknown fields are zero and is refused when not, an
 * event is copied out to a larger caller struct with the rest zeroed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "abi.h"
#include "lib_pair.h"
#include "nullspace/client.h"
#include "nullspace/engine.h"
#include "nullspace/error.h"
#include "nullspace/version.h"

static void test_version(void **state)
{
	char want[32];

	(void)state;
	snprintf(want, sizeof(want), "%d.%d.%d", NS_VERSION_MAJOR, NS_VERSION_MINOR,
	         NS_VERSION_PATCH);
	assert_string_equal(ns_version(), want);
	assert_string_equal(ns_version(), NS_VERSION_STRING);
	assert_int_equal(ns_version_number(), NS_VERSION_NUMBER);
}

static void test_copy_in(void **state)
{
	struct {
		size_t size;
		int a, b;
	} ours;
	struct {
		size_t size;
		int a, b, newer;
	} big;
	struct {
		size_t size;
		int a;
	} small = {sizeof(small), 7};

	(void)state;
	memset(&big, 0, sizeof(big)); /* padding too, as the *_init functions do */
	big.size = sizeof(big);
	big.a = 1;
	big.b = 2;
	assert_int_equal(ns_abi_copy_in(&ours, sizeof(ours), &big, big.size, sizeof(small)), 0);
	assert_int_equal(ours.a, 1);
	assert_int_equal(ours.b, 2);
	big.newer = 5; /* a field this library does not know is set: refused */
	assert_int_equal(ns_abi_copy_in(&ours, sizeof(ours), &big, big.size, sizeof(small)),
	                 NS_ERR_INVALID);
	ours.b = 99; /* an older caller: what it lacks is zero */
	assert_int_equal(ns_abi_copy_in(&ours, sizeof(ours), &small, small.size, sizeof(small)), 0);
	assert_int_equal(ours.a, 7);
	assert_int_equal(ours.b, 0);
	assert_int_equal(ns_abi_copy_in(&ours, sizeof(ours), &small, sizeof(size_t), sizeof(small)),
	                 NS_ERR_INVALID);
}

static void test_engine_config_needs_init(void **state)
{
	ns_engine_config cfg;
	ns_engine *e = NULL;

	(void)state;
	memset(&cfg, 0, sizeof(cfg)); /* no size: an old caller or a forgotten init */
	cfg.role = NS_ROLE_CLIENT;
	cfg.alloc = ns_allocator_libc();
	assert_int_equal(ns_engine_new(&cfg, &e), NS_ERR_INVALID);
	assert_null(e);
	ns_engine_config_init(&cfg);
	assert_int_equal(cfg.size, sizeof(cfg));
	cfg.role = NS_ROLE_CLIENT;
	cfg.alloc = ns_allocator_libc();
	assert_int_equal(ns_engine_new(&cfg, &e), 0);
	ns_engine_free(e);
}

static void test_engine_config_newer_caller(void **state)
{
	struct {
		ns_engine_config c;
		uint64_t unknown;
	} newer;
	ns_engine *e = NULL;

	(void)state;
	memset(&newer, 0, sizeof(newer));
	newer.c.size = sizeof(newer);
	newer.c.role = NS_ROLE_CLIENT;
	newer.c.alloc = ns_allocator_libc();
	assert_int_equal(ns_engine_new(&newer.c, &e), 0);
	ns_engine_free(e);
	newer.unknown = 1;
	assert_int_equal(ns_engine_new(&newer.c, &e), NS_ERR_INVALID);
}

static void test_event_sizes(void **state)
{
	ns_pair p;
	ns_event bare;
	struct {
		ns_event ev;
		uint8_t tail[24];
	} newer;

	(void)state;
	assert_int_equal(ns_pair_init(&p, NULL, NULL), 0);
	memset(&bare, 0, sizeof(bare));
	assert_int_equal(ns_engine_event(p.e[0], &bare), NS_ERR_INVALID);
	memset(&newer, 0xAA, sizeof(newer));
	newer.ev.size = sizeof(newer);
	assert_int_equal(ns_engine_event(p.e[0], &newer.ev), 0);
	assert_int_equal(newer.ev.size, sizeof(newer)); /* kept */
	assert_int_equal(newer.ev.type, NS_EV_NONE);
	for (size_t i = 0; i < sizeof(newer.tail); i++) {
		assert_int_equal(newer.tail[i], 0); /* what this library does not know: zero */
	}
	ns_pair_free(&p);
}

static void test_client_config_needs_init(void **state)
{
	ns_client_config cfg;
	ns_client *c = NULL;
	ns_key key;
	char err[128];

	(void)state;
	memset(&key, 0, sizeof(key));
	memset(&cfg, 0, sizeof(cfg));
	cfg.host = "127.0.0.1";
	cfg.port = 1;
	cfg.user = "u";
	cfg.key = &key;
	assert_int_equal(ns_client_connect(&cfg, &c, err, sizeof(err)), NS_ERR_INVALID);
	assert_non_null(strstr(err, "not set up by ns_client_config_init"));
	assert_null(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_copy_in),
	    cmocka_unit_test(test_engine_config_needs_init),
	    cmocka_unit_test(test_engine_config_newer_caller),
	    cmocka_unit_test(test_event_sizes),
	    cmocka_unit_test(test_client_config_needs_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
