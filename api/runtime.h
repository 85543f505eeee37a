/* The local sandbox runtime of the embedded control plane: one
 * `nullspace agent` per sandbox, in its own folder and process group,
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

typedef struct ns_runtime ns_runtime;

typedef struct ns_runtime_config {
	const char *exe;           /* the nullspace binary agents are started from */
	const char *sandboxes_dir; /* DIR/<id>/: home, host key, authorized_keys, socket, log */
	const char *registry_dir;  /* what the relay reads */
	const char *relay_client_key_line; /* "ssh-ed25519 AAAA...": the only key agents trust */
	uint32_t max_sandboxes;            /* 0: NS_RUNTIME_MAX_SANDBOXES */
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
int ns_runtime_create(ns_runtime *rt, const char *template_name, uint32_t timeout_s, int64_t now,
                      ns_sandbox_info *out, char *err, size_t cap);
/* NS_ERR_NOTFOUND when no such id is known. */
int ns_runtime_get(ns_runtime *rt, const char *id, ns_sandbox_info *out);
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

#endif
