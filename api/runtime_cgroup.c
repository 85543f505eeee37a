/* Resource limits of the runtime's sandboxes through cgroup v1 (the
 * memory, pids and cpu controllers, each mounted at /sys/fs/cgroup/NAME):
 * one folder per sandbox under NAME/<our own cgroup>/nullspace-<pid>, its
 * limits written before the sandbox joins it, every process in it killed
 * when the sandbox stops. Where that is impossible (not root, cgroup v2
 * only, a controller missing) the limits are reported as not enforced. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "runtime_int.h"

#define CG_MOUNT "/sys/fs/cgroup"
#define CG_KILL_ROUNDS 50 /* of NS_RUNTIME_POLL_MS each */
#define CG_PROCS_MAX 65536

static const char *const ctrl[NS_RT_CG_N] = {"memory", "pids", "cpu"};

/* Our own cgroup in controller name, from /proc/self/cgroup
 * ("4:memory:/a/b"). */
static int own_path(const char *name, char *out, size_t cap)
{
	char line[1024];
	FILE *f = fopen("/proc/self/cgroup", "re");
	int rc = -1;

	if (f == NULL) {
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *list = strchr(line, ':'), *path, *tok, *save = NULL;
		if (list == NULL || (path = strchr(++list, ':')) == NULL) {
			continue;
		}
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		for (tok = strtok_r(list, ",", &save); tok != NULL;
		     tok = strtok_r(NULL, ",", &save)) {
			if (strcmp(tok, name) == 0 && snprintf(out, cap, "%s", path) < (int)cap) {
				rc = 0;
			}
		}
	}
	fclose(f);
	return rc;
}

static int put(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	size_t len = strlen(text);
	int fd, ok;

	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path) ||
	    (fd = open(path, O_WRONLY | O_CLOEXEC)) < 0) {
		return -1;
	}
	ok = write(fd, text, len) == (ssize_t)len;
	return (close(fd) == 0 && ok) ? 0 : -1;
}

int ns_rt_cg_open(ns_runtime *rt)
{
	char own[PATH_MAX];
	struct stat st;
	int i;

	if (geteuid() != 0) {
		snprintf(rt->cg_why, sizeof(rt->cg_why), "not root");
		return -1;
	}
	for (i = 0; i < NS_RT_CG_N; i++) {
		char mnt[64];
		snprintf(mnt, sizeof(mnt), CG_MOUNT "/%s", ctrl[i]);
		if (stat(mnt, &st) != 0 || own_path(ctrl[i], own, sizeof(own)) != 0) {
			snprintf(rt->cg_why, sizeof(rt->cg_why),
			         "no cgroup v1 %s controller at %s (cgroup v2 alone is not "
			         "supported yet)",
			         ctrl[i], mnt);
			return -1;
		}
		if (snprintf(rt->cg_base[i], sizeof(rt->cg_base[i]), "%s%s/nullspace-%ld", mnt,
		             strcmp(own, "/") == 0 ? "" : own,
		             (long)getpid()) >= (int)sizeof(rt->cg_base[i]) ||
		    (mkdir(rt->cg_base[i], 0755) != 0 && errno != EEXIST)) {
			snprintf(rt->cg_why, sizeof(rt->cg_why), "cannot create %s: %s",
			         rt->cg_base[i], strerror(errno));
			ns_rt_cg_close(rt);
			return -1;
		}
		rt->cg_open = i + 1;
	}
	return 0;
}

void ns_rt_cg_close(ns_runtime *rt)
{
	int i;

	for (i = 0; i < rt->cg_open; i++) {
		(void)rmdir(rt->cg_base[i]);
	}
	rt->cg_open = 0;
}

static int sandbox_dir(const ns_runtime *rt, int i, const char *id, char *out, size_t cap)
{
	return snprintf(out, cap, "%s/%s", rt->cg_base[i], id) < (int)cap ? 0 : -1;
}

int ns_rt_cg_create(ns_runtime *rt, ns_rt_sandbox *sb, char *err, size_t cap)
{
	char dir[PATH_MAX], v[64];
	int i;

	if (rt->cg_open != NS_RT_CG_N) {
		return 0;
	}
	for (i = 0; i < NS_RT_CG_N; i++) {
		if (sandbox_dir(rt, i, sb->info.id, dir, sizeof(dir)) != 0 ||
		    (mkdir(dir, 0755) != 0 && errno != EEXIST)) {
			ns_rt_err(err, cap, "cannot create the cgroup %s: %s", dir,
			          strerror(errno));
			return NS_ERR_IO;
		}
		sb->ncg = i + 1;
	}
	snprintf(v, sizeof(v), "%llu", (unsigned long long)rt->limit_memory);
	if (sandbox_dir(rt, 0, sb->info.id, dir, sizeof(dir)) != 0 ||
	    put(dir, "memory.limit_in_bytes", v) != 0) {
		ns_rt_err(err, cap, "cannot set the memory limit in %s: %s", dir, strerror(errno));
		return NS_ERR_IO;
	}
	/* memory plus swap, where the kernel accounts swap: no way around
	 * the limit through swap (absent without swapaccount: fine) */
	(void)put(dir, "memory.memsw.limit_in_bytes", v);
	snprintf(v, sizeof(v), "%u", rt->limit_pids);
	if (sandbox_dir(rt, 1, sb->info.id, dir, sizeof(dir)) != 0 ||
	    put(dir, "pids.max", v) != 0) {
		ns_rt_err(err, cap, "cannot set the pids limit in %s: %s", dir, strerror(errno));
		return NS_ERR_IO;
	}
	/* the cpu share: quota per 100 ms period */
	snprintf(v, sizeof(v), "%u", rt->limit_cpu_percent * 1000);
	if (sandbox_dir(rt, 2, sb->info.id, dir, sizeof(dir)) != 0 ||
	    put(dir, "cpu.cfs_period_us", "100000") != 0 || put(dir, "cpu.cfs_quota_us", v) != 0) {
		ns_rt_err(err, cap, "cannot set the cpu limit in %s: %s", dir, strerror(errno));
		return NS_ERR_IO;
	}
	return 0;
}

size_t ns_rt_cg_paths(const ns_runtime *rt, const ns_rt_sandbox *sb, char out[][PATH_MAX])
{
	int i;

	for (i = 0; i < sb->ncg; i++) {
		if (sandbox_dir(rt, i, sb->info.id, out[i], PATH_MAX) != 0) {
			return 0;
		}
	}
	return (size_t)sb->ncg;
}

/* SIGKILL every process listed in dir/cgroup.procs; how many there were. */
static size_t kill_listed(const char *dir)
{
	char path[PATH_MAX], line[32];
	size_t n = 0;
	FILE *f;

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path) ||
	    (f = fopen(path, "re")) == NULL) {
		return 0;
	}
	while (n < CG_PROCS_MAX && fgets(line, sizeof(line), f) != NULL) {
		long pid = strtol(line, NULL, 10);
		if (pid > 1) {
			(void)kill((pid_t)pid, SIGKILL);
			n++;
		}
	}
	fclose(f);
	return n;
}

void ns_rt_cg_destroy(ns_runtime *rt, ns_rt_sandbox *sb)
{
	char dir[PATH_MAX];
	int i, round;

	/* the pids controller sees every process, forks in flight included */
	if (sb->ncg > 1 && sandbox_dir(rt, 1, sb->info.id, dir, sizeof(dir)) == 0) {
		for (round = 0; round < CG_KILL_ROUNDS && kill_listed(dir) > 0; round++) {
			ns_rt_sleep_ms(NS_RUNTIME_POLL_MS);
		}
		if (round == CG_KILL_ROUNDS) {
			ns_rt_log(rt, "sandbox %s: processes left in %s after SIGKILL", sb->info.id,
			          dir);
		}
	}
	for (i = 0; i < sb->ncg; i++) {
		if (sandbox_dir(rt, i, sb->info.id, dir, sizeof(dir)) == 0) {
			for (round = 0; round < CG_KILL_ROUNDS && rmdir(dir) != 0 && errno == EBUSY;
			     round++) {
				ns_rt_sleep_ms(NS_RUNTIME_POLL_MS);
			}
		}
	}
	sb->ncg = 0;
}
