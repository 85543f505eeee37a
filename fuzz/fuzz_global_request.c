/* GLOBAL_REQUEST body after the message byte (chan_parse.c): request name
 * and want reply; the request-specific data is never read. */
#include "chan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_str name;
	ns_rd r;
	int want_reply;

	ns_rd_init(&r, data, size);
	if (ns_global_request_parse(&r, &name, &want_reply) == 0) {
		ns_str_eq(name, "no-more-sessions@openssh.com");
	}
	return 0;
}
