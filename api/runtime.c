/* The sandbox runtime's table: open (folders, stale entries of an earlier
 * run removed), create, get, list, kill, the periodic tick (reaping exited
 * agents, stopping timed-out sandboxes) and close. Stopping writes the
 * registry entry first, so the relay refuses new logins before the group
 * gets SIGTERM and, after the grace time, SIGKILL. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>

#include "nullspace/error.h"
#include "registry.h"
#include "isolate.h"
#include "runtime_int.h"

#define LOG_LINE_MAX 1024

void ns_rt_log(ns_runtime *rt, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (rt->log != NULL) {
		rt->log(rt->log_ud, line);
	} else {
		fprintf(stderr, "%s\n", line);
	}
}

void ns_rt_err(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || cap == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

void ns_rt_sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static ns_rt_sandbox *find(ns_runtime *rt, const char *id)
{
	size_t i;

	for (i = 0; i < rt->n; i++) {
		if (strcmp(rt->sb[i]->info.id, id) == 0) {
			return rt->sb[i];
		}
	}
	return NULL;
}

ns_rt_sandbox *ns_rt_find(ns_runtime *rt, const char *id)
{
	return rt != NULL && id != NULL ? find(rt, id) : NULL;
}

int ns_rt_write_entry(ns_runtime *rt, const ns_rt_sandbox *sb, int state)
{
	ns_registry_entry e;

	memset(&e, 0, sizeof(e));
	snprintf(e.id, sizeof(e.id), "%s", sb->info.id);
	if (snprintf(e.endpoint, sizeof(e.endpoint), "unix:%s/%s/%s", sb->dir, NS_RUNTIME_RUN_DIR,
	             NS_RUNTIME_SOCK_NAME) >= (int)sizeof(e.endpoint)) {
		return NS_ERR_INVALID;
	}
	memcpy(e.host_key, sb->host_pk, sizeof(e.host_key));
	e.state = state;
	snprintf(e.user, sizeof(e.user), "%s", NS_RUNTIME_REGISTRY_USER);
	return ns_registry_write(rt->registry_dir, &e);
}

/* Drop the oldest stopped sandboxes past NS_RUNTIME_MAX_KEPT: their
 * registry entries and folders go too. */
void ns_rt_trim_kept(ns_runtime *rt)
{
	size_t i, stopped = rt->n - rt->nrunning;

	for (i = 0; i < rt->n && stopped > NS_RUNTIME_MAX_KEPT;) {
		ns_rt_sandbox *sb = rt->sb[i];
		if (sb->running) {
			i++;
			continue;
		}
		(void)ns_registry_remove(rt->registry_dir, sb->info.id);
		(void)ns_rt_rmtree(sb->dir);
		free(sb);
		memmove(&rt->sb[i], &rt->sb[i + 1], (rt->n - i - 1) * sizeof(rt->sb[0]));
		rt->n--;
		stopped--;
	}
}

/* Stop n sandboxes together: registry entries first, SIGTERM to every
 * group, one shared grace time, then SIGKILL and reap. */
void ns_rt_stop_many(ns_runtime *rt, ns_rt_sandbox **v, size_t n, const char *reason)
{
	uint64_t deadline = ns_clock_ms() + NS_RUNTIME_KILL_GRACE_MS;
	size_t i, left;
	int rc;

	for (i = 0; i < n; i++) {
		if ((rc = ns_rt_write_entry(rt, v[i], NS_SANDBOX_STOPPED)) != 0) {
			ns_rt_log(rt, "sandbox %s: cannot mark it stopped in the registry: %s",
			          v[i]->info.id, ns_strerror(rc));
		}
		v[i]->running = 0;
		rt->nrunning--;
		snprintf(v[i]->info.state, sizeof(v[i]->info.state), "stopped");
		snprintf(v[i]->info.stop_reason, sizeof(v[i]->info.stop_reason), "%s", reason);
		if (v[i]->pid > 0) {
			(void)kill(-v[i]->pid, SIGTERM);
		}
	}
	do {
		for (i = 0, left = 0; i < n; i++) {
			if (v[i]->pid > 0 && ns_rt_agent_exited(v[i]->pid)) {
				ns_rt_agent_reap(v[i]->pid); /* and what is left of its group */
				v[i]->pid = 0;
			}
			left += v[i]->pid > 0;
		}
		if (left > 0 && ns_clock_ms() < deadline) {
			ns_rt_sleep_ms(NS_RUNTIME_POLL_MS);
		}
	} while (left > 0 && ns_clock_ms() < deadline);
	for (i = 0; i < n; i++) {
		if (v[i]->pid > 0) {
			ns_rt_agent_reap(v[i]->pid); /* SIGKILL */
			v[i]->pid = 0;
		}
		ns_rt_cg_destroy(rt, v[i]);
		ns_rt_uid_release(v[i]); /* nothing of it runs as that uid now */
		ns_rt_log(rt, "sandbox %s stopped (%s)", v[i]->info.id, reason);
	}
	/* what the agents adopted is ours now */
	ns_rt_sweep_orphans(rt, NS_RUNTIME_KILL_GRACE_MS);
}

int ns_runtime_get(ns_runtime *rt, const char *id, ns_sandbox_info *out)
{
	ns_rt_sandbox *sb = rt != NULL && id != NULL ? find(rt, id) : NULL;

	if (sb == NULL) {
		return NS_ERR_NOTFOUND;
	}
	*out = sb->info;
	return 0;
}

int ns_runtime_inside(ns_runtime *rt, const char *id, char *home, size_t cap, const char **exe)
{
	ns_rt_sandbox *sb = rt != NULL && id != NULL ? find(rt, id) : NULL;
	int n;

	if (sb == NULL) {
		return NS_ERR_NOTFOUND;
	}
	*exe = rt->isolate ? NS_ISOLATE_EXE : rt->agent_exe;
	n = rt->isolate ? snprintf(home, cap, "%s", NS_ISOLATE_HOME)
	                : snprintf(home, cap, "%s/home", sb->dir);
	return n > 0 && (size_t)n < cap ? 0 : NS_ERR_TOOBIG;
}

size_t ns_runtime_list(ns_runtime *rt, ns_sandbox_info *out, size_t cap)
{
	size_t i;

	if (rt == NULL) {
		return 0;
	}
	for (i = 0; i < rt->n && i < cap; i++) {
		out[i] = rt->sb[rt->n - 1 - i]->info;
	}
	return rt->n;
}

int ns_runtime_kill(ns_runtime *rt, const char *id, const char *reason)
{
	ns_rt_sandbox *sb = rt != NULL && id != NULL ? find(rt, id) : NULL;

	if (sb == NULL) {
		return NS_ERR_NOTFOUND;
	}
	if (sb->running) {
		ns_rt_stop_many(rt, &sb, 1, reason != NULL ? reason : "killed");
		ns_rt_trim_kept(rt);
	}
	return 0;
}

void ns_runtime_tick(ns_runtime *rt, int64_t now)
{
	ns_rt_sandbox **expired;
	size_t i, n = 0;
	int max;

	if (rt == NULL) {
		return;
	}
	(void)ns_rt_kill_orphans(rt);
	if (rt->nrunning == 0) {
		return;
	}
	for (i = 0; i < rt->n; i++) {
		ns_rt_sandbox *sb = rt->sb[i];
		/* only our own agents: the caller may have other children */
		if (sb->running && sb->pid > 0 && ns_rt_agent_exited(sb->pid)) {
			ns_rt_stop_many(rt, &sb, 1, "exited");
		}
	}
	if ((expired = calloc(rt->nrunning + 1, sizeof(*expired))) == NULL) {
		return;
	}
	for (max = 0; max < 2; max++, n = 0) {
		for (i = 0; i < rt->n; i++) {
			if (rt->sb[i]->running && now >= rt->sb[i]->info.expires_at &&
			    ns_runtime_at_max(&rt->sb[i]->info) == max) {
				expired[n++] = rt->sb[i];
			}
		}
		if (n > 0) { /* keep-awake took it to its max_lifetime: said so */
			ns_rt_stop_many(rt, expired, n, max ? "max_lifetime" : "timeout");
		}
	}
	free(expired);
	ns_rt_trim_kept(rt);
}
