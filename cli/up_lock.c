/* One owner per state folder: `nullspace up` holds flock(2) on
 * NULLSPACE_HOME/state/lock for its whole life, taken before anything in the
 * folder is read or written; the kernel drops it when the process ends, by
 * SIGKILL too. The owner writes "PID HOST:PORT\n" into it for the next one. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "up_int.h"

#define POLL_MS 20
#define PID_DIGITS_MAX 10 /* a pid_t fits in 10 digits */

static int addr_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
	       c == '.' || c == ':' || c == '[' || c == ']';
}

int ns_up_lock_parse(const char *text, size_t len, long *pid, char *addr, size_t cap)
{
	size_t i = 0, start, n;
	long long v = 0;

	*pid = 0;
	if (cap > 0) {
		addr[0] = '\0';
	}
	if (len > NS_UP_LOCK_INFO_MAX) {
		return NS_ERR_TOOBIG;
	}
	for (; i < len && text[i] >= '0' && text[i] <= '9' && i < PID_DIGITS_MAX; i++) {
		v = v * 10 + (text[i] - '0');
	}
	/* PID: 1 to 10 digits, no leading zero, within an int */
	if (i == 0 || text[0] == '0' || v > 2147483647L || i >= len || text[i] != ' ') {
		return NS_ERR_FORMAT;
	}
	start = ++i;
	for (; i < len && addr_char(text[i]); i++) {
	}
	n = i - start;
	/* HOST:PORT, then one newline, then nothing */
	if (n == 0 || n >= cap || i + 1 != len || text[i] != '\n') {
		return NS_ERR_FORMAT;
	}
	memcpy(addr, text + start, n);
	addr[n] = '\0';
	*pid = (long)v;
	return 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* The owner's line, waiting up to NS_UP_LOCK_INFO_WAIT_MS for an owner
 * that has the lock but has not written it yet; the message into err. */
static void describe_owner(int fd, const char *path, char *err, size_t cap)
{
	char text[NS_UP_LOCK_INFO_MAX + 1], addr[NS_UP_HOST_MAX + 16];
	unsigned waited = 0;
	ssize_t n;
	long pid = 0;

	for (;;) {
		n = pread(fd, text, sizeof(text), 0);
		/* a dead pid is the line of an earlier owner, before the new one
		 * replaced it */
		if (n > 0 && ns_up_lock_parse(text, (size_t)n, &pid, addr, sizeof(addr)) == 0 &&
		    (kill((pid_t)pid, 0) == 0 || errno != ESRCH)) {
			snprintf(err, cap, "NULLSPACE_HOME is in use by pid %ld (API on %s)", pid,
			         addr);
			return;
		}
		if (waited >= NS_UP_LOCK_INFO_WAIT_MS) {
			break;
		}
		sleep_ms(POLL_MS);
		waited += POLL_MS;
	}
	snprintf(err, cap,
	         "NULLSPACE_HOME is in use by another nullspace up (its lock %s names no "
	         "owner yet)",
	         path);
}

/* The owner's line, in place of whatever an earlier owner left. */
static int write_owner(int fd, const char *api_addr)
{
	char line[NS_UP_LOCK_INFO_MAX + 1];
	int n = snprintf(line, sizeof(line), "%ld %s\n", (long)getpid(), api_addr);

	if (n < 0 || n >= (int)sizeof(line)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) {
		return -1;
	}
	return 0;
}

int ns_up_lock_take(const char *dir, const char *api_addr, int *fd_out, char *err, size_t cap)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, rc = NS_ERR_IO;

	*fd_out = -1;
	if (snprintf(path, sizeof(path), "%s/%s", dir, NS_UP_LOCK_NAME) >= (int)sizeof(path)) {
		snprintf(err, cap, "NULLSPACE_HOME is too long a path");
		return NS_ERR_INVALID;
	}
	/* creating it changes nothing an owner uses; a link there is refused */
	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, cap, "cannot open the lock %s: %s", path, strerror(errno));
		return NS_ERR_IO;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, cap, "the lock %s is not a regular file", path);
		goto out;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR) {
			continue;
		}
		if (errno == EWOULDBLOCK) {
			describe_owner(fd, path, err, cap);
			rc = NS_ERR_STATE;
		} else {
			snprintf(err, cap, "cannot lock %s: %s", path, strerror(errno));
		}
		goto out;
	}
	if (write_owner(fd, api_addr) != 0) {
		snprintf(err, cap, "cannot write the lock %s: %s", path, strerror(errno));
		goto out;
	}
	*fd_out = fd;
	return 0;
out:
	close(fd);
	return rc;
}

void ns_up_lock_release(int fd)
{
	if (fd < 0) {
		return;
	}
	/* an empty lock names no owner; the file stays (removing it would let
	 * two processes lock two different files of one name) */
	if (ftruncate(fd, 0) != 0) {
		/* a stale line is harmless: the lock is what counts */
	}
	close(fd);
}
