/* Fuzzes the sandbox registry entry parser (transport/common/registry.c): any input
 * is either refused with a reason or yields an entry whose strings are
 * terminated and whose state is one of the two known values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_registry_entry e;
	const char *why;
	int rc = ns_registry_parse((const char *)data, size, &e, &why);

	if ((rc == 0) != (why == NULL) ||
	    (rc == 0 && (strnlen(e.endpoint, sizeof(e.endpoint)) == sizeof(e.endpoint) ||
	                 strnlen(e.user, sizeof(e.user)) == sizeof(e.user) ||
	                 (e.state != NS_SANDBOX_RUNNING && e.state != NS_SANDBOX_STOPPED)))) {
		abort();
	}
	return 0;
}
