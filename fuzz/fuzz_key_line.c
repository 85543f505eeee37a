/* Fuzzes ns_key_from_line: whitespace, key type, base64 of the blob, the
 * comment view. A line that parses is written again with ns_key_to_line and
 * must parse to the same key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t pk[NS_ED25519_PK_LEN], pk2[NS_ED25519_PK_LEN];
	char line[NS_KEY_LINE_MAX];
	ns_str c;

	if (ns_key_from_line((const char *)data, size, pk, &c) != 0) {
		return 0;
	}
	if (c.len > 0 && (c.p < data || c.p + c.len > data + size)) {
		abort();
	}
	if (ns_key_to_line(pk, NULL, line, sizeof(line)) != 0 ||
	    ns_key_from_line(line, strlen(line), pk2, NULL) != 0 || memcmp(pk, pk2, sizeof(pk))) {
		abort();
	}
	return 0;
}
