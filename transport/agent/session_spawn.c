/* Starting a session's child: the environment (HOME, USER, LOGNAME, SHELL,
 * PATH, allowed env, TERM), fork, a new session and process group, the PTY
 * as controlling terminal or three pipes, then exec. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "nullspace/error.h"
#include "session_int.h"

#define ENV_FIXED 8 /* HOME USER LOGNAME SHELL PATH TERM SSH_TTY + NULL */
#define ENV_LINE_MAX 1200

typedef struct plan {
	char *envp[ENV_FIXED + NS_SESSION_ENV_MAX];
	char fixed[ENV_FIXED][ENV_LINE_MAX];
	const char *argv[4];
	char argv0[64];
	const char *path;
	char home[512];
	int fd_in, fd_out, fd_err; /* the child's ends */
} plan;

static const char *user_shell(const struct passwd *pw)
{
	if (pw != NULL && pw->pw_shell != NULL && pw->pw_shell[0] == '/') {
		return pw->pw_shell;
	}
	return "/bin/sh";
}

static void add_env(plan *p, int *n, const char *name, const char *value)
{
	snprintf(p->fixed[*n], ENV_LINE_MAX, "%s=%s", name, value);
	p->envp[*n] = p->fixed[*n];
	(*n)++;
}

static void build_env(plan *p, const ns_session *s, const struct passwd *pw, const char *shell)
{
	const char *user = pw != NULL ? pw->pw_name : "nobody";
	int n = 0, i;

	if (s->h->home != NULL) {
		snprintf(p->home, sizeof(p->home), "%s", s->h->home);
	} else {
		snprintf(p->home, sizeof(p->home), "%s", pw != NULL ? pw->pw_dir : "/");
	}
	add_env(p, &n, "HOME", p->home);
	add_env(p, &n, "USER", user);
	add_env(p, &n, "LOGNAME", user);
	add_env(p, &n, "SHELL", shell);
	add_env(p, &n, "PATH", NS_SESSION_PATH);
	if (s->pty && s->term[0] != '\0') {
		add_env(p, &n, "TERM", s->term);
	}
	if (s->pty && ptsname(s->master) != NULL) {
		add_env(p, &n, "SSH_TTY", ptsname(s->master));
	}
	for (i = 0; i < s->nenv; i++) {
		/* pty-req's TERM wins over an env request's */
		if (s->pty && s->term[0] != '\0' && strncmp(s->env[i], "TERM=", 5) == 0) {
			continue;
		}
		p->envp[n++] = s->env[i];
	}
	p->envp[n] = NULL;
}

static void plan_argv(plan *p, const char *command, const char *shell)
{
	const char *base;

	if (command != NULL) {
		p->path = "/bin/sh";
		p->argv[0] = "sh";
		p->argv[1] = "-c";
		p->argv[2] = command;
		p->argv[3] = NULL;
		return;
	}
	base = strrchr(shell, '/');
	snprintf(p->argv0, sizeof(p->argv0), "-%s", base != NULL ? base + 1 : shell);
	p->path = shell;
	p->argv[0] = p->argv0;
	p->argv[1] = NULL;
}

/* dup2 that also works when fd already is target (clears close-on-exec). */
static int move_fd(int fd, int target)
{
	if (fd == target) {
		return fcntl(fd, F_SETFD, 0);
	}
	return dup2(fd, target) < 0 ? -1 : 0;
}

static void child(const plan *p, int pty)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	setsid();
	if (pty && ioctl(p->fd_in, TIOCSCTTY, 0) != 0) {
		_exit(126);
	}
	if (move_fd(p->fd_in, 0) != 0 || move_fd(p->fd_out, 1) != 0 || move_fd(p->fd_err, 2) != 0) {
		_exit(126);
	}
	if (chdir(p->home) != 0 && chdir("/") != 0) {
		_exit(126);
	}
	execve(p->path, (char *const *)p->argv, p->envp);
	dprintf(2, "nullspace agent: cannot run %s: %s\n", p->path, strerror(errno));
	_exit(127);
}

/* Three pipes at NS_SESSION_PIPE_IDLE (best effort: one that cannot
 * shrink keeps the kernel's size); session_io.c grows one when bulk data
 * flows through it. */
static int make_pipes(int in[2], int out[2], int err[2])
{
	in[0] = in[1] = out[0] = out[1] = err[0] = err[1] = -1;
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
		return NS_ERR_IO;
	}
	(void)fcntl(in[1], F_SETPIPE_SZ, NS_SESSION_PIPE_IDLE);
	(void)fcntl(out[0], F_SETPIPE_SZ, NS_SESSION_PIPE_IDLE);
	(void)fcntl(err[0], F_SETPIPE_SZ, NS_SESSION_PIPE_IDLE);
	return 0;
}

static void close_pair(int fds[2])
{
	int i;

	for (i = 0; i < 2; i++) {
		if (fds[i] >= 0) {
			close(fds[i]);
		}
	}
}

/* The parent's ends go into the session's watches, non-blocking. */
static void adopt(ns_session *s, int in, int out, int err)
{
	ns_session_host *h = s->h;

	ns_watch_init(&s->in, in, ns_watch_token(NS_WATCH_CHILD_IN, h->slot, h->gen, s->channel));
	ns_watch_init(&s->out, out,
	              ns_watch_token(NS_WATCH_CHILD_OUT, h->slot, h->gen, s->channel));
	ns_watch_init(&s->err, err,
	              ns_watch_token(NS_WATCH_CHILD_ERR, h->slot, h->gen, s->channel));
	if (in >= 0) {
		ns_net_set_nonblock(in, 1);
	}
	if (out >= 0) {
		ns_net_set_nonblock(out, 1);
	}
	if (err >= 0) {
		ns_net_set_nonblock(err, 1);
	}
	s->err_eof = err < 0;
}

int ns_session_spawn(ns_session *s, const char *command)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
	struct passwd *pw = getpwuid(getuid());
	const char *shell = user_shell(pw);
	plan *p = calloc(1, sizeof(*p));
	int rc = NS_ERR_IO, win = -1;
	pid_t pid;

	if (p == NULL) {
		return NS_ERR_NOMEM;
	}
	build_env(p, s, pw, shell);
	plan_argv(p, command, shell);
	if (s->pty) {
		p->fd_in = p->fd_out = p->fd_err = s->slave;
		if ((win = fcntl(s->master, F_DUPFD_CLOEXEC, 3)) < 0) {
			goto out;
		}
	} else {
		if (make_pipes(in, out, err) != 0) {
			goto out;
		}
		p->fd_in = in[0];
		p->fd_out = out[1];
		p->fd_err = err[1];
	}
	if ((pid = fork()) < 0) {
		goto out;
	}
	if (pid == 0) {
		child(p, s->pty);
	}
	s->pid = pid;
	if (s->pty) {
		close(s->slave);
		s->slave = -1;
		adopt(s, win, s->master, -1);
		s->master = -1; /* now owned by the out watch */
		win = -1;
	} else {
		adopt(s, in[1], out[0], err[0]);
		in[1] = out[0] = err[0] = -1;
	}
	rc = 0;
out:
	if (win >= 0) {
		close(win);
	}
	close_pair(in);
	close_pair(out);
	close_pair(err);
	free(p);
	return rc;
}
