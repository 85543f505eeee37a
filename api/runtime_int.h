/* Inside the sandbox runtime: the sandbox table (runtime.c), starting and
 * stopping one agent process group (runtime_proc.c), and the folders and
 * files of a sandbox (runtime_fs.c). */
#ifndef NS_API_RUNTIME_INT_H
#define NS_API_RUNTIME_INT_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "clock.h"
#include "nullspace/keys.h"
#include "runtime.h"

#define NS_RUNTIME_ID_CHARS 12
#define NS_RUNTIME_POLL_MS 10   /* while waiting for an agent to start or die */
#define NS_RUNTIME_LOG_TAIL 600 /* bytes of agent.log quoted in an error */
#define NS_RUNTIME_SOCK_NAME "agent.sock"
#define NS_RUNTIME_RUN_DIR "run"           /* the agent's socket and keys: /run/nullspace inside */
#define NS_RT_CG_N 3                       /* memory, pids, cpu */
#define NS_RUNTIME_REGISTRY_USER "sandbox" /* the registry's default login name */

typedef struct ns_rt_sandbox {
	ns_sandbox_info info;
	char dir[PATH_MAX]; /* sandboxes_dir/<id> */
	uint8_t host_pk[NS_ED25519_PK_LEN];
	pid_t pid;   /* the agent (or its isolate monitor), group leader; 0 once reaped */
	int running; /* 1 until stopped */
	uid_t uid;   /* host uid (and gid) of the sandbox user; 0: not isolated as root */
	int uid_fd;  /* the lock that claims uid while it runs (runtime_uid.c); <= 0: none */
	int ncg;     /* cgroup folders made (runtime_cgroup.c) */
} ns_rt_sandbox;

struct ns_runtime {
	char *exe, *agent_exe, *sandboxes_dir, *registry_dir, *client_key_line;
	uint32_t max_sandboxes;
	void (*log)(void *ud, const char *line);
	void *log_ud;
	int (*own_child)(void *ud, pid_t pid);
	void *own_child_ud;
	int no_children_list; /* 1 once listing our children failed (logged once) */
	int isolate;          /* 1: sandboxes in namespaces (api/isolate.h) */
	uint64_t limit_memory;
	uint32_t limit_pids, limit_cpu_percent;
	int cg_open;                        /* controllers whose base folder exists */
	char cg_base[NS_RT_CG_N][PATH_MAX]; /* .../nullspace-<pid> per controller */
	char cg_why[160];                   /* why limits are not enforced */
	ns_rt_sandbox **sb;                 /* oldest first */
	size_t n, cap, nrunning;
};

/* runtime.c */
void ns_rt_log(ns_runtime *rt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ns_rt_err(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The sandbox of id, or NULL. */
ns_rt_sandbox *ns_rt_find(ns_runtime *rt, const char *id);
/* Write sb's registry entry with state NS_SANDBOX_RUNNING or _STOPPED. */
int ns_rt_write_entry(ns_runtime *rt, const ns_rt_sandbox *sb, int state);
/* Stop n running sandboxes together: registry entries first, SIGTERM to
 * every group, one shared grace time, SIGKILL, reap; logs each. */
void ns_rt_stop_many(ns_runtime *rt, ns_rt_sandbox **v, size_t n, const char *reason);
/* Forget the oldest stopped sandboxes past NS_RUNTIME_MAX_KEPT. */
void ns_rt_trim_kept(ns_runtime *rt);
void ns_rt_sleep_ms(unsigned ms);

/* runtime_proc.c: start the agent of sb (folder prepared); waits until its
 * socket accepts. On failure its group is killed and err says why. */
int ns_rt_agent_start(ns_runtime *rt, ns_rt_sandbox *sb, char *err, size_t cap);
/* Has the agent exited? Leaves it a zombie (so its group id stays
 * reserved): 1 exited, 0 running. */
int ns_rt_agent_exited(pid_t pid);
/* SIGKILL whatever is left of the group, then reap the leader. */
void ns_rt_agent_reap(pid_t pid);

/* runtime_cgroup.c: limits per sandbox (cgroup v1). open: 0 when every
 * controller is usable, else -1 with rt->cg_why set. */
int ns_rt_cg_open(ns_runtime *rt);
void ns_rt_cg_close(ns_runtime *rt);
/* sb's folders with the limits written; 0 and nothing made when closed. */
int ns_rt_cg_create(ns_runtime *rt, ns_rt_sandbox *sb, char *err, size_t cap);
/* The folders sb joins (for `isolate --cgroup`): how many, into out. */
size_t ns_rt_cg_paths(const ns_runtime *rt, const ns_rt_sandbox *sb, char out[][PATH_MAX]);
/* SIGKILL all that is left in sb's cgroup, then remove its folders. */
void ns_rt_cg_destroy(ns_runtime *rt, ns_rt_sandbox *sb);

/* runtime_uid.c: a host uid for sb no other running sandbox has, on this
 * machine; released when sb stops. */
int ns_rt_uid_pick(ns_runtime *rt, ns_rt_sandbox *sb, char *err, size_t cap);
void ns_rt_uid_release(ns_rt_sandbox *sb);

/* runtime_probe.c: 0 when a throw-away sandbox runs here, else err says
 * why not and what to do. */
int ns_rt_probe_isolation(ns_runtime *rt, char *err, size_t cap);

/* runtime_orphans.c: processes left behind by stopped sandboxes. */
/* Make this process a child subreaper (prctl), so it adopts them. */
int ns_rt_adopt_orphans(void);
/* Parse a /proc/.../children list ("12 345 "): up to cap pids into out, *n
 * of them. NS_ERR_FORMAT for anything but decimal pids (1..2^30) separated
 * by spaces or newlines. */
int ns_rt_parse_pids(const char *s, size_t len, pid_t *out, size_t cap, size_t *n);
/* One pass: SIGKILL every child of ours that is no agent of the table and
 * not the caller's own (config own_child), then reap them (waiting up to
 * 100 ms). Returns how many it killed; logs that number. */
size_t ns_rt_kill_orphans(ns_runtime *rt);
/* Passes until one finds nothing to kill, or max_ms. */
void ns_rt_sweep_orphans(ns_runtime *rt, unsigned max_ms);

/* runtime_fs.c */
/* Write a new file (O_EXCL) with mode. */
int ns_rt_write_new(const char *path, int mode, const void *p, size_t len);
/* Remove a folder and everything under it (also unwritable subfolders). */
int ns_rt_rmtree(const char *path);
/* Remove every sandbox folder and registry entry of an earlier run. */
void ns_rt_clean_stale(const char *sandboxes_dir, const char *registry_dir);
/* The sandbox's folder: home/, run/ (host_key, authorized_keys), root/
 * when isolated; host_pk set. */
int ns_rt_prepare(ns_runtime *rt, ns_rt_sandbox *sb, char *err, size_t cap);
/* The last lines of the agent's log (at most NS_RUNTIME_LOG_TAIL bytes,
 * newlines shown as "; "), "" when none. */
void ns_rt_log_tail(const ns_rt_sandbox *sb, char *out, size_t cap);

#endif
