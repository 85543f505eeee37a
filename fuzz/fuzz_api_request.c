/* Fuzzes the API's request side (api/request.c): the input as a URL path
 * for the router, and as a create and an ssh-access body. Checks that ids,
 * templates and keys come out terminated and in range, errors with a why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[NS_API_ID_MAX + 1], *path = malloc(size + 1);
	ns_create_request c;
	ns_access_request a;
	const char *why_c = NULL, *why_a = NULL;
	int route, rc_c, rc_a;

	if (path == NULL) {
		return 0;
	}
	memcpy(path, data, size);
	path[size] = '\0';
	route = ns_api_route(path, id);
	rc_c = ns_api_parse_create((const char *)data, size, &c, &why_c);
	rc_a = ns_api_parse_access((const char *)data, size, &a, &why_a);
	if (strnlen(id, sizeof(id)) == sizeof(id) ||
	    (route >= NS_ROUTE_SANDBOX && route != NS_ROUTE_FILES_SIGNED &&
	     route != NS_ROUTE_REVOCATIONS && route != NS_ROUTE_ACTIVITY) != (id[0] != 0) ||
	    (rc_c != 0) != (why_c != NULL) || (rc_a != 0) != (why_a != NULL) ||
	    strnlen(c.template_name, sizeof(c.template_name)) == sizeof(c.template_name) ||
	    c.timeout < 1 || c.timeout > NS_API_SANDBOX_TIMEOUT_MAX || c.max_lifetime < c.timeout ||
	    c.max_lifetime > NS_API_SANDBOX_LIFETIME_MAX ||
	    strnlen(a.public_key, sizeof(a.public_key)) == sizeof(a.public_key) ||
	    a.expires_in_minutes < 1 || a.expires_in_minutes > NS_API_EXPIRES_MAX ||
	    (rc_a == 0 && a.public_key[0] == '\0')) {
		abort();
	}
	free(path);
	return 0;
}
