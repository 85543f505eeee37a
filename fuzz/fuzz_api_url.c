/* Fuzzes the control-byte check of URL parts (api/request.c) against
 * libmicrohttpd's own decoder: whatever the check lets through decodes to a
 * string without a NUL or another control byte, so a path can never be cut
 * short or carry a line break to routing. Also runs the header check. */
#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	size_t n, i;

	if (s == NULL) {
		return 0;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	(void)ns_api_header_has_control(s, size);
	if (!ns_api_url_has_control(s, size)) {
		if (strlen(s) != size) {
			abort(); /* a raw NUL let through */
		}
		n = MHD_http_unescape(s);
		if (n != strlen(s)) {
			abort(); /* decoded to a NUL */
		}
		for (i = 0; i < n; i++) {
			if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
				abort();
			}
		}
	}
	free(s);
	return 0;
}
