/* Fuzzes ns_version_parse the way a client reads a server's first bytes:
 * banner lines one after the other until the version line or an error.
 * Covers line splitting, the 255-byte limit, NUL and version checks. */
#include <stdint.h>
#include <stdlib.h>

#include "version.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t consumed;
	int is_version;
	ns_str line;

	while (ns_version_parse(data, size, &consumed, &is_version, &line) == 0) {
		if (consumed == 0 || consumed > size || line.p != data || line.len >= consumed) {
			abort();
		}
		data += consumed;
		size -= consumed;
		if (is_version) {
			break;
		}
	}
	return 0;
}
