/* `nullspace isolate`: the sandbox launcher the embedded runtime starts
 * (api/isolate.h). Not meant to be typed: it takes the sandbox's folders
 * and host ids, enters the namespaces and execs the program inside. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "isolate.h"

#define CMD "isolate"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: nullspace isolate --id ID --root DIR --home DIR --run DIR --exe FILE\n"
	        "                         [--uid N --gid N] [--cgroup DIR]... [--nproc N]\n"
	        "                         -- PROGRAM [ARG...]\n"
	        "Runs PROGRAM (a path inside the sandbox) as uid %d in new user, mount, pid,\n"
	        "network, uts, ipc and cgroup namespaces, in a root of its own: the host's /usr\n"
	        "read-only, DIR of --home at %s, DIR of --run at %s, FILE of --exe at\n"
	        "%s. --uid and --gid (root only) are the host ids it maps to;\n"
	        "--cgroup joins that cgroup first; --nproc limits the processes of that uid.\n"
	        "The embedded runtime of `nullspace up` starts it; see docs/isolation.md.\n",
	        NS_ISOLATE_UID, NS_ISOLATE_HOME, NS_ISOLATE_RUN, NS_ISOLATE_EXE);
}

static int set_option(ns_isolate *c, const char *name, const char *val)
{
	unsigned long v;

	if (strcmp(name, "--id") == 0) {
		c->id = val;
	} else if (strcmp(name, "--root") == 0 && val[0] == '/') {
		c->root = val;
	} else if (strcmp(name, "--home") == 0 && val[0] == '/') {
		c->home = val;
	} else if (strcmp(name, "--run") == 0 && val[0] == '/') {
		c->run = val;
	} else if (strcmp(name, "--exe") == 0 && val[0] == '/') {
		c->exe = val;
	} else if (strcmp(name, "--uid") == 0 && ns_cli_parse_uint(val, 1, 4294967294UL, &v) == 0) {
		c->uid = (uid_t)v;
	} else if (strcmp(name, "--gid") == 0 && ns_cli_parse_uint(val, 1, 4294967294UL, &v) == 0) {
		c->gid = (gid_t)v;
	} else if (strcmp(name, "--cgroup") == 0 && val[0] == '/' &&
	           c->ncgroup < NS_ISOLATE_CGROUPS_MAX) {
		c->cgroup[c->ncgroup++] = val;
	} else if (strcmp(name, "--nproc") == 0 && ns_cli_parse_uint(val, 1, 1UL << 22, &v) == 0) {
		c->nproc = v;
	} else {
		return -1;
	}
	return 0;
}

int ns_cmd_isolate(int argc, char **argv)
{
	ns_isolate c;
	char err[512];
	int i;

	memset(&c, 0, sizeof(c));
	c.uid = (uid_t)-1;
	c.gid = (gid_t)-1;
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (i + 1 >= argc || set_option(&c, argv[i], argv[i + 1]) != 0) {
			ns_cli_fail(CMD, "bad option or value: %s (see --help)", argv[i]);
			return NS_EXIT_USAGE;
		}
	}
	if (i + 1 >= argc || c.id == NULL || c.root == NULL || c.home == NULL || c.run == NULL ||
	    c.exe == NULL) {
		usage(stderr);
		return NS_EXIT_USAGE;
	}
	c.argv = argv + i + 1;
	ns_isolate_exec(&c, err, sizeof(err));
	ns_cli_fail(CMD, "%s", err);
	return 126;
}
