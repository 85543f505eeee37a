/* CHANNEL_REQUEST body after the recipient channel (chan_parse.c): type,
 * want reply and the fields of every known type, including pty-req terminal
 * modes; a parsed pty-req's modes are checked again as our encoder would. */
#include "chan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_chan_request q;
	ns_rd r;

	ns_rd_init(&r, data, size);
	if (ns_chan_request_parse(&r, &q) == 0 && q.modes.len > 0) {
		ns_chan_modes_check(q.modes);
	}
	return 0;
}
