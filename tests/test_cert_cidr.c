/* Tests for cert/cidr.c: source-address lists (IPv4, IPv6, v4-mapped,
 * prefixes) matched against peer addresses, and every malformed list
 * refused wherever its bad entry is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/cert.h"
#include "nullspace/error.h"

static void test_cidr(void **state)
{
	static const struct {
		const char *list, *addr;
		int want;
	} cases[] = {
	    {"10.0.0.0/8", "10.255.0.1", 1},
	    {"10.0.0.0/8", "11.0.0.1", 0},
	    {"10.1.2.3", "10.1.2.3", 1},
	    {"10.1.2.3/32", "10.1.2.4", 0},
	    {"0.0.0.0/0", "203.0.113.9", 1},
	    {"0.0.0.0/0", "::1", 0},
	    {"192.168.0.0/23", "192.168.1.255", 1},
	    {"192.168.0.0/23", "192.168.2.0", 0},
	    {"::1", "::1", 1},
	    {"::1", "::2", 0},
	    {"2001:db8::/32", "2001:db8:ffff::1", 1},
	    {"2001:db8::/32", "2001:db9::1", 0},
	    {"::/0", "fe80::1", 1},
	    {"::/0", "10.0.0.1", 0},
	    {"10.0.0.0/8", "::ffff:10.0.0.1", 1},
	    {"10.0.0.0/8", "::ffff:11.0.0.1", 0},
	    {"::ffff:10.0.0.0/104", "10.2.3.4", 1},
	    {"::ffff:10.0.0.0/104", "::ffff:10.2.3.4", 1},
	    {"1.2.3.4,10.0.0.0/8,::1", "::1", 1},
	    {"1.2.3.4,10.0.0.0/8", "10.0.0.9", 1},
	    {"1.2.3.4", NULL, 0},
	    {"1.2.3.4", "", 0},
	    {"1.2.3.4", "1.2.3.4/32", 0},
	    {"1.2.3.4", "01.2.3.4", 0},
	    {"FE80::/10", "fe80::1", 1},
	    {"10.0.0.0/08", "10.0.0.1", 1},
	    /* malformed lists, wherever the bad entry is */
	    {"", "10.0.0.1", NS_ERR_FORMAT},
	    {",", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/8,", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/8,,::1", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/8, ::1", "10.0.0.1", NS_ERR_FORMAT},
	    {"!10.0.0.0/8", "11.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/8,!::1", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.1/8", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/33", "10.0.0.1", NS_ERR_FORMAT},
	    {"::/129", "::1", NS_ERR_FORMAT},
	    {"10.0.0.0/", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/1000", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.0/8/8", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.0.0.256", "10.0.0.1", NS_ERR_FORMAT},
	    {"*", "10.0.0.1", NS_ERR_FORMAT},
	    {"10.*", "10.0.0.1", NS_ERR_FORMAT},
	    {"example.com", "10.0.0.1", NS_ERR_FORMAT},
	    {"fe80::1%eth0", "fe80::1", NS_ERR_FORMAT},
	    {"2001:db8::1/32", "2001:db8::1", NS_ERR_FORMAT},
	    {"1.2.3.4,ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128", "1.2.3.4", 1},
	    {"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2555", "1.2.3.4", NS_ERR_FORMAT},
	};
	ns_str l;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		l.p = (const uint8_t *)cases[i].list;
		l.len = strlen(cases[i].list);
		if (ns_cidr_list_match(l, cases[i].addr) != cases[i].want) {
			fail_msg("case %zu: \"%s\" vs %s", i, cases[i].list,
			         cases[i].addr ? cases[i].addr : "NULL");
		}
	}
	l.p = (const uint8_t *)"10.0.0.0/8\0,::1";
	l.len = 15;
	assert_int_equal(ns_cidr_list_match(l, "10.0.0.1"), NS_ERR_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cidr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
