/* Fuzzes the WebSocket frame decoder (ns_ws_dec_next) as the relay runs
 * it (masked frames required, a small frame cap), in pieces whose sizes
 * the first byte picks: data never comes from outside the input, control
 * payloads stay within 125 bytes, and an error is sticky. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	size_t off = 1, step, n, used;
	ns_ws_dec d;
	ns_ws_ev ev;

	if (size < 1 || (buf = malloc(size)) == NULL) {
		return 0;
	}
	memcpy(buf, data, size);
	step = (size_t)data[0] % 17 + 1;
	ns_ws_dec_init(&d, 1, 4096);
	while (off < size) {
		n = size - off < step ? size - off : step;
		ns_ws_dec_next(&d, buf + off, n, &used, &ev);
		if (used > n || (ev.type == NS_WS_EV_DATA && (ev.p < buf + off || ev.len > used)) ||
		    ((ev.type == NS_WS_EV_PING || ev.type == NS_WS_EV_PONG) &&
		     ev.len > NS_WS_CTL_MAX)) {
			abort();
		}
		if (used == 0) {
			if (d.err == 0 && !d.closed) {
				abort(); /* no progress without a reason */
			}
			break;
		}
		off += used;
	}
	free(buf);
	return 0;
}
