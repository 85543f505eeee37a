/* CHANNEL_REQUEST body after the recipient channel (chan_parse.c): type,
 * want reply and the fields of every known type, including pty-req terminal
 * modes and our nullspace-session@nullspace.dev (key id, serial, source); a
 * parsed pty-req's modes are checked again as our encoder would, and a
 * request refused for a field over its limit must carry no field. */
#include "chan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_session_info info;
	ns_chan_request q;
	ns_rd r;
	int rc;

	ns_rd_init(&r, data, size);
	rc = ns_chan_request_parse(&r, &q, &info);
	if (rc == 0 && q.modes.len > 0) {
		ns_chan_modes_check(q.modes);
	}
	/* refused for a field over its limit: no field is handed over */
	if (rc == NS_ERR_TOOBIG &&
	    (q.term.len | q.modes.len | q.name.len | q.value.len | q.command.len | q.signal.len |
	     q.message.len | info.key_id.len | info.source.len | info.serial) != 0) {
		__builtin_trap();
	}
	/* its fields only for our request, and only when it parsed */
	if ((rc != 0 || !ns_str_eq(q.type, NS_CHAN_SESSION_INFO)) &&
	    (info.key_id.len | info.source.len | info.serial) != 0) {
		__builtin_trap();
	}
	return 0;
}
