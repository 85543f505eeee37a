/* `nullspace sandbox exec ID -- CMD` and `nullspace sandbox files
 * upload|download|ls|rm|url`: the Commands and Files APIs from the command
 * line, over the SDK (nullspace/sdk.h). exec streams the output to our
 * stdout and stderr and exits with the command's code, as ssh does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "nullspace/error.h"
#include "sandbox_int.h"

#define ENV_MAX 64
#define CMD_MAX (16 * 1024)
#define LIST_CAP 10000

typedef struct fargs {
	const char *api_url, *api_key, *cwd;
	const char *env[ENV_MAX + 1];
	size_t nenv;
	unsigned long timeout, expires_in, mode;
	int upload;
	char **pos; /* positional words */
	int npos;
	char **cmd; /* exec: the words after -- */
	int ncmd;
} fargs;

static const char USAGE[] =
    "usage: nullspace sandbox exec [--cwd DIR] [--env NAME=VALUE]... [--timeout SECONDS] ID -- "
    "COMMAND...\n"
    "       nullspace sandbox files upload [--mode OCTAL] ID LOCAL REMOTE\n"
    "       nullspace sandbox files download ID REMOTE LOCAL\n"
    "       nullspace sandbox files ls ID [PATH]\n"
    "       nullspace sandbox files rm ID PATH\n"
    "       nullspace sandbox files url ID PATH [--upload] [--expires-in MINUTES]\n"
    "Paths in the sandbox are relative to its user's home (or absolute under it).\n"
    "--api-url URL and --api-key KEY as for the other sandbox commands.\n";

static int usage_fail(const char *what)
{
	fprintf(stderr, "nullspace sandbox: %s\n%s", what, USAGE);
	return NS_EXIT_USAGE;
}

static int opt(fargs *a, const char *name, const char *val)
{
	if (strcmp(name, "--api-url") == 0) {
		a->api_url = val;
	} else if (strcmp(name, "--api-key") == 0) {
		a->api_key = val;
	} else if (strcmp(name, "--cwd") == 0) {
		a->cwd = val;
	} else if (strcmp(name, "--env") == 0 || strcmp(name, "-e") == 0) {
		if (a->nenv >= ENV_MAX || strchr(val, '=') == NULL) {
			return -1;
		}
		a->env[a->nenv++] = val;
	} else if (strcmp(name, "--timeout") == 0) {
		return ns_cli_number(val, 1, 3600, &a->timeout);
	} else if (strcmp(name, "--expires-in") == 0) {
		return ns_cli_number(val, 1, 1440, &a->expires_in);
	} else if (strcmp(name, "--mode") == 0) {
		char *end = NULL;
		a->mode = strtoul(val, &end, 8);
		return end != val && *end == '\0' && a->mode <= 07777 ? 0 : -1;
	} else {
		return -1;
	}
	return 0;
}

static int parse(int argc, char **argv, fargs *a)
{
	static char *pos[8];
	int i;

	memset(a, 0, sizeof(*a));
	a->pos = pos;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			a->cmd = argv + i + 1;
			a->ncmd = argc - i - 1;
			break;
		}
		if (strcmp(argv[i], "--upload") == 0) {
			a->upload = 1;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("%s", USAGE);
			return -1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			if (i + 1 >= argc || opt(a, argv[i], argv[i + 1]) != 0) {
				return usage_fail("bad or incomplete option");
			}
			i++;
		} else if (a->npos < 8) {
			pos[a->npos++] = argv[i];
		} else {
			return usage_fail("too many arguments");
		}
	}
	return 0;
}

static int out_err(void)
{
	fprintf(stderr, "nullspace: %s\n", strerror(errno));
	return NS_EXIT_FAILURE;
}

int ns_cli_sandbox_exec(int argc, char **argv)
{
	char cmd[CMD_MAX];
	ns_exec_opts o;
	ns_exec_result r;
	ns_api *api = NULL;
	fargs a;
	size_t k = 0;
	int rc, i;

	if ((rc = parse(argc, argv, &a)) != 0) {
		return rc < 0 ? 0 : rc;
	}
	if (a.npos != 1 || a.ncmd == 0) {
		return usage_fail("exec needs ID -- COMMAND");
	}
	cmd[0] = '\0';
	for (i = 0; i < a.ncmd; i++) { /* words joined with spaces, as ssh does */
		int n = snprintf(cmd + k, sizeof(cmd) - k, "%s%s", i > 0 ? " " : "", a.cmd[i]);
		if (n < 0 || (size_t)n >= sizeof(cmd) - k) {
			return usage_fail("the command is over 16 KiB");
		}
		k += (size_t)n;
	}
	if ((rc = ns_cli_api_open(a.api_url, a.api_key, &api)) != 0) {
		return rc;
	}
	ns_exec_opts_init(&o);
	o.cwd = a.cwd;
	o.env = a.nenv > 0 ? a.env : NULL;
	o.timeout_s = (uint32_t)a.timeout;
	o.fd_out = 1;
	o.fd_err = 2;
	if ((rc = ns_api_exec(api, a.pos[0], cmd, &o, &r)) != 0) {
		rc = ns_cli_api_fail(api, rc);
	} else if (r.timed_out) {
		fprintf(stderr, "nullspace: the command timed out and was killed\n");
		rc = 124;
	} else {
		rc = r.exit_code >= 0 ? r.exit_code : NS_EXIT_OWN_ERROR;
	}
	ns_exec_result_free(&r);
	ns_api_close(api);
	return rc;
}

static int upload(ns_api *api, const fargs *a)
{
	struct stat st;
	int fd = open(a->pos[2], O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0) {
			close(fd);
		}
		fprintf(stderr, "nullspace: %s is not a readable regular file\n", a->pos[2]);
		return NS_EXIT_FAILURE;
	}
	rc = ns_api_file_upload(api, a->pos[1], a->pos[3], fd, (uint64_t)st.st_size,
	                        (unsigned)a->mode);
	close(fd);
	return rc != 0 ? ns_cli_api_fail(api, rc) : 0;
}

static int download(ns_api *api, const fargs *a)
{
	char tmp[4096];
	int fd, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.part", a->pos[3]) >= (int)sizeof(tmp) ||
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644)) < 0) {
		return out_err();
	}
	rc = ns_api_file_download(api, a->pos[1], a->pos[2], fd, NULL);
	if (close(fd) != 0 && rc == 0) {
		rc = NS_ERR_IO;
	}
	if (rc != 0) {
		unlink(tmp);
		return ns_cli_api_fail(api, rc);
	}
	return rename(tmp, a->pos[3]) == 0 ? 0 : out_err();
}

static int list(ns_api *api, const fargs *a)
{
	ns_file_entry *e = calloc(LIST_CAP, sizeof(*e));
	size_t n = 0, i;
	int rc;

	if (e == NULL) {
		return out_err();
	}
	rc = ns_api_file_list(api, a->pos[1], a->npos > 2 ? a->pos[2] : NULL, e, LIST_CAP, &n);
	if (rc != 0) {
		free(e);
		return ns_cli_api_fail(api, rc);
	}
	for (i = 0; i < n && i < LIST_CAP; i++) {
		printf("%-7s %04o %12llu %s\n", e[i].type, e[i].mode, (unsigned long long)e[i].size,
		       e[i].name);
	}
	free(e);
	return 0;
}

static int url(ns_api *api, const fargs *a)
{
	char u[NS_API_FILE_URL_MAX];
	int64_t until = 0;
	int rc = ns_api_file_url(api, a->pos[1], a->pos[2], a->upload, (int)a->expires_in, u,
	                         sizeof(u), &until);

	if (rc != 0) {
		return ns_cli_api_fail(api, rc);
	}
	ns_cli_credential_warning(until);
	printf("%s\n", u);
	return 0;
}

int ns_cli_sandbox_files(int argc, char **argv)
{
	static const struct {
		const char *name;
		int min, max;
		int (*run)(ns_api *, const fargs *);
	} ops[] = {{"upload", 4, 4, upload},
	           {"download", 4, 4, download},
	           {"ls", 2, 3, list},
	           {"rm", 3, 3, NULL},
	           {"url", 3, 3, url}};
	ns_api *api = NULL;
	fargs a;
	size_t i;
	int rc;

	if ((rc = parse(argc, argv, &a)) != 0) {
		return rc < 0 ? 0 : rc;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (a.npos >= 1 && strcmp(a.pos[0], ops[i].name) == 0) {
			break;
		}
	}
	if (i == sizeof(ops) / sizeof(ops[0]) || a.npos < ops[i].min || a.npos > ops[i].max) {
		return usage_fail(a.npos == 0 ? "files needs an operation" : "bad files arguments");
	}
	if ((rc = ns_cli_api_open(a.api_url, a.api_key, &api)) != 0) {
		return rc;
	}
	if (ops[i].run != NULL) {
		rc = ops[i].run(api, &a);
	} else if ((rc = ns_api_file_remove(api, a.pos[1], a.pos[2])) != 0) {
		rc = ns_cli_api_fail(api, rc);
	}
	ns_api_close(api);
	return rc;
}
