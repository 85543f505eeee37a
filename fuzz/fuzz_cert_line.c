/* Fuzzes ns_cert_from_line (whitespace, type name, base64, comment) and
 * ns_cert_parse on what it decodes. A line that decodes is written again
 * with ns_cert_to_line and must decode to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t blob[NS_CERT_BLOB_MAX], blob2[NS_CERT_BLOB_MAX];
static char line[NS_CERT_LINE_MAX];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len, len2;
	ns_cert c;
	int why;

	if (ns_cert_from_line((const char *)data, size, blob, sizeof(blob), &len) != 0) {
		return 0;
	}
	if ((ns_cert_parse(blob, len, &c, &why) == 0) != (why == NS_CERT_OK)) {
		abort();
	}
	if (len > 0 && (ns_cert_to_line(blob, len, "c", line, sizeof(line)) != 0 ||
	                ns_cert_from_line(line, strlen(line), blob2, sizeof(blob2), &len2) != 0 ||
	                len2 != len || memcmp(blob, blob2, len) != 0)) {
		abort();
	}
	return 0;
}
