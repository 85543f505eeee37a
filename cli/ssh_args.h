/* The command line of `nullspace ssh`, split (ssh_args.c): nullspace's own
 * long options, OpenSSH's own options (passed through to ssh word for word),
 * the sandbox id and the remote command.
 *
 * The rule: every word before "--", or before the first word after the id
 * that is not an option, is an option. An OpenSSH option is a cluster of
 * letters after one '-' (`-fN`, `-vvv`); a letter that takes an argument
 * (OpenSSH's own table: B b c D E e F I i J L l m O o P p Q R S W w) takes the
 * rest of its word, or the next word (`-L8080:h:80`, `-L 8080:h:80`). Letters
 * nullspace sets itself (-p the relay's port, -l the login name, -i and -I
 * the identity) and letters OpenSSH does not know are refused, never run as
 * a remote command. */
#ifndef NS_CLI_SSH_ARGS_H
#define NS_CLI_SSH_ARGS_H

#include <stddef.h>

/* At most this many OpenSSH option letters (and as many words of them). */
#define NS_SSH_ARGS_OPTS_MAX 256
#define NS_SSH_ARGS_ERR_MAX 256

/* OpenSSH 10's option letters (ssh.c, getopt): those followed by ':' take an
 * argument. */
#define NS_SSH_OPENSSH_LETTERS                                                                     \
	"1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:TVw:W:XYy"
/* ... of which nullspace sets these itself. */
#define NS_SSH_OWN_LETTERS "pliI"

typedef struct ns_ssh_opt {
	char letter;
	const char *arg; /* NULL for a flag */
} ns_ssh_opt;

typedef struct ns_ssh_args {
	const char *id;
	/* nullspace's own */
	int help, native, websocket, print_command, no_port_forwarding, no_resume;
	int no_renew;
	const char *api_url, *api_key, *expires_in; /* NULL: not given */
	/* OpenSSH's, in order: the words as given (for ssh) and each letter */
	char *words[NS_SSH_ARGS_OPTS_MAX];
	int nwords;
	ns_ssh_opt opts[NS_SSH_ARGS_OPTS_MAX];
	int nopts;
	/* what they say, for the built-in client and for minting */
	int tty;   /* -1 not said; 0 -T; 1 -t; 2 -tt */
	int agent; /* -A given and not undone by a later -a */
	/* the remote command's words */
	char **command;
	int ncommand;
} ns_ssh_args;

/* Split argv (argv[0] is "ssh", the command name). 0, or NS_ERR_INVALID with
 * err saying which word and why (an unknown option, a value missing, a
 * letter nullspace sets itself, no id), or NS_ERR_LIMIT past
 * NS_SSH_ARGS_OPTS_MAX. Words point into argv. */
int ns_ssh_args_parse(int argc, char **argv, ns_ssh_args *out, char *err, size_t cap);

/* The first option letter the built-in client cannot do (it does -L, -N, -t,
 * -T), or 0 when it can do them all. */
char ns_ssh_args_native_refused(const ns_ssh_args *a);

#endif
