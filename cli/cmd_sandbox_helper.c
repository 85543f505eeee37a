/* `nullspace sandbox-helper put|get|ls|rm PATH ...`: the Files API's side
 * inside a sandbox. PATH is relative to $HOME and every open is beneath it
 * (openat2 RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), so a symbolic link out
 * of the home is refused by the kernel. Output formats and exit codes are
 * the contract with api/files_out.c (helper.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#if defined(__has_include)
#if __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define NS_HAVE_OPENAT2_H 1
#endif
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef NS_HAVE_OPENAT2_H
/* musl's headers carry no kernel uapi: the ABI of openat2(2), Linux 5.6 */
struct open_how {
	unsigned long long flags, mode, resolve;
};
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_BENEATH 0x08
#endif
#ifndef SYS_openat2
#define SYS_openat2 437
#endif

#include "cli.h"
#include "file.h"
#include "helper.h"

#define COPY_BUF (256 * 1024)
#define LIST_MAX 10000 /* NS_FILES_LIST_MAX */
#define UPLOAD_MAX (1ULL << 30)

static int fail(int code, const char *what, const char *path, int err)
{
	if (err == EXDEV || err == ELOOP) {
		fprintf(stderr, "%s %s: a symbolic link leads out of the sandbox user's home\n",
		        what, path);
	} else {
		fprintf(stderr, "%s %s: %s\n", what, path, strerror(err));
	}
	return code;
}

static int code_of(int err)
{
	switch (err) {
	case ENOENT: return NS_HELPER_EXIT_NOTFOUND;
	case EXDEV:
	case ELOOP: return NS_HELPER_EXIT_ESCAPE;
	case EISDIR:
	case ENOTDIR: return NS_HELPER_EXIT_TYPE;
	default: return NS_HELPER_EXIT_IO;
	}
}

static int open_beneath(int dir, const char *path, int flags, mode_t mode)
{
	struct open_how how;

	memset(&how, 0, sizeof(how));
	how.flags = (uint64_t)(flags | O_CLOEXEC);
	how.mode = (flags & O_CREAT) ? mode : 0;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	return (int)syscall(SYS_openat2, dir, path, &how, sizeof(how));
}

static int check_rel(const char *p)
{
	const char *c = p;

	if (p[0] == '/' || p[0] == '\0') {
		return -1;
	}
	while (*c != '\0') {
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0')) {
			return -1;
		}
		c = strchr(c, '/');
		if (c == NULL) {
			break;
		}
		c++;
	}
	return 0;
}

static int home_fd(void)
{
	const char *h = getenv("HOME");

	return open(h != NULL && h[0] == '/' ? h : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* The parent folder of path beneath home (created with its parents when
 * make is set); *last: the final component. */
static int parent_fd(int home, char *path, int make, const char **last)
{
	char *slash = strrchr(path, '/'), *p;
	int fd;

	*last = slash != NULL ? slash + 1 : path;
	if (slash == NULL) {
		return dup(home);
	}
	*slash = '\0';
	for (p = path; make; p++) {
		char save = *p;
		if (save != '/' && save != '\0') {
			continue;
		}
		*p = '\0';
		fd = open_beneath(home, path, O_PATH | O_DIRECTORY, 0);
		if (fd < 0 && errno == ENOENT) {
			char *s = strrchr(path, '/');
			int up = s != NULL ? (*s = '\0',
			                      open_beneath(home, path, O_PATH | O_DIRECTORY, 0))
			                   : dup(home);
			if (s != NULL) {
				*s = '/';
			}
			if (up >= 0 && mkdirat(up, s != NULL ? s + 1 : path, 0755) != 0 &&
			    errno != EEXIST) {
				int e = errno;
				close(up);
				*p = save;
				errno = e;
				return -1;
			}
			if (up >= 0) {
				close(up);
			}
		} else if (fd >= 0) {
			close(fd);
		}
		*p = save;
		if (save == '\0') {
			break;
		}
	}
	fd = open_beneath(home, path, O_PATH | O_DIRECTORY, 0);
	*slash = '/';
	return fd;
}

static int put(int home, char *path, unsigned long mode, unsigned long long size)
{
	char tmp[64], *buf = NULL;
	unsigned long long got = 0;
	const char *last;
	ssize_t n;
	int dir, fd = -1, rc = NS_HELPER_EXIT_IO;

	if ((dir = parent_fd(home, path, 1, &last)) < 0) {
		return fail(code_of(errno), "cannot create the folders of", path, errno);
	}
	snprintf(tmp, sizeof(tmp), ".nullspace-upload.%ld", (long)getpid());
	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || (buf = malloc(COPY_BUF)) == NULL) {
		rc = fail(code_of(errno), "cannot write", path, errno);
		goto out;
	}
	while ((n = read(0, buf, COPY_BUF)) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0) {
			continue;
		}
		got += (unsigned long long)n;
		if (got > size || ns_file_write_all(fd, buf, (size_t)n) != 0) {
			rc = got > size ? NS_HELPER_EXIT_SHORT
			                : fail(1, "cannot write", path, errno);
			goto out;
		}
	}
	if (got != size) {
		fprintf(stderr, "the upload of %s ended after %llu of %llu bytes\n", path, got,
		        size);
		rc = NS_HELPER_EXIT_SHORT;
		goto out;
	}
	if (fchmod(fd, (mode_t)mode) != 0 || close(fd) != 0) {
		fd = -1;
		rc = fail(NS_HELPER_EXIT_IO, "cannot write", path, errno);
		goto out;
	}
	fd = -1;
	if (renameat(dir, tmp, dir, last) != 0) {
		rc = fail(code_of(errno), "cannot write", path, errno);
		goto out;
	}
	tmp[0] = '\0';
	rc = NS_HELPER_EXIT_OK;
out:
	if (fd >= 0) {
		close(fd);
	}
	if (tmp[0] != '\0') {
		unlinkat(dir, tmp, 0);
	}
	close(dir);
	free(buf);
	return rc;
}

static int get(int home, const char *path)
{
	struct stat st;
	char *buf;
	ssize_t n;
	off_t left;
	int fd = open_beneath(home, path, O_RDONLY, 0);

	if (fd < 0) {
		return fail(code_of(errno), "cannot open", path, errno);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		fprintf(stderr, "%s is not a regular file\n", path);
		return NS_HELPER_EXIT_TYPE;
	}
	printf("%lld\n", (long long)st.st_size);
	fflush(stdout);
	if ((buf = malloc(COPY_BUF)) == NULL) {
		close(fd);
		return NS_HELPER_EXIT_IO;
	}
	for (left = st.st_size; left > 0; left -= n) {
		n = read(fd, buf, left < COPY_BUF ? (size_t)left : COPY_BUF);
		if (n <= 0 || ns_file_write_all(1, buf, (size_t)n) != 0) {
			break;
		}
	}
	free(buf);
	close(fd);
	return left == 0 ? NS_HELPER_EXIT_OK : NS_HELPER_EXIT_IO;
}

static char type_of(mode_t m)
{
	return S_ISREG(m) ? 'f' : S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : 'o';
}

static int ls(int home, const char *path)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd = open_beneath(home, path, O_RDONLY | O_DIRECTORY, 0), n = 0;

	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0) {
			close(fd);
		}
		return fail(code_of(errno), "cannot list", path, errno);
	}
	while ((e = readdir(d)) != NULL && n < LIST_MAX) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			continue;
		}
		printf("%c %lld %o %s%c", type_of(st.st_mode), (long long)st.st_size,
		       (unsigned)(st.st_mode & 07777), e->d_name, '\0');
		n++;
	}
	closedir(d);
	return fflush(stdout) == 0 ? NS_HELPER_EXIT_OK : NS_HELPER_EXIT_IO;
}

static int rm(int home, char *path)
{
	const char *last;
	int dir = parent_fd(home, path, 0, &last), rc = 0;

	if (dir < 0) {
		return fail(code_of(errno), "cannot remove", path, errno);
	}
	if (unlinkat(dir, last, 0) != 0) {
		if (errno == EISDIR && unlinkat(dir, last, AT_REMOVEDIR) == 0) {
			rc = 0;
		} else {
			rc = fail(code_of(errno), "cannot remove", path, errno);
		}
	}
	close(dir);
	return rc;
}

int ns_cmd_sandbox_helper(int argc, char **argv)
{
	unsigned long mode = 0644;
	unsigned long long size = 0;
	int home, rc;

	if (argc >= 2 && strcmp(argv[1], "run") == 0) {
		return ns_helper_run(argc - 1, argv + 1);
	}
	if (argc < 3 || check_rel(argv[2]) != 0) {
		fprintf(stderr,
		        "usage: nullspace sandbox-helper put|get|ls|rm PATH (relative, no ..)\n");
		return NS_HELPER_EXIT_USAGE;
	}
	if (strcmp(argv[1], "put") == 0 &&
	    (argc != 5 || sscanf(argv[3], "%lo", &mode) != 1 || mode > 07777 ||
	     sscanf(argv[4], "%llu", &size) != 1 || size > UPLOAD_MAX)) {
		fprintf(stderr, "usage: nullspace sandbox-helper put PATH MODE SIZE\n");
		return NS_HELPER_EXIT_USAGE;
	}
	if ((home = home_fd()) < 0) {
		return fail(NS_HELPER_EXIT_IO, "cannot open the home", "", errno);
	}
	if (strcmp(argv[1], "put") == 0) {
		rc = put(home, argv[2], mode, size);
	} else if (strcmp(argv[1], "get") == 0) {
		rc = get(home, argv[2]);
	} else if (strcmp(argv[1], "ls") == 0) {
		rc = ls(home, argv[2]);
	} else if (strcmp(argv[1], "rm") == 0 && strcmp(argv[2], ".") != 0) {
		rc = rm(home, argv[2]);
	} else {
		fprintf(stderr, "unknown sandbox-helper operation\n");
		rc = NS_HELPER_EXIT_USAGE;
	}
	close(home);
	return rc;
}
