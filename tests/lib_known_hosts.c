/* known_hosts fixtures (lib_known_hosts.h): lookups over a text and the
 * table runner the tests/test_known_hosts_*.c suites share. */
#include "lib_known_hosts.h"

#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

int kh_check(const char *text, const char *host, unsigned port, const uint8_t pk[32])
{
	return ns_known_hosts_check(text, strlen(text), host, port, pk);
}

int kh_check_ca(const char *text, const char *host, unsigned port, const uint8_t pk[32])
{
	return ns_known_hosts_check_ca(text, strlen(text), host, port, pk);
}

int kh_entry(const char *line, ns_known_hosts_entry *e)
{
	return ns_known_hosts_entry_parse(line, strlen(line), e);
}

void kh_expect(kh_lookup fn, const char *text, const uint8_t pk[32], const kh_case *cases, size_t n)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = fn(text, strlen(text), cases[i].host, cases[i].port, pk);
		if (rc != cases[i].want) {
			fail_msg("case %zu: %s port %u: %d, want %d", i, cases[i].host,
			         cases[i].port, rc, cases[i].want);
		}
	}
}
