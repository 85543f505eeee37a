/* Fuzzes ns_cidr_list_match: the input is a source-address list, then
 * optionally a NUL and a peer address. The answer is 1, 0 or NS_ERR_FORMAT,
 * and whether the list is malformed does not depend on the peer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/cert.h"
#include "nullspace/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	ns_str list = {data, nul != NULL ? (size_t)(nul - data) : size};
	char addr[128] = "";
	size_t n = nul != NULL ? size - list.len - 1 : 0;
	int m, v;

	if (n >= sizeof(addr)) {
		return 0;
	}
	if (n > 0) {
		memcpy(addr, nul + 1, n);
	}
	addr[n] = '\0';
	m = ns_cidr_list_match(list, addr);
	v = ns_cidr_list_match(list, NULL);
	if ((m != 0 && m != 1 && m != NS_ERR_FORMAT) || (v != 0 && v != NS_ERR_FORMAT) ||
	    (m < 0) != (v < 0)) {
		abort();
	}
	return 0;
}
