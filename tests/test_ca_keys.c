/* Tests for transport/common/ca_keys.c: the CA keys file of the agent, the relay
 * and `nullspace cert check`, with keys made by OpenSSH 9.2 ssh-keygen. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "ca_keys.h"
#include "nullspace/error.h"

/* ssh-keygen -t ed25519 -C test: k.pub (as in tests/test_authfile.c) */
#define LINE_K                                                                                     \
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHfKll5C3VKMwONnIhoIKOq/uogrlCFlGQkt3uiRnDpi test"
static const uint8_t PK_K[32] = {
    0x77, 0xca, 0x96, 0x5e, 0x42, 0xdd, 0x52, 0x8c, 0xc0, 0xe3, 0x67, 0x22, 0x1a, 0x08, 0x28, 0xea,
    0xbf, 0xba, 0x88, 0x2b, 0x94, 0x21, 0x65, 0x19, 0x09, 0x2d, 0xde, 0xe8, 0x91, 0x9c, 0x3a, 0x62,
};
/* another ed25519 key (-C '') */
#define LINE_NC "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJqR3MvSvnQimiSwmzW0o1pwEy0pcl0lgi5xXgWRU51t"

static int setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

static int parse(const char *text, size_t max, uint8_t (*cas)[NS_ED25519_PK_LEN], size_t *n,
                 size_t *bad)
{
	return ns_ca_keys_parse(text, strlen(text), cas, max, n, bad);
}

static void test_ca_keys_good(void **state)
{
	uint8_t cas[NS_CA_KEYS_MAX][NS_ED25519_PK_LEN];
	size_t n, bad;

	(void)state;
	assert_int_equal(parse("", NS_CA_KEYS_MAX, cas, &n, &bad), 0);
	assert_int_equal(n, 0);
	assert_int_equal(parse("# CAs\n\n  \t# indented\n" LINE_K "\n\r\n" LINE_NC, NS_CA_KEYS_MAX,
	                       cas, &n, &bad),
	                 0);
	assert_int_equal(n, 2);
	assert_int_equal(bad, 0);
	assert_memory_equal(cas[0], PK_K, sizeof(PK_K));
	assert_int_equal(parse(LINE_K "\r\n" LINE_K "\r\n", NS_CA_KEYS_MAX, cas, &n, &bad), 0);
	assert_int_equal(n, 2);
}

static void test_ca_keys_bad_lines(void **state)
{
	uint8_t cas[NS_CA_KEYS_MAX][NS_ED25519_PK_LEN];
	size_t n, bad;

	(void)state;
	/* the first problem is reported; the good keys around it are kept */
	assert_int_not_equal(
	    parse(LINE_K "\nnot a key\n" LINE_NC "\nnor this\n", NS_CA_KEYS_MAX, cas, &n, &bad), 0);
	assert_int_equal(bad, 2);
	assert_int_equal(n, 2);
	assert_int_equal(
	    parse("ssh-rsa AAAAB3NzaC1yc2E= rsa\n" LINE_K, NS_CA_KEYS_MAX, cas, &n, &bad),
	    NS_ERR_KEYTYPE);
	assert_int_equal(bad, 1);
	assert_int_equal(n, 1);
	/* past max keys: NS_ERR_LIMIT at the first key that did not fit */
	assert_int_equal(parse(LINE_K "\n# c\n" LINE_K "\n" LINE_K "\n", 2, cas, &n, &bad),
	                 NS_ERR_LIMIT);
	assert_int_equal(bad, 4);
	assert_int_equal(n, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ca_keys_good),
	    cmocka_unit_test(test_ca_keys_bad_lines),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
