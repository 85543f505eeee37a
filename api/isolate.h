/* A sandbox of the embedded runtime, built on the kernel's interfaces:
 * new mount, pid, network (loopback only), uts, ipc and cgroup namespaces,
 * a root of its own (the host's /usr and a few /etc files read-only, a
 * private home, /tmp, /dev with its own pts, /proc of its pid namespace),
 * and a user namespace in which the program runs as uid 1000, mapped to an
 * unprivileged host uid. `nullspace isolate` (cli/cmd_isolate.c) is the
 * program the runtime starts; it execs the agent inside. */
#ifndef NS_API_ISOLATE_H
#define NS_API_ISOLATE_H

#include <stddef.h>
#include <sys/types.h>

#define NS_ISOLATE_UID 1000 /* the sandbox user, inside */
#define NS_ISOLATE_USER "user"
#define NS_ISOLATE_HOME "/home/user"
#define NS_ISOLATE_RUN "/run/nullspace"               /* the agent's socket and keys */
#define NS_ISOLATE_EXE "/opt/nullspace/bin/nullspace" /* the nullspace binary, inside */
#define NS_ISOLATE_CGROUPS_MAX 4
#define NS_ISOLATE_TMP_SIZE "size=268435456,mode=1777" /* /tmp: 256 MiB */

typedef struct ns_isolate {
	const char *id;   /* the sandbox id: its hostname */
	const char *root; /* an empty folder: the mount point of the new root */
	const char *home; /* bound read-write at NS_ISOLATE_HOME */
	const char *run;  /* bound read-only at NS_ISOLATE_RUN */
	const char *exe;  /* bound read-only at NS_ISOLATE_EXE */
	/* The host uid and gid the sandbox user maps to. Only root may choose
	 * them; for any other caller they must be its own (or -1 for those). */
	uid_t uid;
	gid_t gid;
	const char *cgroup[NS_ISOLATE_CGROUPS_MAX]; /* folders whose cgroup.procs we join */
	size_t ncgroup;
	unsigned long nproc; /* RLIMIT_NPROC for the host uid; 0: none */
	char *const *argv;   /* the program inside, argv[0] an absolute path in the new root */
} ns_isolate;

/* Enters the namespaces and the new root, becomes uid 1000 and execs argv.
 * A monitor stays outside the pid namespace, as the caller's child: it
 * passes SIGTERM, SIGINT and SIGHUP on and exits as the program did; the
 * program dies with it. Returns only on failure, with err saying what
 * failed (the monitor's own failures end in exit status 126). */
int ns_isolate_exec(const ns_isolate *c, char *err, size_t cap);

/* isolate_root.c: in the new mount namespace, as its owner: assemble the
 * root under c->root and pivot into it. */
int ns_isolate_root(const ns_isolate *c, char *err, size_t cap);

#endif
