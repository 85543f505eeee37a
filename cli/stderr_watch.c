/* `nullspace ssh` passes ssh's stderr through a pipe to its own, looking
 * for the relay's "has moved" refusal (NS_ROUTE_MOVED_TEXT): the one signal
 * on which it mints a new certificate and tries once more. Every byte goes
 * on to our stderr unchanged, as it comes. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "route_ext.h"

#define CHUNK 4096
#define MARK NS_ROUTE_MOVED_TEXT
#define MARK_LEN (sizeof(MARK) - 1)

static void put(const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(STDERR_FILENO, p, n);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			return; /* our stderr is gone: keep draining the pipe */
		}
		p += w;
		n -= (size_t)w;
	}
}

int ns_cli_stderr_watch(int fd)
{
	char buf[MARK_LEN - 1 + CHUNK];
	size_t keep = 0;
	ssize_t n;
	int seen = 0;

	for (;;) {
		n = read(fd, buf + keep, CHUNK);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			break;
		}
		put(buf + keep, (size_t)n);
		if (memmem(buf, keep + (size_t)n, MARK, MARK_LEN) != NULL) {
			seen = 1;
		}
		/* the tail that may begin the mark across reads */
		n += (ssize_t)keep;
		keep = (size_t)n < MARK_LEN - 1 ? (size_t)n : MARK_LEN - 1;
		memmove(buf, buf + (size_t)n - keep, keep);
	}
	return seen;
}
