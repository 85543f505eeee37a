/* Fuzzes ns_ca_keys_parse (the --ca-keys file of the agent and the relay)
 * with a small key limit, so that the limit is reached too. Checks that at
 * most max keys come back, that a problem names a line that exists, and
 * that a clean parse reports no line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ca_keys.h"
#include "nullspace/error.h"

#define MAX_KEYS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t cas[MAX_KEYS][NS_ED25519_PK_LEN];
	size_t n, bad_line, lines = 0, i;
	int rc = ns_ca_keys_parse((const char *)data, size, cas, MAX_KEYS, &n, &bad_line);

	for (i = 0; i < size; i++) {
		lines += data[i] == '\n' || i + 1 == size;
	}
	if (n > MAX_KEYS || (rc == 0) != (bad_line == 0) || bad_line > lines) {
		abort();
	}
	return 0;
}
