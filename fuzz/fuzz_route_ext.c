/* Fuzzes the agent@nullspace route parser (transport/common/route_ext.c),
 * which reads the value of a certificate extension: any input is refused
 * with a reason or yields a running entry with terminated strings, which
 * encodes back to a value that parses to the same entry. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "route_ext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_registry_entry e, back;
	char v[NS_ROUTE_EXT_MAX + 1];
	const char *why;
	int rc = ns_route_ext_parse(data, size, &e, &why);

	if ((rc == 0) != (why == NULL)) {
		abort();
	}
	if (rc != 0) {
		return 0;
	}
	if (strnlen(e.endpoint, sizeof(e.endpoint)) == sizeof(e.endpoint) ||
	    strnlen(e.user, sizeof(e.user)) == sizeof(e.user) || e.state != NS_SANDBOX_RUNNING ||
	    ns_route_ext_value(&e, v, sizeof(v)) != 0 ||
	    ns_route_ext_parse((const uint8_t *)v, strlen(v), &back, NULL) != 0 ||
	    strcmp(back.endpoint, e.endpoint) != 0 || strcmp(back.user, e.user) != 0 ||
	    memcmp(back.host_key, e.host_key, sizeof(e.host_key)) != 0) {
		abort();
	}
	return 0;
}
