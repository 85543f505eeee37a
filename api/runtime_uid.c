/* Host uids of sandbox users (runtime as root): one per running sandbox,
 * never shared, also between two `nullspace up` on one machine (other
 * NULLSPACE_HOMEs). A uid is claimed with a lock on a file of its own in
 * NS_RUNTIME_UID_DIR, held while the sandbox runs; the lock dies with the
 * process, so a killed `up` frees its uids. The files stay (removing one
 * could let two claim one uid). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "runtime_int.h"

#define UID_SPAN 65536 /* uids tried from NS_RUNTIME_UID_BASE */

static int in_use(const ns_runtime *rt, uid_t uid)
{
	size_t i;

	for (i = 0; i < rt->n; i++) {
		if (rt->sb[i]->running && rt->sb[i]->uid == uid) {
			return 1;
		}
	}
	return 0;
}

/* The lock on uid's file: its fd, -1 when another holds it, or -2 when the
 * folder cannot be used. */
static int claim(uid_t uid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/%u", NS_RUNTIME_UID_DIR, (unsigned)uid);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		return -2;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int ns_rt_uid_pick(ns_runtime *rt, ns_rt_sandbox *sb, char *err, size_t cap)
{
	uid_t uid;
	int fd;

	if (mkdir(NS_RUNTIME_UID_DIR, 0700) != 0 && errno != EEXIST) {
		ns_rt_err(err, cap, "cannot create %s: %s", NS_RUNTIME_UID_DIR, strerror(errno));
		return NS_ERR_IO;
	}
	for (uid = NS_RUNTIME_UID_BASE; uid < NS_RUNTIME_UID_BASE + UID_SPAN; uid++) {
		if (in_use(rt, uid)) {
			continue;
		}
		if ((fd = claim(uid)) >= 0) {
			sb->uid = uid;
			sb->uid_fd = fd;
			return 0;
		}
		if (fd == -2) {
			ns_rt_err(err, cap, "cannot claim a uid in %s: %s", NS_RUNTIME_UID_DIR,
			          strerror(errno));
			return NS_ERR_IO;
		}
	}
	ns_rt_err(err, cap, "no free sandbox uid from %u (%d taken)", NS_RUNTIME_UID_BASE,
	          UID_SPAN);
	return NS_ERR_LIMIT;
}

void ns_rt_uid_release(ns_rt_sandbox *sb)
{
	if (sb->uid_fd > 0) {
		close(sb->uid_fd);
	}
	sb->uid_fd = -1;
}
