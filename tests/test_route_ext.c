/* Tests for transport/common/route_ext.c and the extra extension of
 * cert/cert_sign.c: the agent@nullspace value round-trips, refuses what a
 * relay must not route by, is signed in its sorted place among the
 * permit-* flags and read back from a parsed certificate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "cert_int.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "route_ext.h"
#include "wire.h"

#define KEY "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfKll5C3VKMwONnIhoIKOq/uogrlCFlGQkt3uiRnDpi"

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static int parse(const char *text, ns_registry_entry *e, const char **why)
{
	return ns_route_ext_parse((const uint8_t *)text, strlen(text), e, why);
}

static void entry(ns_registry_entry *e, const char *endpoint)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->endpoint, sizeof(e->endpoint), "%s", endpoint);
	assert_int_equal(ns_key_from_line(KEY, strlen(KEY), e->host_key, NULL), 0);
	e->state = NS_SANDBOX_RUNNING;
}

static void test_round_trip(void **state)
{
	static const char *const eps[] = {"127.0.0.1:41001", "[::1]:22", "agent.example:2200",
	                                  "unix:/var/lib/nullspace/sandboxes/sb_x/agent.sock"};
	ns_registry_entry e, got;
	char v[NS_ROUTE_EXT_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(eps) / sizeof(eps[0]); i++) {
		entry(&e, eps[i]);
		assert_int_equal(ns_route_ext_value(&e, v, sizeof(v)), 0);
		assert_null(strstr(v, "state"));
		assert_int_equal(parse(v, &got, NULL), 0);
		assert_string_equal(got.endpoint, eps[i]);
		assert_string_equal(got.user, "sandbox"); /* an empty user: the default */
		assert_memory_equal(got.host_key, e.host_key, 32);
		assert_int_equal(got.state, NS_SANDBOX_RUNNING);
	}
	snprintf(e.user, sizeof(e.user), "dev.user");
	assert_int_equal(ns_route_ext_value(&e, v, sizeof(v)), 0);
	assert_int_equal(parse(v, &got, NULL), 0);
	assert_string_equal(got.user, "dev.user");
	/* too small an output, a bad endpoint */
	assert_int_equal(ns_route_ext_value(&e, v, 20), NS_ERR_INVALID);
	assert_string_equal(v, "");
	snprintf(e.endpoint, sizeof(e.endpoint), "nohost");
	assert_int_equal(ns_route_ext_value(&e, v, sizeof(v)), NS_ERR_INVALID);
}

static void test_refused(void **state)
{
	char big[NS_ROUTE_EXT_MAX + 64];
	ns_registry_entry got;
	const char *why = NULL;

	(void)state;
	assert_int_equal(
	    parse("endpoint=127.0.0.1:1\nhost_key=" KEY "\nstate=running\n", &got, &why),
	    NS_ERR_FORMAT);
	assert_string_equal(why, "state in route");
	assert_int_equal(parse("endpoint=127.0.0.1:1\n", &got, &why), NS_ERR_FORMAT);
	assert_string_equal(why, "missing host_key");
	assert_int_equal(parse("host_key=" KEY "\n", &got, &why), NS_ERR_FORMAT);
	assert_int_equal(parse("", &got, &why), NS_ERR_FORMAT);
	assert_int_equal(parse("endpoint=127.0.0.1:0\nhost_key=" KEY "\n", &got, &why),
	                 NS_ERR_FORMAT);
	assert_int_equal(
	    ns_route_ext_parse((const uint8_t *)"endpoint=1.2.3.4:5\0x", 20, &got, &why),
	    NS_ERR_FORMAT);
	assert_string_equal(why, "NUL in route");
	memset(big, '#', sizeof(big));
	memcpy(big, "endpoint=127.0.0.1:1\nhost_key=" KEY "\n#", 30 + strlen(KEY) + 2);
	assert_int_equal(ns_route_ext_parse((const uint8_t *)big, NS_ROUTE_EXT_MAX + 1, &got, &why),
	                 NS_ERR_FORMAT);
	assert_string_equal(why, "route too long");
	assert_string_equal(got.endpoint, ""); /* nothing half-filled */
}

/* Sign a user certificate with the route and permit-pty; parse it back. */
static void test_signed(void **state)
{
	uint8_t blob[NS_CERT_BLOB_MAX];
	const char *principals[] = {"sb_x"};
	char v[NS_ROUTE_EXT_MAX + 1];
	ns_registry_entry e, got;
	ns_cert_spec spec;
	ns_key ca, user;
	ns_cert cert;
	ns_str n, data;
	ns_rd r;
	size_t len = 0;
	int reason = 0;
	const char *why = NULL;

	(void)state;
	assert_int_equal(ns_key_generate(&ca, "ca"), 0);
	assert_int_equal(ns_key_generate(&user, "u"), 0);
	entry(&e, "127.0.0.1:41001");
	assert_int_equal(ns_route_ext_value(&e, v, sizeof(v)), 0);
	memset(&spec, 0, sizeof(spec));
	spec.type = NS_CERT_USER;
	spec.key_id = "nullspace:acc_x:sb_x";
	spec.serial = 7;
	spec.principals = principals;
	spec.nprincipals = 1;
	spec.valid_after = 1000;
	spec.valid_before = 2000;
	spec.extensions = NS_EXT_PERMIT_PTY | NS_EXT_NO_TOUCH_REQUIRED;
	spec.ext_name = NS_ROUTE_EXT_NAME;
	spec.ext_value = v;
	assert_int_equal(ns_cert_sign(&ca, user.pk, &spec, blob, sizeof(blob), &len), 0);
	assert_int_equal(ns_cert_parse(blob, len, &cert, &reason), 0);
	assert_int_equal(ns_route_ext_from_cert(&cert, &got, &why), 0);
	assert_string_equal(got.endpoint, "127.0.0.1:41001");
	assert_memory_equal(got.host_key, e.host_key, 32);
	assert_int_equal(ns_cert_extension_bits(&cert),
	                 NS_EXT_PERMIT_PTY | NS_EXT_NO_TOUCH_REQUIRED);
	/* sorted: agent@nullspace, no-touch-required, permit-pty */
	ns_rd_init(&r, cert.extensions.p, cert.extensions.len);
	assert_int_equal(ns_cert_pair_next(&r, &n, &data), 1);
	assert_true(ns_str_eq(n, NS_ROUTE_EXT_NAME));
	assert_int_equal(ns_cert_pair_next(&r, &n, &data), 1);
	assert_true(ns_str_eq(n, "no-touch-required"));
	assert_int_equal(ns_cert_pair_next(&r, &n, &data), 1);
	assert_true(ns_str_eq(n, "permit-pty"));
	assert_int_equal(ns_cert_pair_next(&r, &n, &data), 0);
	/* a name after every flag goes last */
	spec.ext_name = "zz@nullspace";
	assert_int_equal(ns_cert_sign(&ca, user.pk, &spec, blob, sizeof(blob), &len), 0);
	assert_int_equal(ns_cert_parse(blob, len, &cert, &reason), 0);
	assert_int_equal(ns_route_ext_from_cert(&cert, &got, &why), NS_ERR_NOTFOUND);
	/* refused: a known flag's name, no value, a host certificate */
	spec.ext_name = "permit-pty";
	assert_int_equal(ns_cert_sign(&ca, user.pk, &spec, blob, sizeof(blob), &len),
	                 NS_ERR_INVALID);
	spec.ext_name = NS_ROUTE_EXT_NAME;
	spec.ext_value = NULL;
	assert_int_equal(ns_cert_sign(&ca, user.pk, &spec, blob, sizeof(blob), &len),
	                 NS_ERR_INVALID);
	spec.ext_value = v;
	spec.type = NS_CERT_HOST;
	spec.extensions = 0;
	assert_int_equal(ns_cert_sign(&ca, user.pk, &spec, blob, sizeof(blob), &len),
	                 NS_ERR_INVALID);
	ns_key_wipe(&ca);
	ns_key_wipe(&user);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_signed),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
