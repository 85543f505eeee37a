/* `nullspace sandbox-helper run TIMEOUT CWD [NAME=VALUE...] -- COMMAND`: runs
 * COMMAND with sh -c in a process group of its own, in CWD ("" for the home)
 * with the extra environment, and kills the group at TIMEOUT seconds
 * (exit NS_HELPER_EXIT_TIMEOUT) or when the session ends (SIGHUP/SIGTERM).
 * The command's exit code is ours; a signal that killed it kills us too. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "helper.h"

static void child(const char *cwd, char **env, int nenv, const char *cmd, const sigset_t *old)
{
	int i;

	setpgid(0, 0);
	sigprocmask(SIG_SETMASK, old, NULL);
	if (cwd[0] != '\0' && chdir(cwd) != 0) {
		fprintf(stderr, "cannot change to %s: %s\n", cwd, strerror(errno));
		_exit(127);
	}
	for (i = 0; i < nenv; i++) {
		char *eq = strchr(env[i], '=');
		*eq = '\0';
		setenv(env[i], eq + 1, 1);
	}
	execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
	fprintf(stderr, "cannot run /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

/* The child's status as ours. */
static int pass_on(int st)
{
	if (WIFSIGNALED(st)) {
		signal(WTERMSIG(st), SIG_DFL);
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		kill(getpid(), WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int wait_child(pid_t pid, unsigned long timeout_s, const sigset_t *set)
{
	struct timespec left, end, now;
	siginfo_t si;
	int st, sig;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)timeout_s;
	for (;;) {
		if (waitpid(pid, &st, WNOHANG) == pid) {
			return pass_on(st);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > end.tv_sec ||
		    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec)) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			return NS_HELPER_EXIT_TIMEOUT;
		}
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		sig = sigtimedwait(set, &si, &left);
		if (sig == SIGHUP || sig == SIGTERM || sig == SIGINT || sig == SIGPIPE) {
			kill(-pid, SIGKILL); /* the session ended: so does the command */
			waitpid(pid, &st, 0);
			signal(sig, SIG_DFL);
			sigprocmask(SIG_UNBLOCK, set, NULL);
			kill(getpid(), sig);
			return 128 + sig;
		}
	}
}

int ns_helper_run(int argc, char **argv)
{
	unsigned long timeout_s;
	sigset_t set, old;
	int i, nenv;
	pid_t pid;

	/* argv: run TIMEOUT CWD [K=V...] -- COMMAND */
	if (argc < 5 || ns_cli_parse_uint(argv[1], 1, 86400, &timeout_s) != 0) {
		fprintf(stderr,
		        "usage: sandbox-helper run TIMEOUT CWD [NAME=VALUE...] -- COMMAND\n");
		return NS_HELPER_EXIT_USAGE;
	}
	for (i = 3; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strchr(argv[i], '=') == NULL || argv[i][0] == '=') {
			fprintf(stderr, "bad environment entry (NAME=VALUE)\n");
			return NS_HELPER_EXIT_USAGE;
		}
	}
	nenv = i - 3;
	if (i + 2 != argc) {
		fprintf(stderr,
		        "usage: sandbox-helper run TIMEOUT CWD [NAME=VALUE...] -- COMMAND\n");
		return NS_HELPER_EXIT_USAGE;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, &old);
	if ((pid = fork()) < 0) {
		fprintf(stderr, "cannot fork: %s\n", strerror(errno));
		return NS_HELPER_EXIT_IO;
	}
	if (pid == 0) {
		child(argv[2], argv + 3, nenv, argv[argc - 1], &old);
	}
	setpgid(pid, pid);
	return wait_child(pid, timeout_s, &set);
}
