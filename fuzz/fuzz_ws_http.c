/* Fuzzes ns_ws_http_parse, the relay's reader of a WebSocket upgrade
 * request (and ns_ws_http_response, the proxy's reader of the answer): an accepted head lies inside
 * the input and the limits, its target fits, and its key is 24 characters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "ws_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char acc[NS_WS_ACCEPT_LEN + 1];
	ns_ws_http_req req;
	const char *why;
	size_t head;

	int status;

	if (ns_ws_http_response(data, size, &status, acc, &head) == 0 &&
	    (head > size || status < 100 || status > 599 ||
	     (acc[0] != '\0' && strlen(acc) != NS_WS_ACCEPT_LEN))) {
		abort();
	}
	if (ns_ws_http_parse(data, size, &req, &head, &why) != 0) {
		return 0;
	}
	if (head > size || head > NS_WS_HTTP_HEAD_MAX || req.target_len > NS_WS_TARGET_MAX ||
	    strlen(req.key) != NS_WS_KEY_LEN) {
		abort();
	}
	ns_ws_http_accept(req.key, acc);
	return strlen(acc) == NS_WS_ACCEPT_LEN ? 0 : (abort(), 0);
}
