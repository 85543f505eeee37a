/* A whole engine fed hostile bytes: the first byte picks client or server
 * (bit 0) and the input API (bit 1: read straight into the engine with
 * ns_engine_input_space/_commit, in reads of a size the other bits pick;
 * else ns_engine_input in chunks of 97), the rest arrives as from a socket;
 * events are pulled and host key and auth requests answered so later states
 * are reached. */
#include <string.h>

#include "nullspace/engine.h"
#include "nullspace/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ns_key host;
static int have_host;

static void drain(ns_engine *e)
{
	ns_event ev = NS_EVENT_INIT;
	size_t n;

	while (ns_engine_event(e, &ev) == 0 && ev.type != NS_EV_NONE) {
		if (ev.type == NS_EV_HOSTKEY) {
			(void)!ns_engine_hostkey_verdict(e, 1);
		} else if (ev.type == NS_EV_AUTH_REQUEST) {
			(void)!ns_engine_auth_verdict(e, 1);
		} else if (ev.type == NS_EV_CHANNEL_OPEN) {
			(void)!ns_channel_accept(e, ev.channel);
		} else if (ev.type == NS_EV_CHANNEL_REQUEST && ev.req.want_reply) {
			(void)!ns_channel_reply(e, ev.channel, 1);
		}
	}
	ns_engine_output(e, &n);
	ns_engine_output_ack(e, n);
}

/* Zero-copy: up to len bytes into the engine's buffer, in reads of at
 * most step; how many it took. */
static size_t read_into(ns_engine *e, const uint8_t *in, size_t len, size_t step)
{
	size_t room, n;
	uint8_t *space;

	if (ns_engine_input_pending(e) > 0) {
		(void)!ns_engine_input_commit(e, 0);
	}
	if ((space = ns_engine_input_space(e, &room)) == NULL) {
		return 0;
	}
	n = len < step ? len : step;
	n = n < room ? n : room;
	memcpy(space, in, n);
	(void)!ns_engine_input_commit(e, n);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_engine_config cfg;
	ns_engine *e;
	size_t off = 1, used;
	int guard = 0;

	if (size < 1) {
		return 0;
	}
	if (!have_host) {
		ns_key_generate(&host, "fuzz");
		have_host = 1;
	}
	ns_engine_config_init(&cfg);
	cfg.role = data[0] & 1 ? NS_ROLE_SERVER : NS_ROLE_CLIENT;
	cfg.alloc = ns_allocator_libc();
	cfg.host_key = &host;
	if (ns_engine_new(&cfg, &e) != 0) {
		return 0;
	}
	(void)!ns_engine_tick(e, 1);
	while (off < size && guard++ < 100000) {
		size_t chunk = size - off < 97 ? size - off : 97;

		if (data[0] & 2) {
			used =
			    read_into(e, data + off, size - off, 1 + (size_t)(data[0] >> 2) * 211);
		} else if (ns_engine_input(e, data + off, chunk, &used) != 0) {
			break;
		}
		off += used;
		drain(e);
		if (ns_engine_closed(e)) {
			break;
		}
	}
	drain(e);
	ns_engine_free(e);
	return 0;
}
