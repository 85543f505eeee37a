/* Starting a session's child as sshd does: the user's shell runs every
 * command (`$SHELL -c CMD`) and the interactive session as a login shell
 * (`-bash`); the environment (HOME, USER, LOGNAME, SHELL, PATH, TERM,
 * SSH_CONNECTION, SSH_CLIENT, SSH_TTY, SSH_AUTH_SOCK, allowed env) also in a minimal root
 * without /etc/passwd or a shell (session_login.c); fork, a new session and
 * process group, the PTY as controlling terminal or three pipes, then exec. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net.h"
#include "nullspace/error.h"
#include "session_int.h"

/* HOME USER LOGNAME SHELL PATH TERM SSH_TTY SSH_CONNECTION SSH_CLIENT
 * SSH_AUTH_SOCK + NULL */
#define ENV_FIXED 11
#define ENV_LINE_MAX 1200

typedef struct plan {
	char *envp[ENV_FIXED + NS_SESSION_ENV_MAX];
	char fixed[ENV_FIXED][ENV_LINE_MAX];
	const char *argv[4];
	char argv0[258]; /* "-" and the shell's name */
	ns_session_login who;
	int fd_in, fd_out, fd_err; /* the child's ends */
} plan;

static void add_env(plan *p, int *n, const char *name, const char *value)
{
	snprintf(p->fixed[*n], ENV_LINE_MAX, "%s=%s", name, value);
	p->envp[*n] = p->fixed[*n];
	(*n)++;
}

static void build_env(plan *p, const ns_session *s)
{
	char conn[2 * NS_SESSION_ADDR_MAX + 16];
	int n = 0, i;

	add_env(p, &n, "HOME", p->who.home);
	add_env(p, &n, "USER", p->who.user);
	add_env(p, &n, "LOGNAME", p->who.user);
	add_env(p, &n, "SHELL", p->who.shell);
	add_env(p, &n, "PATH", NS_SESSION_PATH);
	ns_session_conn_env(s, conn, sizeof(conn), 0);
	add_env(p, &n, "SSH_CONNECTION", conn);
	ns_session_conn_env(s, conn, sizeof(conn), 1);
	add_env(p, &n, "SSH_CLIENT", conn);
	if (s->pty && s->term[0] != '\0') {
		add_env(p, &n, "TERM", s->term);
	}
	if (ns_session_agentfwd_path(s) != NULL) {
		add_env(p, &n, "SSH_AUTH_SOCK", ns_session_agentfwd_path(s));
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

/* As sshd: a command is `shell -c CMD` with the shell's name as argv[0];
 * the interactive session a login shell, "-" before the name. */
static void plan_argv(plan *p, const char *command)
{
	const char *shell = p->who.run, *base = strrchr(shell, '/');

	base = base != NULL ? base + 1 : shell;
	snprintf(p->argv0, sizeof(p->argv0), "%s%s", command != NULL ? "" : "-", base);
	p->argv[0] = p->argv0;
	if (command != NULL) {
		p->argv[1] = "-c";
		p->argv[2] = command;
		p->argv[3] = NULL;
	} else {
		p->argv[1] = NULL;
	}
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
	if (chdir(p->who.home) != 0 && chdir("/") != 0) {
		_exit(126);
	}
	if (p->who.run[0] == '\0') {
		/* sshd's "no shell" exit: the command never ran */
		dprintf(2, "nullspace agent: no shell in this sandbox: %s not found\r\n",
		        p->who.shell);
		_exit(127);
	}
	execve(p->who.run, (char *const *)p->argv, p->envp);
	dprintf(2, "nullspace agent: cannot run %s: %s\r\n", p->who.run, strerror(errno));
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
	plan *p = calloc(1, sizeof(*p));
	int rc = NS_ERR_IO, win = -1;
	pid_t pid;

	if (p == NULL) {
		return NS_ERR_NOMEM;
	}
	ns_session_login_get(s, &p->who);
	build_env(p, s);
	plan_argv(p, command);
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
