/* Can this machine isolate sandboxes? Asked once when the runtime opens:
 * `nullspace isolate` runs the nullspace binary's --help in a throw-away
 * sandbox under SANDBOXES/.probe, so a missing kernel feature (user
 * namespaces disabled or restricted, no pivot_root) stops `up` at start
 * with the reason, not at the first `sandbox create`. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isolate.h"
#include "nullspace/error.h"
#include "runtime_int.h"
#include "spawn.h"

#define PROBE_DIR ".probe"
#define PROBE_TIMEOUT_MS 10000
#define PROBE_ERR_MAX 400

static int mk(const char *base, const char *name, char *out, size_t cap)
{
	if (snprintf(out, cap, "%s/%s", base, name) >= (int)cap) {
		return -1;
	}
	return mkdir(out, 0755) == 0 || errno == EEXIST ? 0 : -1;
}

/* What the probe wrote on stderr (its last line), until it exits. */
static void collect(int fd, pid_t pid, char *msg, size_t cap, int *status)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	size_t n = 0;
	ssize_t r;
	int waited = 0;

	while (waited < PROBE_TIMEOUT_MS && poll(&p, 1, 100) >= 0) {
		waited += 100;
		if ((p.revents & (POLLIN | POLLHUP)) == 0) {
			continue;
		}
		if ((r = read(fd, msg + n, cap - 1 - n)) <= 0) {
			break;
		}
		n += (size_t)r;
		if (n == cap - 1) {
			break;
		}
	}
	msg[n] = '\0';
	while (n > 0 && msg[n - 1] == '\n') {
		msg[--n] = '\0';
	}
	if (waited >= PROBE_TIMEOUT_MS) {
		kill(pid, SIGKILL);
		snprintf(msg, cap, "the probe did not finish within %d ms", PROBE_TIMEOUT_MS);
	}
	while (waitpid(pid, status, 0) < 0 && errno == EINTR) {
	}
}

int ns_rt_probe_isolation(ns_runtime *rt, char *err, size_t cap)
{
	char base[PATH_MAX], root[PATH_MAX], home[PATH_MAX], run[PATH_MAX];
	char msg[PROBE_ERR_MAX], *line;
	const char *argv[] = {rt->exe, "isolate", "--id",         "probe",  "--root",
	                      root,    "--home",  home,           "--run",  run,
	                      "--exe", rt->exe,   "--uid",        "",       "--gid",
	                      "",      "--",      NS_ISOLATE_EXE, "--help", NULL};
	char uid[16];
	int pipefd[2] = {-1, -1}, nullfd = -1, status = -1, rc = NS_ERR_IO;
	pid_t pid, self = getpid();

	snprintf(uid, sizeof(uid), "%u", NS_RUNTIME_UID_BASE);
	if (geteuid() == 0) {
		argv[13] = argv[15] = uid;
	} else {
		argv[12] = "--"; /* no --uid, --gid: our own */
		argv[13] = NS_ISOLATE_EXE;
		argv[14] = "--help";
		argv[15] = NULL;
	}
	if (mk(rt->sandboxes_dir, PROBE_DIR, base, sizeof(base)) != 0 ||
	    mk(base, "root", root, sizeof(root)) != 0 ||
	    mk(base, "home", home, sizeof(home)) != 0 || mk(base, "run", run, sizeof(run)) != 0) {
		ns_rt_err(err, cap, "cannot create %s/%s: %s", rt->sandboxes_dir, PROBE_DIR,
		          strerror(errno));
		goto out;
	}
	if (pipe2(pipefd, O_CLOEXEC) != 0 ||
	    (nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		ns_rt_err(err, cap, "cannot probe isolation: %s", strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		ns_rt_err(err, cap, "cannot probe isolation: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		ns_spawn c = {.argv = argv,
		              .who = "nullspace runtime",
		              .parent = self,
		              .new_session = 1,
		              .in_fd = nullfd,
		              .out_fd = pipefd[1],
		              .ready_fd = -1,
		              .listen_fd = -1};
		ns_spawn_child(&c);
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	collect(pipefd[0], pid, msg, sizeof(msg), &status);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		rc = 0;
		goto out;
	}
	line = strrchr(msg, '\n') != NULL ? strrchr(msg, '\n') + 1 : msg;
	ns_rt_err(err, cap,
	          "cannot isolate sandboxes on this machine (%s); run `nullspace up` as root or "
	          "allow unprivileged user namespaces, or pass --no-isolation (development "
	          "only: sandboxes then see every file of this user's)",
	          line[0] != '\0' ? line : "the probe failed");
out:
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
	}
	if (pipefd[1] >= 0) {
		close(pipefd[1]);
	}
	if (nullfd >= 0) {
		close(nullfd);
	}
	(void)ns_rt_rmtree(base);
	return rc;
}
