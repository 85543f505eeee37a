/* Fuzzes the relay's version line as `nullspace proxy` reads it before its
 * resume hello (ns_resume_banner_feed), in pieces whose sizes the first
 * byte picks: it stops at the version line's LF and never past the input,
 * what it kept is exactly the bytes it took, within every bound, and an
 * error is sticky. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resume_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_resume_banner *b;
	size_t off = 1, step, n, used;
	int rc = 0;

	if (size < 1 || (b = malloc(sizeof(*b))) == NULL) {
		return 0;
	}
	step = (size_t)data[0] % 61 + 1;
	ns_resume_banner_init(b);
	while (off < size && rc == 0) {
		n = size - off < step ? size - off : step;
		rc = ns_resume_banner_feed(b, data + off, n, &used);
		if (used > n || (rc == 0 && used != n) || b->len > NS_RESUME_BANNER_MAX) {
			abort();
		}
		off += used;
	}
	if (rc < 0 &&
	    (b->err == NULL || ns_resume_banner_feed(b, data, size, &used) != -1 || used != 0)) {
		abort(); /* sticky, with a reason */
	}
	if (rc == 1 &&
	    (b->len != off - 1 || memcmp(b->buf, data + 1, b->len) != 0 ||
	     b->buf[b->len - 1] != '\n' || b->len - b->line > NS_RESUME_VERSION_MAX ||
	     memcmp(b->buf + b->line, "SSH-", 4) != 0 || memchr(b->buf, '\0', b->len) != NULL)) {
		abort();
	}
	free(b);
	return 0;
}
