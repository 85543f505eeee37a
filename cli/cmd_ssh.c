/* `nullspace ssh ID [-- COMMAND...]`: a shell or a command in a running
 * sandbox through the relay. Prepares NULLSPACE_HOME/ssh (key, certificate,
 * pinned relay key), then runs OpenSSH on those files, or the built-in
 * client (`nullspace connect`, same terminal handling) with --native or when
 * no ssh is installed. The exit status is the remote command's. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "nullspace/error.h"
#include "sandbox_int.h"

#define EXIT_OWN_ERROR 255 /* as ssh: our own connection errors */
#define CONNECT_FIXED 16   /* words of the connect command line before COMMAND */

typedef struct ssh_opts {
	const char *api_url, *api_key;
	int native, websocket, no_resume;
	int tty; /* -1 auto, 0 -T, 1 -t */
	unsigned long expires_in;
	const char *id;
	char **words;
	int nwords;
} ssh_opts;

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: nullspace ssh [--native | --websocket | --no-resume] [-t|-T]\n"
	        "                     [--expires-in MINUTES] ID [--websocket | --no-resume]\n"
	        "                     [-- COMMAND...]\n"
	        "\n"
	        "Run COMMAND (its words joined with spaces, as ssh does) or an interactive\n"
	        "shell in a running sandbox, through the relay. The key, the certificate and\n"
	        "the relay's pinned host key are kept under NULLSPACE_HOME/ssh/; a certificate\n"
	        "valid for more than a minute more is reused. OpenSSH (`ssh` on PATH) runs the\n"
	        "session, or the built-in client. The exit status is the remote command's\n"
	        "(128+N for signal N, 255 when the connection fails).\n"
	        "\n"
	        "  --native              use the built-in client even when ssh is installed\n"
	        "  --websocket           legacy: OpenSSH through the signed WebSocket URL of a\n"
	        "                        new access (ProxyCommand `nullspace proxy URL`), for\n"
	        "                        networks that pass only HTTP(S) (HTTPS_PROXY is\n"
	        "                        honoured). The URL is a bearer credential\n"
	        "  --no-resume           connect ssh straight to the relay; by default ssh runs\n"
	        "                        through `nullspace proxy tcp://RELAY`, so the session\n"
	        "                        survives a network drop shorter than the relay's\n"
	        "                        grace time (docs/relay.md, Resumable connections)\n"
	        "  -t                    request a PTY even for a command\n"
	        "  -T                    never request a PTY\n"
	        "  --expires-in MINUTES  lifetime of a new certificate, 1 to 60 (default 10)\n"
	        "%s",
	        NS_CLI_API_HELP);
}

static int bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, "nullspace ssh: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	usage(stderr);
	return NS_EXIT_USAGE;
}

/* 0 parsed, -1 help shown, else the exit code (usage printed). */
static int parse(int argc, char **argv, ssh_opts *o)
{
	static const struct option longs[] = {
	    {"native", no_argument, NULL, 'n'},
	    {"websocket", no_argument, NULL, 'w'},
	    {"no-resume", no_argument, NULL, 'r'},
	    {"expires-in", required_argument, NULL, 'e'},
	    {"api-url", required_argument, NULL, NS_CLI_OPT_API_URL},
	    {"api-key", required_argument, NULL, NS_CLI_OPT_API_KEY},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->tty = -1;
	optind = 0;
	opterr = 0;
	/* '+': stop at ID, so COMMAND keeps its own options */
	while ((c = getopt_long(argc, argv, "+:htT", longs, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return -1;
		}
		if (c == '?' || c == ':') {
			return bad_usage(c == ':' ? "missing value" : "unknown option",
			                 argv[optind - 1]);
		}
		o->native |= c == 'n';
		o->websocket |= c == 'w';
		o->no_resume |= c == 'r';
		o->tty = c == 't' ? 1 : c == 'T' ? 0 : o->tty;
		o->api_url = c == NS_CLI_OPT_API_URL ? optarg : o->api_url;
		o->api_key = c == NS_CLI_OPT_API_KEY ? optarg : o->api_key;
		if (c == 'e' &&
		    ns_cli_number(optarg, NS_API_EXPIRES_MIN, NS_API_EXPIRES_MAX, &o->expires_in)) {
			return bad_usage("value out of range", optarg);
		}
	}
	if (optind >= argc) {
		return bad_usage("want a sandbox ID", NULL);
	}
	o->id = argv[optind++];
	/* `nullspace ssh ID --websocket`: the flag may follow the ID (before any
	 * "--"; a command named --websocket goes after "--") */
	while (optind < argc && (strcmp(argv[optind], "--websocket") == 0 ||
	                         strcmp(argv[optind], "--no-resume") == 0)) {
		o->websocket |= argv[optind][2] == 'w';
		o->no_resume |= argv[optind][2] == 'n';
		optind++;
	}
	if (o->native && o->websocket) {
		return bad_usage("--websocket needs OpenSSH: the built-in client does not speak "
		                 "WebSocket",
		                 NULL);
	}
	if (optind < argc && strcmp(argv[optind], "--") == 0) {
		optind++;
	}
	o->words = argv + optind;
	o->nwords = argc - optind;
	return 0;
}

/* ssh's ProxyCommand for the resumable transport to the access's relay:
 * `nullspace proxy tcp://HOST:PORT` (this binary), or NULL (said). */
static char *resume_proxy_command(const ns_sshaccess *a)
{
	char url[300];
	int v6 = strchr(a->relay_host, ':') != NULL;

	snprintf(url, sizeof(url), "tcp://%s%s%s:%u", v6 ? "[" : "", a->relay_host, v6 ? "]" : "",
	         (unsigned)a->relay_port);
	return ns_cli_ws_proxy_command(url, NULL);
}

/* Is there an executable name in a folder of PATH (as execvp looks)? */
static int on_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	char file[NS_SSHFILES_PATH_MAX];
	int n, len;

	p = path != NULL ? path : "/usr/local/bin:/usr/bin:/bin";
	for (;;) {
		end = strchrnul(p, ':');
		len = (int)(end - p);
		/* an empty entry is the current folder */
		n = snprintf(file, sizeof(file), "%.*s/%s", len > 0 ? len : 1, len > 0 ? p : ".",
		             name);
		if (n > 0 && n < (int)sizeof(file) && access(file, X_OK) == 0) {
			return 1;
		}
		if (*end == '\0') {
			return 0;
		}
		p = end + 1;
	}
}

/* fork + exec ssh, wait: its status (128+N when killed by signal N). */
static int run_openssh(char **argv)
{
	struct sigaction ign, old_int, old_quit;
	pid_t pid;
	int status;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	fflush(stdout);
	fflush(stderr);
	/* ^C and ^\ are for ssh while it runs, as with system() */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	if ((pid = fork()) == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		execvp("ssh", argv);
		fprintf(stderr, "nullspace: cannot run ssh: %s\n", strerror(errno));
		_exit(EXIT_OWN_ERROR);
	}
	status = -1;
	if (pid < 0) {
		fprintf(stderr, "nullspace: cannot start ssh: %s\n", strerror(errno));
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (status != -1 && WIFEXITED(status)) {
		return WEXITSTATUS(status);
	}
	if (status != -1 && WIFSIGNALED(status)) {
		return 128 + WTERMSIG(status);
	}
	return EXIT_OWN_ERROR;
}

/* The built-in client: `nullspace connect` on the files, so the terminal
 * (raw mode, window size, SIGWINCH), the PTY rules and the exit status are
 * exactly its: strict host key checking against our known_hosts pin. */
static int run_native(const ns_sshfiles *f, const ns_sshaccess *a, const ssh_opts *o)
{
	char port[16], *target = NULL, **argv = NULL;
	size_t tlen = strlen(a->user) + strlen(a->relay_host) + 2;
	int i, n = 0, rc = EXIT_OWN_ERROR;

	if ((argv = calloc((size_t)(CONNECT_FIXED + o->nwords + 1), sizeof(*argv))) == NULL ||
	    (target = malloc(tlen)) == NULL) {
		fprintf(stderr, "nullspace: out of memory\n");
		goto out;
	}
	snprintf(port, sizeof(port), "%u", a->relay_port);
	snprintf(target, tlen, "%s@%s", a->user, a->relay_host);
	argv[n++] = "connect";
	argv[n++] = "-p";
	argv[n++] = port;
	argv[n++] = "-i";
	argv[n++] = (char *)f->key;
	argv[n++] = "-c";
	argv[n++] = (char *)f->cert;
	argv[n++] = "-k";
	argv[n++] = (char *)f->known_hosts;
	if (o->tty >= 0) {
		argv[n++] = o->tty ? "-t" : "-T";
	}
	argv[n++] = target;
	argv[n++] = "--";
	for (i = 0; i < o->nwords; i++) {
		argv[n++] = o->words[i];
	}
	rc = ns_cmd_connect_as("ssh", n, argv);
out:
	free(target);
	free(argv);
	return rc;
}

int ns_cmd_ssh(int argc, char **argv)
{
	ns_api *api = NULL;
	ns_sshaccess a;
	ns_sshfiles f;
	ssh_opts o;
	char **sargv, *pc = NULL;
	int rc;

	if ((rc = parse(argc, argv, &o)) != 0) {
		return rc < 0 ? 0 : rc;
	}
	if ((rc = ns_cli_api_open(o.api_url, o.api_key, &api)) != 0) {
		return rc;
	}
	if (o.websocket && !on_path("ssh")) {
		ns_api_close(api);
		fprintf(stderr, "nullspace ssh: --websocket needs OpenSSH's ssh on PATH (the "
		                "built-in client does not speak WebSocket); drop --websocket to "
		                "use the built-in client through the relay\n");
		return EXIT_OWN_ERROR;
	}
	rc = ns_cli_ssh_prepare(api, o.id, (int)o.expires_in, o.websocket, &f, &a);
	ns_api_close(api);
	if (rc != 0) {
		return rc;
	}
	if (o.websocket &&
	    (pc = ns_cli_ws_proxy_command(a.websocket_url, a.websocket_pin)) == NULL) {
		rc = EXIT_OWN_ERROR;
	} else if (o.websocket) {
		fprintf(stderr, "warning: ssh runs with the WebSocket URL, a bearer credential, in "
		                "its ProxyCommand (visible to local processes) until it expires\n");
	}
	if (rc == 0 && !o.websocket && !o.no_resume && !o.native && on_path("ssh") &&
	    (pc = resume_proxy_command(&a)) == NULL) {
		rc = EXIT_OWN_ERROR;
	}
	if (rc != 0) {
	} else if (o.native || !on_path("ssh")) {
		rc = run_native(&f, &a, &o);
	} else if ((sargv = ns_ssh_argv_proxy(&f, &a, o.tty, o.words, o.nwords, pc)) == NULL) {
		fprintf(stderr, "nullspace: out of memory\n");
		rc = EXIT_OWN_ERROR;
	} else {
		rc = run_openssh(sargv);
		ns_ssh_argv_free(sargv);
	}
	if (pc != NULL) {
		sodium_memzero(pc, strlen(pc));
		free(pc);
	}
	ns_sshaccess_free(&a);
	return rc;
}
