/* Fuzzes the Commands and Files API request bodies: ns_api_parse_command
 * (the quoted helper line it builds never holds an unquoted byte of the
 * input: every single quote of the input is escaped) and
 * ns_api_parse_files_url. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request_files.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_command_request c;
	ns_files_url_request u;
	const char *why = NULL;

	if (ns_api_parse_command((const char *)data, size, "/opt/nullspace/bin/nullspace", &c,
	                         &why) == 0) {
		if (c.line == NULL ||
		    strncmp(c.line, "exec '/opt/nullspace/bin/nullspace' ", 36) != 0 ||
		    c.timeout == 0 || c.timeout > NS_API_COMMAND_TIMEOUT_MAX) {
			abort();
		}
		ns_command_request_free(&c);
	}
	(void)ns_api_parse_files_url((const char *)data, size, &u, &why);
	return 0;
}
