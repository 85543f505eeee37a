/* The child side of the control plane's fork + exec (the sandbox agents of
 * api/runtime_proc.c, the relay of `nullspace up`): a clean signal state,
 * its own session or process group, tied to the parent's life; and the
 * wait for its readiness notice. */
#ifndef NS_API_SPAWN_H
#define NS_API_SPAWN_H

#include <sys/types.h>

typedef struct ns_spawn {
	const char *const *argv; /* argv[0] is the program's path */
	const char *who;         /* "nullspace up": prefix of the line when exec fails */
	pid_t parent;            /* getpid() before the fork */
	int new_session;         /* 1: setsid(); 0: a process group of its own */
	int in_fd;               /* becomes fd 0 */
	int out_fd;              /* becomes fds 1 and 2; -1 keeps them */
	int ready_fd;            /* becomes fd 3 (pass "--ready-fd 3"); -1: none */
	int listen_fd;           /* becomes fd 4 (pass "--listen fd:4"); -1: none */
} ns_spawn;

/* In the child after fork (async-signal-safe calls only): no signal
 * blocked, SIGPIPE, SIGINT, SIGTERM and SIGHUP at their defaults, the
 * session or group, SIGTERM when the parent dies (exit 127 when it already
 * has), the fds (any of them may already sit at 0-3), every other fd
 * closed, then exec. Fill it with named fields: a forgotten fd field
 * is 0, stdin. Never returns: exit 127 with a line on stderr when
 * exec fails. */
void ns_spawn_child(const ns_spawn *s) __attribute__((noreturn));

/* The parent's side of --ready-fd: wait up to ms for the child's "ready\n"
 * on fd, the read end of the pipe whose write end it got. 1: ready; 0: not
 * yet; -1: the pipe closed without it (the child exited or never ran) or
 * held something else. */
int ns_spawn_ready(int fd, int ms);

#endif
