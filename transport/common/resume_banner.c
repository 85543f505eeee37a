/* The relay's SSH version line as `nullspace proxy` reads it before its
 * resume hello (resume_wire.h): lines before it skipped over but kept,
 * every size bounded, NUL refused. The bytes after the version line are
 * left to the caller: they are frames. */
#include <string.h>

#include "resume_wire.h"

void ns_resume_banner_init(ns_resume_banner *b)
{
	memset(b, 0, sizeof(*b));
}

static int fail(ns_resume_banner *b, const char *why)
{
	b->err = why;
	return -1;
}

/* Is the line from b->line to b->len (its LF included) the version line? */
static int is_version(const ns_resume_banner *b)
{
	return b->len - b->line >= 4 && memcmp(b->buf + b->line, "SSH-", 4) == 0;
}

int ns_resume_banner_feed(ns_resume_banner *b, const uint8_t *p, size_t n, size_t *used)
{
	uint8_t ch;

	*used = 0;
	if (b->err != NULL) {
		return -1;
	}
	while (!b->done && *used < n) {
		ch = p[(*used)++];
		if (ch == '\0') {
			return fail(b, "nul-in-banner");
		}
		if (b->len == sizeof(b->buf)) {
			return fail(b, "banner-too-long");
		}
		b->buf[b->len++] = ch;
		if (is_version(b) && b->len - b->line > NS_RESUME_VERSION_MAX) {
			return fail(b, "version-line-too-long");
		}
		if (ch != '\n') {
			continue;
		}
		if (is_version(b)) {
			b->done = 1;
		} else {
			b->line = b->len;
		}
	}
	return b->done;
}
