/* Fuzzes the SDK's response decoders (api/sdk_decode.c): any body is either
 * decoded (strings NUL-terminated within their fields, ports in range) or
 * refused with the output zeroed; decoded access objects free cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdk_decode.h"
#include "nullspace/sdk.h"

#define LIST_CAP 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	ns_sandbox_info sb, list[LIST_CAP];
	ns_ssh_access acc;
	char msg[NS_API_ERR_MAX];
	size_t n = 0;

	if (ns_api_decode_sandbox(body, size, &sb, NULL) == 0 &&
	    (memchr(sb.id, '\0', sizeof(sb.id)) == NULL || sb.timeout == 0)) {
		abort();
	}
	if (ns_api_decode_sandbox_list(body, size, list, LIST_CAP, &n, NULL) != 0 && n != 0) {
		abort();
	}
	if (ns_api_decode_access(body, size, &acc, NULL) == 0 &&
	    (acc.relay_port == 0 || acc.relay_port > 65535 || acc.certificate == NULL ||
	     (acc.websocket_tls_sha256 != NULL && strlen(acc.websocket_tls_sha256) != 64))) {
		abort();
	}
	ns_ssh_access_free(&acc);
	if (ns_api_decode_error(body, size, msg, sizeof(msg)) == 0 && strlen(msg) == 0) {
		abort();
	}
	return 0;
}
