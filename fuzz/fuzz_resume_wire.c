/* Fuzzes the resumable transport's frame decoder (ns_resume_dec_next) as
 * the relay and the proxy run it, after the preamble when the input starts
 * with it, in pieces whose sizes the first byte picks: DATA (and a CERT's
 * certificate) never points outside the piece nor past a frame's length,
 * text is printable, progress
 * stops only at an error (sticky). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resume_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	size_t off = 1, step, n, used, i;
	ns_resume_dec d;
	ns_resume_ev ev;

	if (size < 1 || (buf = malloc(size)) == NULL) {
		return 0;
	}
	memcpy(buf, data, size);
	step = (size_t)data[0] % 61 + 1;
	if (size - off >= NS_RESUME_MAGIC_LEN &&
	    memcmp(buf + off, NS_RESUME_MAGIC, NS_RESUME_MAGIC_LEN) == 0) {
		off += NS_RESUME_MAGIC_LEN;
	}
	ns_resume_dec_init(&d);
	while (off < size) {
		n = size - off < step ? size - off : step;
		ns_resume_dec_next(&d, buf + off, n, &used, &ev);
		if (used > n || (ev.type == NS_REV_DATA && (ev.p != buf + off || ev.len != used ||
		                                            ev.len > NS_RESUME_FRAME_MAX))) {
			abort();
		}
		/* a CERT's pieces likewise, counting down to 0 within its bound */
		if (ev.type == NS_REV_CERT && (ev.p != buf + off || ev.len != used ||
		                               ev.len + ev.count > NS_RESUME_CERT_MAX)) {
			abort();
		}
		for (i = 0; ev.type == NS_REV_FRAME && ev.text[i] != '\0'; i++) {
			if (ev.text[i] < 0x20 || ev.text[i] > 0x7e) {
				abort();
			}
		}
		if (used == 0) {
			if (d.err == NULL || ev.type != NS_REV_ERROR) {
				abort(); /* no progress without a reason */
			}
			break;
		}
		off += used;
	}
	free(buf);
	return 0;
}
