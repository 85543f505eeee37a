/* The OpenSSH command line for a sandbox's files (ns_ssh_argv) and its
 * shell-quoted form for --print-command (ns_shell_join). Paths given to ssh
 * are escaped for its own expansions: '%' doubled, and -o values holding
 * blanks or quotes put in double quotes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "sshfiles.h"

#define FIXED_WORDS 24 /* ssh, its options, the destination, "--" */

/* name + path for ssh: "%" -> "%%"; in an -o value (opt), quoted when
 * ssh's option parser would split it. */
static char *ssh_path(const char *name, const char *path, int opt)
{
	int quote = opt && strpbrk(path, " \t\"'\\") != NULL;
	size_t i, n = strlen(name), len = n + 2 * strlen(path) + 3;
	char *out = malloc(len), *p;

	if (out == NULL) {
		return NULL;
	}
	memcpy(out, name, n);
	p = out + n;
	if (quote) {
		*p++ = '"';
	}
	for (i = 0; path[i] != '\0'; i++) {
		if (path[i] == '%' || (quote && (path[i] == '"' || path[i] == '\\'))) {
			*p++ = path[i] == '%' ? '%' : '\\';
		}
		*p++ = path[i];
	}
	if (quote) {
		*p++ = '"';
	}
	*p = '\0';
	return out;
}

/* "USER@HOST" as a new string. */
static char *dest(const char *user, const char *host)
{
	size_t len = strlen(user) + strlen(host) + 2;
	char *out = malloc(len);

	if (out != NULL) {
		snprintf(out, len, "%s@%s", user, host);
	}
	return out;
}

/* name + value as one new string. */
static char *opt_value(const char *name, const char *value)
{
	size_t len = strlen(name) + strlen(value) + 1;
	char *out = malloc(len);

	if (out != NULL) {
		snprintf(out, len, "%s%s", name, value);
	}
	return out;
}

static char *number(unsigned u)
{
	char b[16];

	snprintf(b, sizeof(b), "%u", u);
	return strdup(b);
}

char **ns_ssh_argv(const ns_sshfiles *f, const ns_sshaccess *a, int tty, char **words, int nwords)
{
	return ns_ssh_argv_proxy(f, a, tty, words, nwords, NULL);
}

char **ns_ssh_argv_proxy(const ns_sshfiles *f, const ns_sshaccess *a, int tty, char **words,
                         int nwords, const char *proxy_command)
{
	return ns_ssh_argv_opts(f, a, tty, NULL, 0, words, nwords, proxy_command);
}

char **ns_ssh_argv_opts(const ns_sshfiles *f, const ns_sshaccess *a, int tty, char **opts,
                        int nopts, char **words, int nwords, const char *proxy_command)
{
	char **argv;
	int i, n = 0, bad = 0;

	if (nwords < 0 || (nwords > 0 && words == NULL) || nopts < 0 ||
	    (nopts > 0 && opts == NULL) ||
	    (argv = calloc((size_t)(FIXED_WORDS + nopts + nwords + 1), sizeof(*argv))) == NULL) {
		return NULL;
	}
#define ADD(expr) (bad |= (argv[n++] = (expr)) == NULL)
	ADD(strdup("ssh"));
	ADD(strdup("-i"));
	ADD(ssh_path("", f->key, 0));
	ADD(strdup("-o"));
	ADD(strdup("IdentitiesOnly=yes"));
	ADD(strdup("-o"));
	ADD(ssh_path("CertificateFile=", f->cert, 1));
	ADD(strdup("-o"));
	ADD(ssh_path("UserKnownHostsFile=", f->known_hosts, 1));
	ADD(strdup("-o"));
	ADD(strdup("GlobalKnownHostsFile=/dev/null"));
	ADD(strdup("-o"));
	ADD(strdup("StrictHostKeyChecking=yes"));
	ADD(strdup("-o"));
	ADD(strdup("PasswordAuthentication=no"));
	ADD(strdup("-o"));
	ADD(strdup("KbdInteractiveAuthentication=no"));
	if (proxy_command != NULL) {
		ADD(strdup("-o"));
		ADD(opt_value("ProxyCommand=", proxy_command));
	}
	ADD(strdup("-p"));
	ADD(number(a->relay_port));
	if (tty >= 0) {
		ADD(strdup(tty ? "-t" : "-T"));
	}
	/* the user's own after ours: for an -o keyword, OpenSSH keeps the
	 * first value, so these cannot undo the pinning above */
	for (i = 0; i < nopts; i++) {
		ADD(strdup(opts[i]));
	}
	ADD(dest(a->user, a->relay_host));
	if (nwords > 0) {
		ADD(strdup("--"));
	}
	for (i = 0; i < nwords; i++) {
		ADD(strdup(words[i]));
	}
#undef ADD
	if (bad) {
		for (i = 0; i < n; i++) {
			free(argv[i]);
		}
		free(argv);
		return NULL;
	}
	return argv;
}

void ns_ssh_argv_free(char **argv)
{
	size_t i;

	if (argv == NULL) {
		return;
	}
	for (i = 0; argv[i] != NULL; i++) {
		free(argv[i]);
	}
	free(argv);
}

/* Words the shell takes as they are (the first one not an assignment). */
static int plain(const char *w, int first)
{
	size_t n = strlen(w);

	return n > 0 &&
	       strspn(w,
	              "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") ==
	           n &&
	       !(first && strchr(w, '=') != NULL);
}

int ns_shell_join(char *const *argv, char *out, size_t cap)
{
	size_t n = 0, i, j;

#define PUT(ch)                                                                                    \
	do {                                                                                       \
		if (n + 1 >= cap) {                                                                \
			goto full;                                                                 \
		}                                                                                  \
		out[n++] = (ch);                                                                   \
	} while (0)
	if (cap == 0) {
		return NS_ERR_NOMEM;
	}
	for (i = 0; argv[i] != NULL; i++) {
		const char *w = argv[i];
		int q = !plain(w, i == 0);
		if (i > 0) {
			PUT(' ');
		}
		if (q) {
			PUT('\'');
		}
		for (j = 0; w[j] != '\0'; j++) {
			if (w[j] == '\'') {
				PUT('\'');
				PUT('\\');
				PUT('\'');
			}
			PUT(w[j]);
		}
		if (q) {
			PUT('\'');
		}
	}
#undef PUT
	out[n] = '\0';
	return 0;
full:
	out[0] = '\0';
	return NS_ERR_NOMEM;
}
