/* Whole-file reads of the small text files the servers and the client
 * consult, re-read at each use so edits apply at once, whole-buffer writes,
 * and the 0700 folders of the control plane (file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nullspace/error.h"

#define FILE_CHUNK 4096

int ns_file_read_fd(int fd, size_t max, char **text, size_t *len)
{
	size_t cap = 0, n = 0;
	char *buf = NULL, *p;
	ssize_t r;
	int e, rc = 0;

	*text = NULL;
	*len = 0;
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
	e = errno; /* kept across free: it says why for NS_ERR_IO */
	free(buf);
	errno = e;
	return rc;
}

int ns_file_read(const char *path, size_t max, char **text, size_t *len)
{
	int fd, e, rc;

	*text = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return errno == ENOENT ? NS_ERR_NOTFOUND : NS_ERR_IO;
	}
	rc = ns_file_read_fd(fd, max, text, len);
	e = errno; /* kept across close: it says why for NS_ERR_IO */
	close(fd);
	errno = e;
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

static int mkdir_fail(char *err, size_t cap, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int mkdir_fail(char *err, size_t cap, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && cap > 0) {
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int ns_file_mkdir(const char *path, int parents, char *err, size_t cap)
{
	char buf[PATH_MAX], *p;
	struct stat st;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		return mkdir_fail(err, cap, NS_ERR_INVALID, "path too long: %s", path);
	}
	for (p = buf + 1; parents && *p != '\0'; p++) { /* as mkdir -p */
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
				return mkdir_fail(err, cap, NS_ERR_IO, "cannot create %s: %s", buf,
				                  strerror(errno));
			}
			*p = '/';
		}
	}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
		return mkdir_fail(err, cap, NS_ERR_IO, "cannot create %s: %s", buf,
		                  strerror(errno));
	}
	/* a symbolic link to a folder of ours is fine (as ~/.ssh is for ssh) */
	if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
		return mkdir_fail(err, cap, NS_ERR_IO, "%s is not a folder", buf);
	}
	if (st.st_uid != geteuid()) {
		return mkdir_fail(err, cap, NS_ERR_IO,
		                  "%s is owned by uid %u, not by us (uid %u): refusing to keep "
		                  "keys there",
		                  buf, (unsigned)st.st_uid, (unsigned)geteuid());
	}
	if ((st.st_mode & 07777) != 0700 && chmod(buf, 0700) != 0) {
		return mkdir_fail(err, cap, NS_ERR_IO, "cannot chmod 700 %s: %s", buf,
		                  strerror(errno));
	}
	return 0;
}
