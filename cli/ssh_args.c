/* `nullspace ssh`'s command line split into nullspace's own long options,
 * OpenSSH's options (kept word for word for ssh, and letter by letter for the
 * built-in client), the sandbox id and the remote command: the rule and the
 * letter table are in ssh_args.h. */
#include <stdio.h>
#include <string.h>

#include "nullspace/error.h"
#include "ssh_args.h"

/* nullspace's long options: name, 1 when it takes a value */
static const struct {
	const char *name;
	int value;
} longs[] = {
    {"native", 0},    {"websocket", 0},  {"print-command", 0}, {"no-port-forwarding", 0},
    {"no-resume", 0}, {"expires-in", 1}, {"api-url", 1},       {"api-key", 1},
    {"help", 0},      {"no-renew", 0},
};

static int refuse(char *err, size_t cap, int rc, const char *fmt, const char *word, int letter)
{
	char l[2] = {(char)letter, '\0'};

	snprintf(err, cap, fmt, word, l);
	return rc;
}

static void set_long(ns_ssh_args *a, const char *name, const char *value)
{
	a->native |= strcmp(name, "native") == 0;
	a->websocket |= strcmp(name, "websocket") == 0;
	a->print_command |= strcmp(name, "print-command") == 0;
	a->no_port_forwarding |= strcmp(name, "no-port-forwarding") == 0;
	a->no_resume |= strcmp(name, "no-resume") == 0;
	a->no_renew |= strcmp(name, "no-renew") == 0;
	a->help |= strcmp(name, "help") == 0;
	a->expires_in = strcmp(name, "expires-in") == 0 ? value : a->expires_in;
	a->api_url = strcmp(name, "api-url") == 0 ? value : a->api_url;
	a->api_key = strcmp(name, "api-key") == 0 ? value : a->api_key;
}

/* "--name" or "--name=value" at argv[*i]; the value may be the next word. */
static int long_opt(int argc, char **argv, int *i, ns_ssh_args *a, char *err, size_t cap)
{
	const char *w = argv[*i] + 2, *eq = strchr(w, '='), *value = NULL;
	size_t n = eq != NULL ? (size_t)(eq - w) : strlen(w), k;

	for (k = 0; k < sizeof(longs) / sizeof(longs[0]); k++) {
		if (strlen(longs[k].name) == n && strncmp(longs[k].name, w, n) == 0) {
			break;
		}
	}
	if (k == sizeof(longs) / sizeof(longs[0])) {
		return refuse(err, cap, NS_ERR_INVALID, "unknown option %s%s", argv[*i], 0);
	}
	if (!longs[k].value && eq != NULL) {
		return refuse(err, cap, NS_ERR_INVALID, "%s takes no value%s", argv[*i], 0);
	}
	if (longs[k].value) {
		if (eq == NULL && *i + 1 >= argc) {
			return refuse(err, cap, NS_ERR_INVALID, "%s wants a value%s", argv[*i], 0);
		}
		value = eq != NULL ? eq + 1 : argv[++*i];
	}
	set_long(a, longs[k].name, value);
	return 0;
}

/* Letter c of OpenSSH's table: 0 unknown, 1 flag, 2 takes an argument. */
static int letter_kind(int c)
{
	const char *p = c != ':' && c != '\0' ? strchr(NS_SSH_OPENSSH_LETTERS, c) : NULL;

	return p == NULL ? 0 : p[1] == ':' ? 2 : 1;
}

static void note_letter(ns_ssh_args *a, int c)
{
	if (c == 't') {
		a->tty = a->tty >= 1 ? 2 : 1;
	} else if (c == 'T') {
		a->tty = 0;
	} else if (c == 'A' || c == 'a') {
		a->agent = c == 'A';
	}
}

static int add_word(ns_ssh_args *a, char *w, char *err, size_t cap)
{
	if (a->nwords >= NS_SSH_ARGS_OPTS_MAX) {
		snprintf(err, cap, "more than %d words of ssh options", NS_SSH_ARGS_OPTS_MAX);
		return NS_ERR_LIMIT;
	}
	a->words[a->nwords++] = w;
	return 0;
}

/* The cluster of OpenSSH letters at argv[*i] ("-fNL" [ARG]). */
static int short_opts(int argc, char **argv, int *i, ns_ssh_args *a, char *err, size_t cap)
{
	char *w = argv[*i];
	const char *p, *arg;
	int rc, kind;

	if (strcmp(w, "-h") == 0) {
		a->help = 1;
		return 0;
	}
	if ((rc = add_word(a, w, err, cap)) != 0) {
		return rc;
	}
	for (p = w + 1; *p != '\0'; p++) {
		if ((kind = letter_kind((unsigned char)*p)) == 0) {
			return refuse(
			    err, cap, NS_ERR_INVALID,
			    "unknown option -%2$s in %1$s (not an option of OpenSSH's ssh; "
			    "a remote command goes after \"--\")",
			    w, *p);
		}
		if (strchr(NS_SSH_OWN_LETTERS, *p) != NULL) {
			return refuse(
			    err, cap, NS_ERR_INVALID,
			    "-%2$s (in %1$s) is set by nullspace itself: the relay's port, "
			    "the login name and the key come with the sandbox's access",
			    w, *p);
		}
		if (a->nopts >= NS_SSH_ARGS_OPTS_MAX) {
			snprintf(err, cap, "more than %d ssh option letters", NS_SSH_ARGS_OPTS_MAX);
			return NS_ERR_LIMIT;
		}
		arg = NULL;
		if (kind == 2 && p[1] != '\0') {
			arg = p + 1;
		} else if (kind == 2 && *i + 1 < argc) {
			arg = argv[++*i];
			if ((rc = add_word(a, argv[*i], err, cap)) != 0) {
				return rc;
			}
		} else if (kind == 2) {
			return refuse(err, cap, NS_ERR_INVALID,
			              "option -%2$s (in %1$s) wants a value", w, *p);
		}
		a->opts[a->nopts].letter = *p;
		a->opts[a->nopts++].arg = arg;
		note_letter(a, *p);
		if (arg != NULL) {
			break;
		}
	}
	return 0;
}

int ns_ssh_args_parse(int argc, char **argv, ns_ssh_args *a, char *err, size_t cap)
{
	int i, rc = 0;

	memset(a, 0, sizeof(*a));
	a->tty = -1;
	if (cap > 0) {
		err[0] = '\0';
	}
	for (i = 1; i < argc && rc == 0; i++) {
		char *w = argv[i];
		if (strcmp(w, "--") == 0) {
			i++;
			break;
		}
		if (strncmp(w, "--", 2) == 0) {
			rc = long_opt(argc, argv, &i, a, err, cap);
		} else if (w[0] == '-' && w[1] != '\0') {
			rc = short_opts(argc, argv, &i, a, err, cap);
		} else if (a->id == NULL) {
			a->id = w;
		} else {
			break; /* the first word of the command */
		}
	}
	if (rc == 0 && a->id == NULL && !a->help) {
		snprintf(err, cap, "want a sandbox ID");
		rc = NS_ERR_INVALID;
	}
	if (rc == 0) {
		a->command = argv + i;
		a->ncommand = argc - i;
	}
	return rc;
}

char ns_ssh_args_native_refused(const ns_ssh_args *a)
{
	int k;

	for (k = 0; k < a->nopts; k++) {
		if (strchr("LNtT", a->opts[k].letter) == NULL) {
			return a->opts[k].letter;
		}
	}
	return 0;
}
