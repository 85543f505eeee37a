/* The namespaces of a sandbox and the order they are entered in (isolate.h):
 * cgroups joined as the caller, then (for a caller that is not root) a user
 * namespace to own the rest, then mount, pid, net, uts, ipc and cgroup
 * namespaces; a monitor stays outside, the child becomes pid 1, assembles
 * the root, drops to the sandbox's host uid and enters a last user
 * namespace that maps only that uid, as 1000, before the exec. */
#include "isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nullspace/error.h"

#define MONITOR_FAILED 126
#define CAP_LAST_MAX 63 /* PR_CAPBSET_DROP past the kernel's last cap fails: ignored */

static int fail(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t cap, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	n = strlen(err);
	if (e != 0 && n < cap) {
		snprintf(err + n, cap - n, ": %s", strerror(e));
	}
	return NS_ERR_IO;
}

/* Write text to an existing file (cgroup.procs, /proc/self/uid_map). */
static int put(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;

	if (fd < 0) {
		return -1;
	}
	ok = write(fd, text, len) == (ssize_t)len;
	if (close(fd) != 0) {
		ok = 0;
	}
	return ok ? 0 : -1;
}

static int join_cgroups(const ns_isolate *c, char *err, size_t cap)
{
	char path[4096];
	size_t i;

	for (i = 0; i < c->ncgroup; i++) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", c->cgroup[i]);
		errno = 0;
		if (put(path, "0\n") != 0) {
			return fail(err, cap, "cannot join the cgroup %s", c->cgroup[i]);
		}
	}
	return 0;
}

/* Map one id: "inside outside 1"; setgroups is denied first, as the kernel
 * asks of a process without CAP_SETGID in the parent namespace. */
static int map_self(unsigned inside, unsigned uid, unsigned gid, char *err, size_t cap)
{
	char line[64];

	errno = 0;
	if (put("/proc/self/setgroups", "deny\n") != 0) {
		return fail(err, cap, "cannot write /proc/self/setgroups");
	}
	snprintf(line, sizeof(line), "%u %u 1\n", inside, uid);
	if (put("/proc/self/uid_map", line) != 0) {
		return fail(err, cap, "cannot write /proc/self/uid_map");
	}
	snprintf(line, sizeof(line), "%u %u 1\n", inside, gid);
	if (put("/proc/self/gid_map", line) != 0) {
		return fail(err, cap, "cannot write /proc/self/gid_map");
	}
	return 0;
}

static int loopback_up(char *err, size_t cap)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (s < 0) {
		return fail(err, cap, "cannot bring up lo: socket");
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
		rc = fail(err, cap, "cannot bring up lo");
	} else {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) {
			rc = fail(err, cap, "cannot bring up lo");
		}
	}
	close(s);
	return rc;
}

/* The monitor: outside the pid namespace, the caller's child. Passes the
 * stop signals on, exits as pid 1 did (128+N for a signal). */
static void monitor(pid_t child) __attribute__((noreturn));

static void monitor(pid_t child)
{
	sigset_t set;
	int sig, st;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		pid_t r = waitpid(child, &st, WNOHANG);
		if (r == child) {
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
		}
		if (r < 0 && errno != EINTR) {
			_exit(MONITOR_FAILED);
		}
		if ((sig = sigwaitinfo(&set, NULL)) > 0 && sig != SIGCHLD) {
			(void)kill(child, sig);
		}
	}
}

/* Host uid and gid of the sandbox user for this caller. */
static int pick_ids(const ns_isolate *c, uid_t *uid, gid_t *gid, char *err, size_t cap)
{
	errno = 0;
	*uid = geteuid();
	*gid = getegid();
	if (*uid == 0) {
		if (c->uid == (uid_t)-1 || c->uid == 0 || c->gid == (gid_t)-1 || c->gid == 0) {
			return fail(err, cap,
			            "as root, a sandbox needs --uid and --gid other than 0");
		}
		*uid = c->uid;
		*gid = c->gid;
	} else if ((c->uid != (uid_t)-1 && c->uid != *uid) ||
	           (c->gid != (gid_t)-1 && c->gid != *gid)) {
		return fail(err, cap, "only root may run a sandbox as another uid or gid");
	}
	return 0;
}

/* From real root: the sandbox's host ids, with /proc/self ours again. */
static int drop_root(uid_t uid, gid_t gid, unsigned long nproc, char *err, size_t cap)
{
	struct rlimit rl = {nproc, nproc};

	errno = 0;
	if (nproc != 0 && setrlimit(RLIMIT_NPROC, &rl) != 0) {
		return fail(err, cap, "cannot set RLIMIT_NPROC");
	}
	if (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
	    setresuid(uid, uid, uid) != 0) {
		return fail(err, cap, "cannot switch to uid %u gid %u", (unsigned)uid,
		            (unsigned)gid);
	}
	/* a uid change made us undumpable, which hides /proc/self/uid_map */
	if (prctl(PR_SET_DUMPABLE, 1) != 0) {
		return fail(err, cap, "cannot set dumpable");
	}
	return 0;
}

/* The last user namespace: only the sandbox user, as 1000; no capability
 * left to gain, not even through a set-uid file. */
static int become_user(unsigned outer_uid, unsigned outer_gid, char *err, size_t cap)
{
	int i;

	errno = 0;
	if (unshare(CLONE_NEWUSER) != 0) {
		return fail(err, cap, "cannot create the sandbox's user namespace");
	}
	if (map_self(NS_ISOLATE_UID, outer_uid, outer_gid, err, cap) != 0) {
		return NS_ERR_IO;
	}
	for (i = 0; i <= CAP_LAST_MAX; i++) {
		(void)prctl(PR_CAPBSET_DROP, i, 0, 0, 0);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		return fail(err, cap, "cannot set no_new_privs");
	}
	return 0;
}

static void sandbox_env(void)
{
	clearenv();
	setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
	setenv("HOME", NS_ISOLATE_HOME, 1);
	setenv("USER", NS_ISOLATE_USER, 1);
	setenv("LOGNAME", NS_ISOLATE_USER, 1);
	setenv("LANG", "C.UTF-8", 1);
}

/* pid 1 of the new namespaces: never returns. */
static void inside(const ns_isolate *c, int root, uid_t uid, gid_t gid) __attribute__((noreturn));

static void inside(const ns_isolate *c, int root, uid_t uid, gid_t gid)
{
	char err[512] = "";
	int rc;

	errno = 0;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
		rc = fail(err, sizeof(err), "cannot tie the sandbox to its monitor");
	} else if (sethostname(c->id, strlen(c->id)) != 0) {
		rc = fail(err, sizeof(err), "cannot set the hostname");
	} else if ((rc = loopback_up(err, sizeof(err))) == 0 &&
	           (rc = ns_isolate_root(c, err, sizeof(err))) == 0 &&
	           (rc = root ? drop_root(uid, gid, c->nproc, err, sizeof(err)) : 0) == 0 &&
	           /* a caller that was not root is uid 0 of its own namespace now */
	           (rc = become_user(root ? uid : 0, root ? gid : 0, err, sizeof(err))) == 0) {
		if (chdir(NS_ISOLATE_HOME) != 0) {
			rc = fail(err, sizeof(err), "cannot enter %s", NS_ISOLATE_HOME);
		} else {
			sandbox_env();
			execv(c->argv[0], c->argv);
			rc = fail(err, sizeof(err), "cannot run %s", c->argv[0]);
		}
	}
	(void)rc;
	dprintf(2, "nullspace isolate: %s\n", err);
	_exit(MONITOR_FAILED);
}

int ns_isolate_exec(const ns_isolate *c, char *err, size_t cap)
{
	int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC |
	            CLONE_NEWCGROUP;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int rc, root;

	if (c->argv == NULL || c->argv[0] == NULL || c->argv[0][0] != '/') {
		return fail(err, cap, "the program to run needs an absolute path");
	}
	if ((rc = pick_ids(c, &uid, &gid, err, cap)) != 0 ||
	    (rc = join_cgroups(c, err, cap)) != 0) {
		return rc;
	}
	root = geteuid() == 0;
	errno = 0;
	if (!root && (unshare(CLONE_NEWUSER) != 0 || map_self(0, uid, gid, err, cap) != 0)) {
		return err[0] != '\0' ? NS_ERR_IO
		                      : fail(err, cap, "cannot create a user namespace (as uid %u)",
		                             (unsigned)uid);
	}
	if (unshare(flags) != 0) {
		return fail(err, cap, "cannot create the sandbox's namespaces");
	}
	if ((pid = fork()) < 0) {
		return fail(err, cap, "cannot start the sandbox's first process");
	}
	if (pid == 0) {
		inside(c, root, uid, gid);
	}
	monitor(pid);
}
