/* Fuzzes ns_http_connect_reply, nullspace proxy's reader of an HTTP proxy's
 * answer to CONNECT: an accepted head lies inside the input and the limits,
 * with a status of 100-599 and the blank line at its end; and, on the same
 * bytes as text, the proxy URL and NO_PROXY readers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_connect.h"
#include "nullspace/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[NS_HTTP_PROXY_URL_MAX + 1];
	ns_http_proxy p;
	const char *why;
	size_t head;
	int status;

	if (ns_http_connect_reply(data, size, &status, &head, &why) == 0 &&
	    (head > size || head > NS_HTTP_CONNECT_HEAD_MAX || status < 100 || status > 599 ||
	     head < 4 || memcmp(data + head - 4, "\r\n\r\n", 4) != 0)) {
		abort();
	}
	if (size <= NS_HTTP_PROXY_URL_MAX) {
		memcpy(text, data, size);
		text[size] = '\0';
		if (ns_http_proxy_parse(text, &p) == 0 && (p.port == 0 || p.host[0] == '\0')) {
			abort();
		}
		(void)ns_http_no_proxy(text, "relay.example.com", 443);
		(void)ns_http_no_proxy(text, "::1", 8781);
	}
	return 0;
}
