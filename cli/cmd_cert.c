/* `nullspace cert sign|show|check`: dispatches to the sub-commands and holds
 * what they share: error messages, reading small text files and walking
 * their lines. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "cmd_cert.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: nullspace cert sign  --ca KEY --key PUB.pub --principal NAME[,NAME...]\n"
	           "                            --id ID --valid-for DURATION [OPTIONS]\n"
	           "       nullspace cert show  FILE\n"
	           "       nullspace cert check --ca CA.pub[,CA2.pub] --principal NAME [OPTIONS]\n"
	           "                            CERTFILE\n"
	           "\n"
	           "OpenSSH certificates (ssh-ed25519-cert-v01@openssh.com): sign a public key\n"
	           "with a CA key, show a certificate as 'ssh-keygen -L' does, or check one\n"
	           "against a policy and say why it is refused.\n"
	           "Run 'nullspace cert sign|show|check --help' for the options of each.\n");
}

int ns_cmd_cert_fail(const char *sub, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "nullspace cert %s: ", sub);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return 255;
}

/* Read fd to its end into a growing buffer of at most max bytes. */
static int read_fd(int fd, size_t max, char **text, size_t *len)
{
	size_t cap = 0, n = 0;
	char *p = NULL, *q;
	ssize_t r;

	for (;;) {
		if (n == cap) {
			if (cap > max) {
				errno = EFBIG;
				break;
			}
			cap = cap == 0 ? 4096 : cap * 2;
			cap = cap > max + 1 ? max + 1 : cap;
			if ((q = realloc(p, cap + 1)) == NULL) {
				errno = ENOMEM;
				break;
			}
			p = q;
		}
		r = read(fd, p + n, cap - n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			break;
		}
		if (r == 0) {
			p[n] = '\0';
			*text = p;
			*len = n;
			return 0;
		}
		n += (size_t)r;
	}
	free(p);
	return -1;
}

int ns_cmd_cert_read_file(const char *path, size_t max, char **text, size_t *len)
{
	struct stat st;
	int fd, rc, saved;

	*text = NULL;
	*len = 0;
	if (strcmp(path, "-") == 0) {
		return read_fd(STDIN_FILENO, max, text, len);
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return -1;
	}
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return -1;
	}
	rc = read_fd(fd, max, text, len);
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int ns_cmd_cert_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	*out = 0;
	if (s[0] < '0' || s[0] > '9') {
		return -1;
	}
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

int ns_cmd_cert_next_line(const char *text, size_t len, size_t *off, ns_str *line)
{
	const char *nl;
	size_t start = *off;

	line->p = NULL;
	line->len = 0;
	if (start >= len) {
		return 0;
	}
	nl = memchr(text + start, '\n', len - start);
	line->p = (const uint8_t *)text + start;
	line->len = nl != NULL ? (size_t)(nl - (text + start)) : len - start;
	*off = start + line->len + (nl != NULL ? 1 : 0);
	return 1;
}

int ns_cmd_cert_line_skip(ns_str line)
{
	size_t i = 0;

	while (i < line.len && (line.p[i] == ' ' || line.p[i] == '\t')) {
		i++;
	}
	return i == line.len || line.p[i] == '#' || line.p[i] == '\r';
}

int ns_cmd_cert(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (sodium_init() < 0) {
		return ns_cmd_cert_fail(argv[1], "libsodium failed to initialise");
	}
	if (strcmp(argv[1], "sign") == 0) {
		return ns_cmd_cert_sign(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "show") == 0) {
		return ns_cmd_cert_show(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "check") == 0) {
		return ns_cmd_cert_check(argc - 1, argv + 1);
	}
	fprintf(stderr, "nullspace cert: unknown sub-command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
