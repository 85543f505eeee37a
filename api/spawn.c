/* The child side of fork + exec for the processes the control plane
 * starts (spawn.h): what both the sandbox agents and the relay of
 * `nullspace up` need between fork and exec, in that order. */
#include "spawn.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

void ns_spawn_child(const ns_spawn *s)
{
	sigset_t none;

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
	if (dup2(s->in_fd, 0) < 0 ||
	    (s->out_fd >= 0 && (dup2(s->out_fd, 1) < 0 || dup2(s->out_fd, 2) < 0))) {
		_exit(127);
	}
	close_range(3, ~0U, 0);
	execv(s->argv[0], (char *const *)s->argv);
	dprintf(2, "%s: cannot run %s: %s\n", s->who, s->argv[0], strerror(errno));
	_exit(127);
}
