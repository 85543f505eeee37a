/* The subsystem refusal of agent and relay: the reason on stderr, then the
 * keepalive whose answer means the client has shown it (refuse.h). */
#include "refuse.h"

#include <string.h>

#include "nullspace/error.h"

#define KEEPALIVE "keepalive@openssh.com"

int ns_refuse_subsystem(ns_engine *e, uint32_t ch, const char *message, int want_probe)
{
	ns_chan_request ka;
	size_t took = 0;

	/* stderr may take less than the whole message when the client's window
	 * is nearly shut: the refusal goes on, the reason is cut */
	(void)!ns_channel_write(e, ch, 1, (const uint8_t *)message, strlen(message), &took);
	if (!want_probe) {
		return NS_ERR_INVALID;
	}
	memset(&ka, 0, sizeof(ka));
	ka.type.p = (const uint8_t *)KEEPALIVE;
	ka.type.len = strlen(KEEPALIVE);
	ka.want_reply = 1;
	return ns_channel_request(e, ch, &ka);
}
