/* The local sandbox runtime of the embedded control plane: one
 * `nullspace agent` per sandbox, isolated in namespaces of its own with
 * cgroup limits (api/isolate.h, docs/isolation.md),
 * listening on a unix socket in that folder and trusting only the relay's
 * client key; the registry file the relay routes by is written on start and
 * on every state change. Single-threaded: call everything from one thread. */
#ifndef NS_API_RUNTIME_H
#define NS_API_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nullspace/sdk.h"

#define NS_RUNTIME_MAX_SANDBOXES 256     /* running at once */
#define NS_RUNTIME_MAX_KEPT 1024         /* stopped ones kept for get/list, oldest dropped */
#define NS_RUNTIME_START_TIMEOUT_MS 5000 /* until the agent's socket accepts */
#define NS_RUNTIME_KILL_GRACE_MS 2000    /* SIGTERM, then SIGKILL to the group */
#define NS_RUNTIME_MEMORY_DEFAULT (1024ULL * 1024 * 1024) /* bytes per sandbox */
#define NS_RUNTIME_PIDS_DEFAULT 512                       /* processes per sandbox */
#define NS_RUNTIME_CPU_DEFAULT 100                        /* percent of one CPU */
/* Host uids of sandbox users when the runtime runs as root: one per
 * running sandbox, from this base up (none of them in a passwd file). */
#define NS_RUNTIME_UID_BASE 2000000000U
/* where a runtime claims them (a lock on a file per uid), machine-wide */
#define NS_RUNTIME_UID_DIR "/run/nullspace-uids"

typedef struct ns_runtime ns_runtime;

typedef struct ns_runtime_config {
	const char *exe; /* the nullspace binary agents are started from */
	/* The binary each sandbox runs as its agent and files helper (bound
	 * read-only into an isolated sandbox): NULL for exe; e.g. the static
	 * musl build of `make static`. exe still runs `isolate`. */
	const char *agent_exe;
	const char *sandboxes_dir; /* DIR/<id>/: home, host key, authorized_keys, socket, log */
	const char *registry_dir;  /* what the relay reads */
	const char *relay_client_key_line; /* "ssh-ed25519 AAAA...": the only key agents trust */
	uint32_t max_sandboxes;            /* 0: NS_RUNTIME_MAX_SANDBOXES */
	/* 1: agents run as the runtime's own user with its files in view
	 * (development only); 0: each sandbox isolated (api/isolate.h). */
	int no_isolation;
	uint64_t memory_bytes;      /* per sandbox; 0: NS_RUNTIME_MEMORY_DEFAULT */
	uint32_t pids, cpu_percent; /* 0: NS_RUNTIME_PIDS_DEFAULT, NS_RUNTIME_CPU_DEFAULT */
	/* Optional: log lines ("sandbox sb_x started (pid N)") go here; NULL: stderr. */
	void (*log)(void *ud, const char *line);
	void *log_ud;
	/* Optional: 1 for child processes of the caller's own (say, a relay it
	 * started); the runtime kills any other child that is not an agent. */
	int (*own_child)(void *ud, pid_t pid);
	void *own_child_ud;
} ns_runtime_config;

/* Creates the folders (0700) and makes the calling process a child
 * subreaper: processes a stopped sandbox leaves behind (detached with
 * setsid or nohup) become its children, and every stop and tick kills them.
 * So the caller's other children must be named by own_child. */
int ns_runtime_open(const ns_runtime_config *cfg, ns_runtime **out, char *err, size_t cap);
/* Stops every running sandbox (waits for them) and frees; NULL is fine. */
void ns_runtime_close(ns_runtime *rt);

/* Start a sandbox: new id ("sb_" + 12 lowercase letters and digits), its
 * folder, host key, agent process; waits until the agent accepts; then
 * writes the registry entry (state=running). Only template "base" exists.
 * NS_ERR_NOTFOUND: unknown template; NS_ERR_LIMIT: too many running;
 * NS_ERR_IO: the agent did not start (err says why). now: unix seconds. */
int ns_runtime_create(ns_runtime *rt, const char *template_name, uint32_t timeout_s,
                      uint32_t max_lifetime_s, int64_t now, ns_sandbox_info *out, char *err,
                      size_t cap);
/* Keep-awake: timeout_s is the idle window; max_lifetime_s (0: the
 * default, raised to timeout_s when lower) caps how far activity moves
 * expires_at (max_expires_at = now + max_lifetime_s). */
/* NS_ERR_NOTFOUND when no such id is known. */
int ns_runtime_get(ns_runtime *rt, const char *id, ns_sandbox_info *out);
/* How the sandbox sees itself: its user's home (home, cap bytes) and the
 * path of the nullspace binary inside it (*exe, static or the runtime's).
 * NS_ERR_NOTFOUND. */
int ns_runtime_inside(ns_runtime *rt, const char *id, char *home, size_t cap, const char **exe);
/* Fills up to cap, newest first; returns how many there are in all. */
size_t ns_runtime_list(ns_runtime *rt, ns_sandbox_info *out, size_t cap);
/* Stop a sandbox: registry state=stopped first (no new logins), then
 * SIGTERM/SIGKILL to its process group. reason: "killed", "timeout", ...
 * NS_ERR_NOTFOUND; killing a stopped sandbox is 0. */
int ns_runtime_kill(ns_runtime *rt, const char *id, const char *reason);
/* Reap exited agents (state stopped, reason "exited"), stop sandboxes
 * whose timeout has passed and kill processes left behind by stopped
 * ones. Call about once a second. */
void ns_runtime_tick(ns_runtime *rt, int64_t now);

/* runtime_activity.c: activity reported for a sandbox (POST /v1/activity).
 * The rule, pure: the expiry activity at now gives sb, max(expires_at,
 * now + timeout) clamped to max_expires_at. */
int64_t ns_runtime_extend_rule(const ns_sandbox_info *sb, int64_t now);
/* Apply it to id: NS_RT_EXTENDED (expires_at moved), NS_RT_UNCHANGED
 * (running, already that late or at its maximum) or NS_RT_IGNORED
 * (unknown or stopped); last_activity_at = now when running. */
enum { NS_RT_IGNORED = 0, NS_RT_UNCHANGED = 1, NS_RT_EXTENDED = 2 };
int ns_runtime_activity(ns_runtime *rt, const char *id, int64_t now);
/* 1 when activity took sb's expiry to its maximum (its stop_reason is then
 * "max_lifetime", else "timeout"). */
int ns_runtime_at_max(const ns_sandbox_info *sb);

#endif
