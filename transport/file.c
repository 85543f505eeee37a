/* Whole-file reads of the small text files the servers and the client
 * consult, re-read at each use so edits apply at once, and whole-buffer
 * writes (file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "nullspace/error.h"

#define FILE_CHUNK 4096

int ns_file_read(const char *path, size_t max, char **text, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL, *p;
	ssize_t r;
	int fd, rc = 0;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return errno == ENOENT ? NS_ERR_NOTFOUND : NS_ERR_IO;
	}
	for (;;) {
		if (n == cap) {
			if (n >= max) {
				rc = NS_ERR_TOOBIG;
				goto out;
			}
			cap = cap == 0 ? FILE_CHUNK : cap * 2;
			cap = cap > max ? max : cap;
			if ((p = realloc(buf, cap + 1)) == NULL) {
				rc = NS_ERR_NOMEM;
				goto out;
			}
			buf = p;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			rc = NS_ERR_IO;
			goto out;
		}
		if (r == 0) {
			break;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

int ns_file_write_all(int fd, const void *p, size_t len)
{
	const char *s = p;
	ssize_t n;

	while (len > 0) {
		n = write(fd, s, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}
