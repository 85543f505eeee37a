/* Fuzzes the body of POST /v1/activity (api/request_activity.c): each id
 * that comes out is terminated, a valid sandbox id, named once, and at most
 * NS_API_ACTIVITY_MAX of them; an error always has a why and no ids. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "request_activity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ns_activity_request r;
	const char *why = NULL;
	size_t i, j;
	int rc;

	rc = ns_api_parse_activity((const char *)data, size, &r, &why);
	if ((rc != 0) != (why != NULL) || (rc != 0 && r.n != 0) || r.n > NS_API_ACTIVITY_MAX) {
		abort();
	}
	for (i = 0; i < r.n; i++) {
		if (strnlen(r.ids[i], sizeof(r.ids[i])) == sizeof(r.ids[i]) ||
		    !ns_registry_id_valid(r.ids[i])) {
			abort();
		}
		for (j = 0; j < i; j++) {
			if (strcmp(r.ids[i], r.ids[j]) == 0) {
				abort();
			}
		}
	}
	return 0;
}
