/* Fuzzes ns_pubkey_from_line (key type field, base64, every key type's blob,
 * the comment view) and ns_pubkey_to_line: a line that parses is written
 * again and must parse to the same key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/pubkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ns_pubkey k, k2;
	static char line[NS_PUBKEY_LINE_MAX];
	ns_str comment;

	if (ns_pubkey_from_line((const char *)data, size, &k, &comment) != 0) {
		return 0;
	}
	if (ns_pubkey_to_line(&k, NULL, line, sizeof(line)) != 0 ||
	    ns_pubkey_from_line(line, strlen(line), &k2, NULL) != 0 || !ns_pubkey_equal(&k, &k2)) {
		abort();
	}
	return 0;
}
