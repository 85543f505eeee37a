/* Fuzzes ns_known_hosts_line_parse on the input as one line and
 * ns_known_hosts_check on it as a whole file (host patterns, wildcards,
 * negation, [host]:port, markers). A key parsed from a line that matches the
 * host must be accepted by the check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/authfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	uint8_t pk[NS_ED25519_PK_LEN];
	ns_str pat;
	int rc = ns_known_hosts_line_parse(text, size, &pat, pk);
	int ok = rc == 0 && size <= NS_AUTHFILE_LINE_MAX;
	int m22 = ok && ns_known_hosts_match(pat, "host.example.com", 22);
	int m2222 = ok && ns_known_hosts_match(pat, "host.example.com", 2222);

	if ((m22 && ns_known_hosts_check(text, size, "host.example.com", 22, pk) != 0) ||
	    (m2222 && ns_known_hosts_check(text, size, "host.example.com", 2222, pk) != 0)) {
		abort();
	}
	ns_known_hosts_check(text, size, "10.0.0.1", 0, pk);
	return 0;
}
