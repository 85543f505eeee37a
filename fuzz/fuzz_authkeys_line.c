/* Fuzzes ns_authkeys_line_parse (options with quotes and escapes, key types)
 * on the input as one line, and ns_authkeys_find on it as a whole file. A
 * single line that parses without options must be found by ns_authkeys_find. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/authfile.h"
#include "nullspace/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	uint8_t pk[NS_ED25519_PK_LEN];
	ns_str opts;
	int rc = ns_authkeys_line_parse(text, size, pk, &opts);
	int found = ns_authkeys_find(text, size, pk);

	if (rc == 0 && opts.len == 0 && size <= NS_AUTHFILE_LINE_MAX &&
	    memchr(data, '\n', size) == NULL && found != 0) {
		abort();
	}
	if (found != 0 && found != NS_ERR_NOTFOUND) {
		abort();
	}
	return 0;
}
