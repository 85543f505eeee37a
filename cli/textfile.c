/* Small text files the commands read: whole (or stdin for "-") into a
 * buffer that grows up to a cap, then walked line by line. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "textfile.h"

/* Read fd to its end into a growing buffer of at most max bytes. */
static int read_fd(int fd, size_t max, char **text, size_t *len)
{
	size_t cap = 0, n = 0;
	char *p = NULL, *q;
	ssize_t r;

	for (;;) {
		if (n == cap) {
			if (cap > max) {
				errno = EFBIG;
				break;
			}
			cap = cap == 0 ? 4096 : cap * 2;
			cap = cap > max + 1 ? max + 1 : cap;
			if ((q = realloc(p, cap + 1)) == NULL) {
				errno = ENOMEM;
				break;
			}
			p = q;
		}
		r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			break;
		}
		if (r == 0) {
			p[n] = '\0';
			*text = p;
			*len = n;
			return 0;
		}
		n += (size_t)r;
	}
	free(p);
	return -1;
}

int ns_cli_read_file(const char *path, size_t max, char **text, size_t *len)
{
	struct stat st;
	int fd, rc, saved;

	*text = NULL;
	*len = 0;
	if (strcmp(path, "-") == 0) {
		return read_fd(STDIN_FILENO, max, text, len);
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return -1;
	}
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	rc = read_fd(fd, max, text, len);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int ns_cli_next_line(const char *text, size_t len, size_t *off, ns_str *line)
{
	const char *nl;
	size_t start = *off;

	line->p = NULL;
	line->len = 0;
	if (start >= len) {
		return 0;
	}
	nl = memchr(text + start, '\n', len - start);
	line->p = (const uint8_t *)text + start;
	line->len = nl != NULL ? (size_t)(nl - (text + start)) : len - start;
	*off = start + line->len + (nl != NULL ? 1 : 0);
	return 1;
}

int ns_cli_line_skip(ns_str line)
{
	size_t i = 0;

	while (i < line.len && (line.p[i] == ' ' || line.p[i] == '\t')) {
		i++;
	}
	return i == line.len || line.p[i] == '#' || line.p[i] == '\r';
}
