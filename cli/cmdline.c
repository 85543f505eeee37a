/* What the commands' front-ends share: dispatch to a sub-command by name,
 * the "--name VALUE" option loop, numeric and duration option values, and
 * the one-line "nullspace CMD: message" error that every command prints on
 * stderr. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int ns_cli_fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "nullspace %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return NS_EXIT_OWN_ERROR;
}

int ns_cli_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *v)
{
	char *end = NULL;

	*v = 0;
	if (s == NULL || *s < '0' || *s > '9') {
		return -1;
	}
	errno = 0;
	*v = strtoul(s, &end, 10);
	return (errno != 0 || *end != '\0' || *v < min || *v > max) ? -1 : 0;
}

int ns_cli_alg_option(const char *a, const char *val, const char **ciphers, const char **kex,
                      const char **macs)
{
	const char **to = strcmp(a, "--ciphers") == 0 ? ciphers
	                  : strcmp(a, "--kex") == 0   ? kex
	                  : strcmp(a, "--macs") == 0  ? macs
	                                              : NULL;

	if (to == NULL) {
		return 0;
	}
	*to = val;
	return 1;
}

int ns_cli_parse_duration(const char *s, uint64_t *out)
{
	uint64_t total = 0, n, mult;
	const char *p = s;

	while (*p != '\0') {
		if (*p < '0' || *p > '9') {
			return -1;
		}
		for (n = 0; *p >= '0' && *p <= '9'; p++) {
			if (n > (UINT64_MAX - 9) / 10) {
				return -1;
			}
			n = n * 10 + (uint64_t)(*p - '0');
		}
		switch (*p) {
		case 'w':
		case 'W':
			mult = 7 * 24 * 3600;
			p++;
			break;
		case 'd':
		case 'D':
			mult = 24 * 3600;
			p++;
			break;
		case 'h':
		case 'H':
			mult = 3600;
			p++;
			break;
		case 'm':
		case 'M':
			mult = 60;
			p++;
			break;
		case 's':
		case 'S':
			mult = 1;
			p++;
			break;
		default: mult = 1; break;
		}
		if (n > (UINT64_MAX - total) / mult) {
			return -1;
		}
		total += n * mult;
	}
	*out = total;
	return total > 0 ? 0 : -1;
}

int ns_cli_options(const char *cmd, int argc, char **argv,
                   int (*set)(void *o, const char *name, const char *val), void *o,
                   void (*show_usage)(FILE *))
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			show_usage(stdout);
			return 0;
		}
		if (val == NULL) {
			return ns_cli_fail(cmd, "%s needs a value (see --help)", a);
		}
		i++;
		if (set(o, a, val) != 0) {
			return ns_cli_fail(cmd, "bad option or value: %s %s (see --help)", a, val);
		}
	}
	return -1;
}

int ns_cli_dispatch(const char *prog, const char *what, const ns_cli_command *cmds, size_t n,
                    void (*show_usage)(FILE *), int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		show_usage(stderr);
		return NS_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		show_usage(stdout);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(argv[1], cmds[i].name) == 0) {
			return cmds[i].run(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "%s: unknown %s '%s'\n", prog, what, argv[1]);
	show_usage(stderr);
	return NS_EXIT_USAGE;
}

int ns_cli_ready_fd(const char *val)
{
	unsigned long v;

	if (ns_cli_parse_uint(val, 3, 65535, &v) != 0 || fcntl((int)v, F_GETFD) < 0 ||
	    fcntl((int)v, F_SETFD, FD_CLOEXEC) != 0) {
		return -1;
	}
	return (int)v;
}

void ns_cli_notify_ready(void *ud)
{
	int *fd = ud;
	static const char ready[] = "ready\n";

	if (*fd >= 0) {
		(void)!write(*fd, ready, sizeof(ready) - 1); /* a gone reader is no error */
		close(*fd);
		*fd = -1;
	}
}
