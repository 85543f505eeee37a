/* Fuzzes ns_known_hosts_entry_parse on the input as one line and the lookups
 * on it as a whole file (markers, hashed names, wildcards, negation,
 * [host]:port). A key parsed from a line that matches the host must get that
 * line's verdict: known, revoked, or a CA for it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "nullspace/known_hosts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void verdict(const char *text, size_t size, const ns_known_hosts_entry *e, unsigned port)
{
	const char *host = "host.example.com";
	int check = ns_known_hosts_check(text, size, host, port, e->pk);
	int ca = ns_known_hosts_check_ca(text, size, host, port, e->pk);
	int want[3][2] = {
	    {0, NS_ERR_NOTFOUND}, {NS_ERR_HOSTKEY_UNKNOWN, 0}, {NS_ERR_REVOKED, NS_ERR_REVOKED}};

	if (ns_known_hosts_match(e->patterns, host, port) &&
	    (check != want[e->marker][0] || ca != want[e->marker][1])) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	ns_known_hosts_entry e;

	if (ns_known_hosts_entry_parse(text, size, &e) == 0 && size <= NS_KNOWN_HOSTS_LINE_MAX) {
		verdict(text, size, &e, 22);
		verdict(text, size, &e, 2222);
	}
	ns_known_hosts_check(text, size, "10.0.0.1", 0, e.pk);
	{
		uint8_t pk[NS_ED25519_PK_LEN];
		ns_str pats;

		ns_known_hosts_line_parse(text, size, &pats, pk);
	}
	return 0;
}
