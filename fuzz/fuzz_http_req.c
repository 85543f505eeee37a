/* Fuzzes ns_http_req_parse, the reader of requests to the relay's admin
 * listener (/healthz, /metrics): an accepted head lies inside the input and
 * NS_HTTP_REQ_HEAD_MAX, its method and target fit and the target is in
 * origin form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_req.h"
#include "nullspace/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_http_req req;
	const char *why;
	size_t head;

	if (ns_http_req_parse(data, size, &req, &head, &why) != 0) {
		return 0;
	}
	if (head > size || head > NS_HTTP_REQ_HEAD_MAX || req.method[0] == '\0' ||
	    strlen(req.target) > NS_HTTP_REQ_TARGET_MAX || req.target[0] != '/' ||
	    (req.minor != 0 && req.minor != 1)) {
		abort();
	}
	return 0;
}
