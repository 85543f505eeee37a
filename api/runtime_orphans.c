/* Processes a stopped sandbox leaves behind: a session that detaches
 * (`setsid cmd &`, `nohup cmd &`) escapes its agent's process groups and
 * SIGHUP. Every agent is a child subreaper, so such processes become its
 * children while the sandbox runs; when the agent is gone they become ours,
 * because the runtime makes its process a subreaper too. So any child of
 * ours that is neither an agent nor one the caller owns is a leftover: it
 * gets SIGKILL and is reaped. Linux lists a task's children in
 * /proc/self/task/TID/children (CONFIG_PROC_CHILDREN). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "runtime_int.h"

#define CHILDREN_FILE_MAX 65536 /* bytes read of one task's children list */
#define ORPHANS_MAX 4096        /* handled per pass; the rest in the next */
#define REAP_WAIT_MS 100        /* for the SIGKILLed ones of one pass */

int ns_rt_parse_pids(const char *s, size_t len, pid_t *out, size_t cap, size_t *n)
{
	size_t i = 0;
	long v;

	*n = 0;
	while (i < len) {
		if (s[i] == ' ' || s[i] == '\n') {
			i++;
			continue;
		}
		if (s[i] < '0' || s[i] > '9') {
			return NS_ERR_FORMAT;
		}
		for (v = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			v = v * 10 + (s[i] - '0');
			if (v > 0x3fffffff) { /* over PID_MAX_LIMIT */
				return NS_ERR_FORMAT;
			}
		}
		if (v == 0 || (i < len && s[i] != ' ' && s[i] != '\n')) {
			return NS_ERR_FORMAT;
		}
		if (*n < cap) {
			out[(*n)++] = (pid_t)v;
		}
	}
	return 0;
}

int ns_rt_adopt_orphans(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1) == 0 ? 0 : NS_ERR_IO;
}

/* Appends the children of task tid. A thread may end while we look, but
 * the main thread's list must exist: NS_ERR_IO when it does not. */
static int task_children(const char *tid, pid_t *out, size_t cap, size_t *n)
{
	char path[64], *buf;
	size_t len = 0, got = 0;
	ssize_t r;
	int fd, rc;

	if (snprintf(path, sizeof(path), "/proc/self/task/%s/children", tid) >= (int)sizeof(path)) {
		return NS_ERR_INVALID;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return errno == ENOENT && atol(tid) != (long)getpid() ? 0 : NS_ERR_IO;
	}
	if ((buf = malloc(CHILDREN_FILE_MAX)) == NULL) {
		close(fd);
		return NS_ERR_NOMEM;
	}
	while (len < CHILDREN_FILE_MAX && ((r = read(fd, buf + len, CHILDREN_FILE_MAX - len)) > 0 ||
	                                   (r < 0 && errno == EINTR))) {
		len += r > 0 ? (size_t)r : 0;
	}
	close(fd);
	/* a full buffer may end mid-number: drop that one, the next pass sees it */
	if (len == CHILDREN_FILE_MAX) {
		while (len > 0 && buf[len - 1] != ' ') {
			len--;
		}
	}
	rc = ns_rt_parse_pids(buf, len, out + *n, cap - *n, &got);
	free(buf);
	*n += got;
	return rc;
}

/* Every child process of ours (up to cap). */
static int list_children(pid_t *out, size_t cap, size_t *n)
{
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	*n = 0;
	if ((dir = opendir("/proc/self/task")) == NULL) {
		return NS_ERR_IO;
	}
	while (rc == 0 && *n < cap && (d = readdir(dir)) != NULL) {
		if (d->d_name[0] >= '0' && d->d_name[0] <= '9') {
			rc = task_children(d->d_name, out, cap, n);
		}
	}
	closedir(dir);
	return rc;
}

static int is_ours(const ns_runtime *rt, pid_t pid)
{
	size_t i;

	for (i = 0; i < rt->n; i++) {
		if (rt->sb[i]->pid == pid) {
			return 1;
		}
	}
	return rt->own_child != NULL && rt->own_child(rt->own_child_ud, pid);
}

size_t ns_rt_kill_orphans(ns_runtime *rt)
{
	pid_t *pids;
	size_t i, n = 0, killed = 0, left;
	uint64_t until;
	int rc;

	if (rt->no_children_list || (pids = calloc(ORPHANS_MAX, sizeof(*pids))) == NULL) {
		return 0;
	}
	if ((rc = list_children(pids, ORPHANS_MAX, &n)) != 0) {
		rt->no_children_list = 1;
		ns_rt_log(rt,
		          "cannot list our child processes in /proc/self/task/*/children (%s): "
		          "processes left behind by stopped sandboxes are not killed",
		          ns_strerror(rc));
		free(pids);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (is_ours(rt, pids[i])) {
			pids[i] = 0;
		} else if (kill(pids[i], SIGKILL) == 0) {
			killed++;
		}
	}
	until = ns_clock_ms() + REAP_WAIT_MS;
	do {
		for (i = 0, left = 0; i < n; i++) {
			if (pids[i] > 0 && waitpid(pids[i], NULL, WNOHANG) == 0) {
				left++;
			} else {
				pids[i] = 0;
			}
		}
		if (left > 0) {
			ns_rt_sleep_ms(NS_RUNTIME_POLL_MS);
		}
	} while (left > 0 && ns_clock_ms() < until);
	free(pids);
	if (killed > 0) {
		ns_rt_log(rt, "killed %zu process%s left behind by stopped sandboxes", killed,
		          killed == 1 ? "" : "es");
	}
	return killed;
}

void ns_rt_sweep_orphans(ns_runtime *rt, unsigned max_ms)
{
	uint64_t until = ns_clock_ms() + max_ms;

	/* each pass can orphan the children of the ones it killed */
	while (ns_rt_kill_orphans(rt) > 0 && ns_clock_ms() < until) {
	}
}
