/* Fuzzes ns_authkeys_line_parse and ns_authkeys_line_parse_key (options with
 * quotes and escapes, key types: ed25519, ECDSA, RSA, sk-*) on the input as
 * one line, and ns_authkeys_find / ns_authkeys_find_key on it as a whole
 * file. A single line that parses without options must be found. */
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
	{
		static ns_pubkey key;
		int no_touch = 0;

		rc = ns_authkeys_line_parse_key(text, size, &key, &opts);
		found = ns_authkeys_find_key(text, size, &key, &no_touch);
		if (rc == 0 && opts.len == 0 && size <= NS_AUTHFILE_LINE_MAX &&
		    memchr(data, '\n', size) == NULL && (found != 0 || no_touch)) {
			abort();
		}
	}
	return 0;
}
