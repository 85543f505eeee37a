/* CHANNEL_OPEN type specific data and forwarding GLOBAL_REQUEST data
 * (chan_open.c): the first byte picks the channel type (direct-tcpip,
 * forwarded-tcpip, direct-streamlocal, forwarded-streamlocal, another,
 * auth-agent@nullspace.dev) or the request (tcpip-forward,
 * streamlocal-forward and their cancels), the rest is the data. A parse that succeeds hands over
 * views inside the data, within the limits; one that fails hands over nothing. */
#include "chan.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const types[] = {NS_CHAN_DIRECT_TCPIP,
                                    NS_CHAN_FORWARDED_TCPIP,
                                    NS_CHAN_DIRECT_STREAMLOCAL,
                                    NS_CHAN_FORWARDED_STREAMLOCAL,
                                    "session",
                                    NS_GLOBAL_TCPIP_FORWARD,
                                    NS_GLOBAL_CANCEL_TCPIP_FORWARD,
                                    NS_GLOBAL_STREAMLOCAL_FORWARD,
                                    NS_GLOBAL_CANCEL_STREAMLOCAL_FORWARD,
                                    NS_CHAN_AGENT_FWD};
#define NTYPES (sizeof(types) / sizeof(types[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_chan_open_info o;
	ns_str type, d;

	if (size < 1) {
		return 0;
	}
	type.p = (const uint8_t *)types[data[0] % NTYPES];
	type.len = strlen(types[data[0] % NTYPES]);
	d.p = data + 1;
	d.len = size - 1;
	if (data[0] % NTYPES == NTYPES - 1) {
		uint32_t session = 1;
		if (ns_channel_open_agent_parse(d, &session) == 0 ? d.len != 4 : session != 0) {
			__builtin_trap();
		}
		return 0;
	}
	if ((data[0] % NTYPES < 5 ? ns_channel_open_parse(type, d, &o)
	                          : ns_global_forward_parse(type, d, &o)) == 0) {
		if (o.host.len > NS_CHAN_PATH_MAX || o.orig_host.len > NS_CHAN_HOST_MAX ||
		    o.port > 65535 || o.orig_port > 65535 ||
		    (o.host.len > 0 && (o.host.p < d.p || o.host.p + o.host.len > d.p + d.len))) {
			__builtin_trap();
		}
	} else if ((o.host.len | o.orig_host.len | o.port | o.orig_port) != 0) {
		__builtin_trap();
	}
	return 0;
}
