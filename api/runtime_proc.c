/* One sandbox's agent process: fork + exec of `nullspace agent` (through
 * `nullspace isolate` when sandboxes are isolated) in its own
 * session and process group (stdin /dev/null, stdout and stderr to
 * agent.log, SIGTERM when we die), the wait for its readiness notice,
 * and the end of the group. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolate.h"
#include "net.h"
#include "nullspace/error.h"
#include "relay.h"
#include "runtime_int.h"
#include "spawn.h"

/* Host paths of a sandbox: its folders, the agent's files as the agent
 * sees them (inside the sandbox, or these when not isolated). */
enum { P_LISTEN, P_KEY, P_AUTH, P_HOME, P_RUN, P_ROOT, P_LOG, P_N };
#define ARGS_MAX (40 + 2 * NS_RT_CG_N)

typedef struct spawn_plan {
	char path[P_N][PATH_MAX + 8];
	char id[NS_API_ID_MAX + 1], uid[16], nproc[16];
	char cg[NS_RT_CG_N][PATH_MAX];
	const char *agent[P_RUN]; /* the agent's paths as it sees them: P_LISTEN..P_HOME */
	const char *argv[ARGS_MAX];
} spawn_plan;

static int host_paths(const ns_rt_sandbox *sb, spawn_plan *p)
{
	static const char *const name[P_N] = {NS_RUNTIME_RUN_DIR "/" NS_RUNTIME_SOCK_NAME,
	                                      NS_RUNTIME_RUN_DIR "/host_key",
	                                      NS_RUNTIME_RUN_DIR "/authorized_keys",
	                                      "home",
	                                      NS_RUNTIME_RUN_DIR,
	                                      "root",
	                                      "agent.log"};
	int i;

	for (i = 0; i < P_N; i++) {
		if (snprintf(p->path[i], sizeof(p->path[i]), "%s%s/%s",
		             i == P_LISTEN ? "unix:" : "", sb->dir,
		             name[i]) >= (int)sizeof(p->path[i])) {
			return NS_ERR_INVALID;
		}
	}
	return 0;
}

/* `nullspace isolate ... --`, the agent's paths then those inside. */
static size_t isolate_args(const ns_runtime *rt, const ns_rt_sandbox *sb, spawn_plan *p)
{
	size_t i = 0, k, ncg = ns_rt_cg_paths(rt, sb, p->cg);

	snprintf(p->id, sizeof(p->id), "%s", sb->info.id);
	p->argv[i++] = rt->exe;
	p->argv[i++] = "isolate";
	p->argv[i++] = "--id";
	p->argv[i++] = p->id;
	p->argv[i++] = "--root";
	p->argv[i++] = p->path[P_ROOT];
	p->argv[i++] = "--home";
	p->argv[i++] = p->path[P_HOME];
	p->argv[i++] = "--run";
	p->argv[i++] = p->path[P_RUN];
	p->argv[i++] = "--exe";
	p->argv[i++] = rt->agent_exe; /* bound at NS_ISOLATE_EXE */
	if (sb->uid != 0) {
		snprintf(p->uid, sizeof(p->uid), "%u", (unsigned)sb->uid);
		p->argv[i++] = "--uid";
		p->argv[i++] = p->uid;
		p->argv[i++] = "--gid";
		p->argv[i++] = p->uid;
		if (ncg == 0) { /* no pids cgroup: at least a process limit for its uid */
			snprintf(p->nproc, sizeof(p->nproc), "%u", rt->limit_pids);
			p->argv[i++] = "--nproc";
			p->argv[i++] = p->nproc;
		}
	}
	for (k = 0; k < ncg; k++) {
		p->argv[i++] = "--cgroup";
		p->argv[i++] = p->cg[k];
	}
	p->argv[i++] = "--";
	p->argv[i++] = NS_ISOLATE_EXE;
	p->agent[P_KEY] = NS_ISOLATE_RUN "/host_key";
	p->agent[P_AUTH] = NS_ISOLATE_RUN "/authorized_keys";
	p->agent[P_HOME] = NS_ISOLATE_HOME;
	return i;
}

static int plan_paths(const ns_runtime *rt, const ns_rt_sandbox *sb, spawn_plan *p)
{
	size_t i = 0;
	int k;

	if (host_paths(sb, p) != 0) {
		return NS_ERR_INVALID;
	}
	for (k = 0; k < P_RUN; k++) {
		p->agent[k] = p->path[k];
	}
	/* we bind the socket, where the sandbox cannot swap it for a link to
	 * another socket of the host's; the agent gets it at fd 4 */
	p->agent[P_LISTEN] = "fd:4";
	if (rt->isolate) {
		i = isolate_args(rt, sb, p);
	} else {
		p->argv[i++] = rt->agent_exe;
	}
	p->argv[i++] = "agent";
	p->argv[i++] = "--listen";
	p->argv[i++] = p->agent[P_LISTEN];
	p->argv[i++] = "--host-key";
	p->argv[i++] = p->agent[P_KEY];
	p->argv[i++] = "--authorized-keys";
	p->argv[i++] = p->agent[P_AUTH];
	p->argv[i++] = "--home";
	p->argv[i++] = p->agent[P_HOME];
	p->argv[i++] = "--ready-fd";
	p->argv[i++] = "3"; /* ns_spawn's ready_fd */
	/* the relay's one connection carries every session of the sandbox */
	p->argv[i++] = "--max-channels";
	p->argv[i++] = NS_RELAY_MAX_CHANNELS_PER_SANDBOX_STR;
	p->argv[i] = NULL;
	return 0;
}

int ns_rt_agent_exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0) {
		return errno == ECHILD; /* not ours any more: gone */
	}
	return si.si_pid == pid;
}

static int reap_status(pid_t pid)
{
	siginfo_t si;
	int st = 0;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0 && errno == ECHILD) {
		return -1; /* never kill a group that may no longer be ours */
	}
	/* the leader (running or a zombie) keeps the group id reserved */
	(void)kill(-pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
	return st;
}

void ns_rt_agent_reap(pid_t pid)
{
	(void)reap_status(pid);
}

static void describe(int st, char *out, size_t cap)
{
	if (WIFEXITED(st)) {
		snprintf(out, cap, "exit %d", WEXITSTATUS(st));
	} else if (WIFSIGNALED(st)) {
		snprintf(out, cap, "signal %d", WTERMSIG(st));
	} else {
		snprintf(out, cap, "status %d", st);
	}
}

/* Until the agent says it listens (its --ready-fd, the read end rfd), it
 * exits or the start timeout passes. */
static int wait_ready(ns_rt_sandbox *sb, int rfd, char *err, size_t cap)
{
	uint64_t deadline = ns_clock_ms() + NS_RUNTIME_START_TIMEOUT_MS;
	char tail[NS_RUNTIME_LOG_TAIL + 64], how[32];
	int r = 0;

	for (;;) {
		if (r == 0 && (r = ns_spawn_ready(rfd, NS_RUNTIME_POLL_MS)) == 1) {
			return 0;
		}
		if (ns_rt_agent_exited(sb->pid)) {
			describe(reap_status(sb->pid), how, sizeof(how));
			sb->pid = 0;
			ns_rt_log_tail(sb, tail, sizeof(tail));
			ns_rt_err(err, cap, "the agent of %s exited at start (%s)%s%s", sb->info.id,
			          how, tail[0] != '\0' ? ": " : "", tail);
			return NS_ERR_IO;
		}
		if (ns_clock_ms() >= deadline) {
			ns_rt_agent_reap(sb->pid);
			sb->pid = 0;
			ns_rt_log_tail(sb, tail, sizeof(tail));
			ns_rt_err(err, cap,
			          "the agent of %s did not start listening within %d ms%s%s",
			          sb->info.id, NS_RUNTIME_START_TIMEOUT_MS,
			          tail[0] != '\0' ? ": " : "", tail);
			return NS_ERR_IO;
		}
		if (r != 0) { /* the pipe closed: wait for the exit without spinning */
			ns_rt_sleep_ms(NS_RUNTIME_POLL_MS);
		}
	}
}

int ns_rt_agent_start(ns_runtime *rt, ns_rt_sandbox *sb, char *err, size_t cap)
{
	spawn_plan p;
	int logfd = -1, nullfd = -1, lfd = -1, ready[2] = {-1, -1}, rc = NS_ERR_IO;
	pid_t pid, self = getpid();

	if (plan_paths(rt, sb, &p) != 0) {
		ns_rt_err(err, cap, "sandbox folder path too long: %s", sb->dir);
		return NS_ERR_INVALID;
	}
	logfd = open(p.path[P_LOG], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (logfd < 0 || nullfd < 0) {
		ns_rt_err(err, cap, "cannot open %s: %s", p.path[P_LOG], strerror(errno));
		goto out;
	}
	if ((lfd = ns_net_listen(p.path[P_LISTEN], err, cap)) < 0) {
		lfd = -1;
		goto out;
	}
	if (pipe2(ready, O_CLOEXEC) != 0) {
		ns_rt_err(err, cap, "cannot start an agent: pipe: %s", strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		ns_rt_err(err, cap, "cannot start an agent: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		ns_spawn c = {.argv = p.argv,
		              .who = "nullspace runtime",
		              .parent = self,
		              .new_session = 1,
		              .in_fd = nullfd,
		              .out_fd = logfd,
		              .ready_fd = ready[1],
		              .listen_fd = lfd};

		ns_spawn_child(&c);
	}
	sb->pid = pid;
	close(ready[1]);
	ready[1] = -1;
	rc = wait_ready(sb, ready[0], err, cap);
out:
	for (int i = 0; i < 2; i++) {
		if (ready[i] >= 0) {
			close(ready[i]);
		}
	}
	if (logfd >= 0) {
		close(logfd);
	}
	if (nullfd >= 0) {
		close(nullfd);
	}
	if (lfd >= 0) {
		close(lfd);
	}
	return rc;
}
