/* The child side of fork + exec for the processes the control plane
 * starts (spawn.h): what both the sandbox agents and the relay of
 * `nullspace up` need between fork and exec, in that order. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* fd itself when it is above 4 or -1 (none); else a copy at 5 or more, or
 * -2 when that fails. */
static int lift(int fd)
{
	int c;

	if (fd < 0 || fd > 4) {
		return fd;
	}
	return (c = fcntl(fd, F_DUPFD, 5)) < 0 ? -2 : c;
}

void ns_spawn_child(const ns_spawn *s)
{
	sigset_t none;
	int in, out, ready, lst;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (s->new_session) {
		setsid();
	} else {
		setpgid(0, 0);
	}
	/* a child must not outlive its parent (even a SIGKILLed one) */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != s->parent) {
		_exit(127);
	}
	/* sources at 0-4 could be overwritten by an earlier dup2: copies of
	 * them at 5 or more first (the copies are closed below) */
	if ((in = lift(s->in_fd)) < 0 || (out = lift(s->out_fd)) < -1 ||
	    (ready = lift(s->ready_fd)) < -1 || (lst = lift(s->listen_fd)) < -1 ||
	    dup2(in, 0) < 0 || (out >= 0 && (dup2(out, 1) < 0 || dup2(out, 2) < 0)) ||
	    (ready >= 0 && dup2(ready, 3) < 0) || (lst >= 0 && dup2(lst, 4) < 0)) {
		_exit(127);
	}
	close_range(5, ~0U, 0);
	if (ready < 0) {
		close(3);
	}
	if (lst < 0) {
		close(4);
	}
	execv(s->argv[0], (char *const *)s->argv);
	dprintf(2, "%s: cannot run %s: %s\n", s->who, s->argv[0], strerror(errno));
	_exit(127);
}

int ns_spawn_ready(int fd, int ms)
{
	static const char ready[] = "ready\n";
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[16];
	ssize_t n;

	if (poll(&p, 1, ms) <= 0) {
		return 0; /* EINTR too: the caller's loop checks again */
	}
	while ((n = read(fd, buf, sizeof(buf))) < 0 && errno == EINTR) {
	}
	/* six bytes in one write: a pipe delivers them whole */
	return n == (ssize_t)sizeof(ready) - 1 && memcmp(buf, ready, (size_t)n) == 0 ? 1 : -1;
}
