/* The sandbox runtime's life cycle: open (its folders, what an earlier run
 * left removed), create (id, folder, agent, registry entry) and close
 * (every running sandbox stopped with reason "shutdown"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "file.h"
#include "isolate.h"
#include "nullspace/error.h"
#include "registry.h"
#include "runtime_int.h"

#define ID_ALPHABET "abcdefghijklmnopqrstuvwxyz0123456789"
#define ID_TRIES 16

static void new_id(char out[NS_API_ID_MAX + 1])
{
	size_t i;

	memcpy(out, "sb_", 3);
	for (i = 0; i < NS_RUNTIME_ID_CHARS; i++) {
		out[3 + i] = ID_ALPHABET[randombytes_uniform(sizeof(ID_ALPHABET) - 1)];
	}
	out[3 + NS_RUNTIME_ID_CHARS] = '\0';
}

/* path made absolute (it exists), malloc'd into *out. */
static int absolute(const char *path, char **out, char *err, size_t cap)
{
	if ((*out = realpath(path, NULL)) == NULL) {
		ns_rt_err(err, cap, "%s: %s", path, strerror(errno));
		return errno == ENOMEM ? NS_ERR_NOMEM : NS_ERR_IO;
	}
	return 0;
}

static int check_config(const ns_runtime_config *cfg, char *err, size_t cap)
{
	uint8_t pk[NS_ED25519_PK_LEN];
	const char *line = cfg->relay_client_key_line;

	if (cfg->exe == NULL || cfg->sandboxes_dir == NULL || cfg->registry_dir == NULL ||
	    line == NULL) {
		ns_rt_err(err, cap,
		          "the runtime needs exe, sandboxes_dir, registry_dir and the "
		          "relay client key");
		return NS_ERR_INVALID;
	}
	if (strchr(line, '\n') != NULL || ns_key_from_line(line, strlen(line), pk, NULL) != 0) {
		ns_rt_err(err, cap, "the relay client key is not one ssh-ed25519 public key line");
		return NS_ERR_INVALID;
	}
	if (access(cfg->exe, X_OK) != 0) {
		ns_rt_err(err, cap, "cannot run %s: %s", cfg->exe, strerror(errno));
		return NS_ERR_INVALID;
	}
	if (cfg->agent_exe != NULL && access(cfg->agent_exe, X_OK) != 0) {
		ns_rt_err(err, cap, "cannot run the agent binary %s: %s", cfg->agent_exe,
		          strerror(errno));
		return NS_ERR_INVALID;
	}
	return 0;
}

/* Once, at open: what isolation and which limits are in force. */
static void log_isolation(ns_runtime *rt)
{
	char limits[256];

	if (!rt->isolate) {
		ns_rt_log(rt,
		          "isolation: NONE (no_isolation): sandboxes run as uid %u with every file "
		          "of that user in view, NULLSPACE_HOME and its CA key included; for "
		          "development only",
		          (unsigned)geteuid());
		return;
	}
	if (ns_rt_cg_open(rt) == 0) {
		snprintf(limits, sizeof(limits),
		         "memory %llu MiB, %u processes, %u%% of a CPU per sandbox (cgroup v1)",
		         (unsigned long long)(rt->limit_memory >> 20), rt->limit_pids,
		         rt->limit_cpu_percent);
	} else {
		snprintf(limits, sizeof(limits), "NOT enforced (%s)", rt->cg_why);
	}
	if (geteuid() == 0) {
		ns_rt_log(rt,
		          "isolation: namespaces (user, mount, pid, net with loopback only, uts, "
		          "ipc, cgroup), own root, uid %d inside mapped to host uids from %u; "
		          "limits: %s",
		          NS_ISOLATE_UID, NS_RUNTIME_UID_BASE, limits);
	} else {
		ns_rt_log(rt,
		          "isolation: namespaces (user, mount, pid, net with loopback only, uts, "
		          "ipc, cgroup), own root, uid %d inside mapped to host uid %u (ours: run "
		          "as root for a host uid per sandbox); limits: %s",
		          NS_ISOLATE_UID, (unsigned)geteuid(), limits);
	}
}

int ns_runtime_open(const ns_runtime_config *cfg, ns_runtime **out, char *err, size_t cap)
{
	struct sockaddr_un sa;
	ns_runtime *rt;
	int rc;

	*out = NULL;
	if ((rc = check_config(cfg, err, cap)) != 0) {
		return rc;
	}
	if ((rt = calloc(1, sizeof(*rt))) == NULL) {
		return NS_ERR_NOMEM;
	}
	rt->max_sandboxes = cfg->max_sandboxes != 0 ? cfg->max_sandboxes : NS_RUNTIME_MAX_SANDBOXES;
	rt->log = cfg->log;
	rt->log_ud = cfg->log_ud;
	rt->own_child = cfg->own_child;
	rt->own_child_ud = cfg->own_child_ud;
	rt->isolate = !cfg->no_isolation;
	rt->limit_memory = cfg->memory_bytes != 0 ? cfg->memory_bytes : NS_RUNTIME_MEMORY_DEFAULT;
	rt->limit_pids = cfg->pids != 0 ? cfg->pids : NS_RUNTIME_PIDS_DEFAULT;
	rt->limit_cpu_percent = cfg->cpu_percent != 0 ? cfg->cpu_percent : NS_RUNTIME_CPU_DEFAULT;
	if (ns_rt_adopt_orphans() != 0) {
		rt->no_children_list = 1;
		ns_rt_log(rt,
		          "cannot become a child subreaper (%s): processes left behind by "
		          "stopped sandboxes are not killed",
		          strerror(errno));
	}
	if ((rc = ns_file_mkdir(cfg->sandboxes_dir, 1, err, cap)) != 0 ||
	    (rc = ns_file_mkdir(cfg->registry_dir, 1, err, cap)) != 0 ||
	    (rc = absolute(cfg->exe, &rt->exe, err, cap)) != 0 ||
	    (rc = absolute(cfg->agent_exe != NULL ? cfg->agent_exe : cfg->exe, &rt->agent_exe, err,
	                   cap)) != 0 ||
	    (rc = absolute(cfg->sandboxes_dir, &rt->sandboxes_dir, err, cap)) != 0 ||
	    (rc = absolute(cfg->registry_dir, &rt->registry_dir, err, cap)) != 0) {
		goto out;
	}
	if ((rt->client_key_line = strdup(cfg->relay_client_key_line)) == NULL) {
		rc = NS_ERR_NOMEM;
		goto out;
	}
	/* DIR/sb_xxxxxxxxxxxx/run/agent.sock must fit a unix socket address */
	if (strlen(rt->sandboxes_dir) + 6 + NS_RUNTIME_ID_CHARS + strlen(NS_RUNTIME_RUN_DIR) +
	        strlen(NS_RUNTIME_SOCK_NAME) >=
	    sizeof(sa.sun_path)) {
		ns_rt_err(err, cap, "%s is too long a path for the agents' unix sockets",
		          rt->sandboxes_dir);
		rc = NS_ERR_INVALID;
		goto out;
	}
	/* the agents of an earlier run are gone: so are their sandboxes */
	ns_rt_clean_stale(rt->sandboxes_dir, rt->registry_dir);
	if (rt->isolate && (rc = ns_rt_probe_isolation(rt, err, cap)) != 0) {
		goto out;
	}
	log_isolation(rt);
	*out = rt;
	rt = NULL;
out:
	ns_runtime_close(rt);
	return rc;
}

void ns_runtime_close(ns_runtime *rt)
{
	ns_rt_sandbox **v;
	size_t i, n = 0;

	if (rt == NULL) {
		return;
	}
	if (rt->nrunning > 0 && (v = calloc(rt->nrunning, sizeof(*v))) != NULL) {
		for (i = 0; i < rt->n; i++) {
			if (rt->sb[i]->running) {
				v[n++] = rt->sb[i];
			}
		}
		ns_rt_stop_many(rt, v, n, "shutdown");
		free(v);
	} else if (rt->n > 0) {
		ns_rt_sweep_orphans(rt, NS_RUNTIME_KILL_GRACE_MS);
	}
	for (i = 0; i < rt->n; i++) {
		if (rt->sb[i]->pid > 0) { /* only when the table could not be allocated */
			ns_rt_agent_reap(rt->sb[i]->pid);
		}
		free(rt->sb[i]);
	}
	free(rt->sb);
	free(rt->exe);
	free(rt->agent_exe);
	free(rt->sandboxes_dir);
	free(rt->registry_dir);
	free(rt->client_key_line);
	ns_rt_cg_close(rt);
	free(rt);
}

static int check_create(ns_runtime *rt, const char *template_name, uint32_t timeout_s, char *err,
                        size_t cap)
{
	if (template_name == NULL || strcmp(template_name, "base") != 0) {
		ns_rt_err(err, cap, "unknown template \"%.64s\" (only \"base\" exists)",
		          template_name != NULL ? template_name : "");
		return NS_ERR_NOTFOUND;
	}
	if (timeout_s > NS_API_SANDBOX_TIMEOUT_MAX) {
		ns_rt_err(err, cap, "timeout %u s is over the limit of %d s", timeout_s,
		          NS_API_SANDBOX_TIMEOUT_MAX);
		return NS_ERR_INVALID;
	}
	if (rt->nrunning >= rt->max_sandboxes) {
		ns_rt_err(err, cap, "too many sandboxes running (%u)", rt->max_sandboxes);
		return NS_ERR_LIMIT;
	}
	if (rt->n == rt->cap) {
		size_t ncap = rt->cap ? rt->cap * 2 : 16;
		ns_rt_sandbox **v = realloc(rt->sb, ncap * sizeof(*v));
		if (v == NULL) {
			ns_rt_err(err, cap, "out of memory");
			return NS_ERR_NOMEM;
		}
		rt->sb = v;
		rt->cap = ncap;
	}
	return 0;
}

/* A fresh id whose folder does not exist yet; the folder is made later. */
static int pick_id(ns_runtime *rt, ns_rt_sandbox *sb, char *err, size_t cap)
{
	int i;

	for (i = 0; i < ID_TRIES; i++) {
		new_id(sb->info.id);
		snprintf(sb->dir, sizeof(sb->dir), "%s/%s", rt->sandboxes_dir, sb->info.id);
		if (access(sb->dir, F_OK) != 0 && errno == ENOENT) {
			return 0;
		}
	}
	ns_rt_err(err, cap, "cannot find a free sandbox id in %s", rt->sandboxes_dir);
	return NS_ERR_IO;
}

int ns_runtime_create(ns_runtime *rt, const char *template_name, uint32_t timeout_s,
                      uint32_t max_lifetime_s, int64_t now, ns_sandbox_info *out, char *err,
                      size_t cap)
{
	ns_rt_sandbox *sb = NULL;
	int rc, made = 0;

	if (rt == NULL || out == NULL) {
		return NS_ERR_INVALID;
	}
	if ((rc = check_create(rt, template_name, timeout_s, err, cap)) != 0) {
		return rc;
	}
	if ((sb = calloc(1, sizeof(*sb))) == NULL) {
		return NS_ERR_NOMEM;
	}
	timeout_s = timeout_s != 0 ? timeout_s : NS_API_SANDBOX_TIMEOUT_DEFAULT;
	snprintf(sb->info.template_name, sizeof(sb->info.template_name), "%s", template_name);
	snprintf(sb->info.state, sizeof(sb->info.state), "running");
	sb->info.created_at = now;
	sb->info.expires_at = now + (int64_t)timeout_s;
	sb->info.timeout = timeout_s;
	max_lifetime_s = max_lifetime_s != 0 ? max_lifetime_s : NS_API_SANDBOX_LIFETIME_DEFAULT;
	sb->info.max_lifetime = max_lifetime_s > timeout_s ? max_lifetime_s : timeout_s;
	sb->info.max_expires_at = now + (int64_t)sb->info.max_lifetime;
	if ((rc = pick_id(rt, sb, err, cap)) != 0) {
		goto out;
	}
	made = 1;
	if ((rt->isolate && geteuid() == 0 && (rc = ns_rt_uid_pick(rt, sb, err, cap)) != 0) ||
	    (rc = ns_rt_cg_create(rt, sb, err, cap)) != 0 ||
	    (rc = ns_rt_prepare(rt, sb, err, cap)) != 0 ||
	    (rc = ns_rt_agent_start(rt, sb, err, cap)) != 0) {
		rc = rc == NS_ERR_NOMEM || rc == NS_ERR_LIMIT ? rc : NS_ERR_IO;
		goto out;
	}
	if ((rc = ns_rt_write_entry(rt, sb, NS_SANDBOX_RUNNING)) != 0) {
		ns_rt_err(err, cap, "cannot write the registry entry of %s in %s: %s", sb->info.id,
		          rt->registry_dir, ns_strerror(rc));
		rc = NS_ERR_IO;
		goto out;
	}
	sb->running = 1;
	rt->sb[rt->n++] = sb;
	rt->nrunning++;
	*out = sb->info;
	ns_rt_log(rt, "sandbox %s started (template %s, timeout %us, max lifetime %us, pid %ld)",
	          sb->info.id, sb->info.template_name, timeout_s, sb->info.max_lifetime,
	          (long)sb->pid);
	sb = NULL;
out:
	if (sb != NULL) {
		if (sb->pid > 0) {
			ns_rt_agent_reap(sb->pid);
		}
		ns_rt_cg_destroy(rt, sb);
		ns_rt_uid_release(sb);
		if (made) {
			(void)ns_rt_rmtree(sb->dir);
			(void)ns_registry_remove(rt->registry_dir, sb->info.id);
		}
		free(sb);
	}
	return rc;
}
