/* `nullspace ssh [OPTIONS] ID [OPTIONS] [-- COMMAND...]`: a shell or a
 * command in a running sandbox through the relay. Prepares NULLSPACE_HOME/ssh
 * (key, certificate, pinned relay key), then runs OpenSSH on those files with
 * the user's OpenSSH options (ssh_args.c), or the built-in client (`nullspace
 * connect`: -L -N -t -T) with --native or when no ssh is installed. The exit
 * status is the remote command's. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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
#include "ssh_args.h"

#define EXIT_OWN_ERROR 255 /* as ssh: our own connection errors */
#define CONNECT_FIXED 16   /* words of the connect command line before COMMAND */

typedef struct ssh_opts {
	ns_ssh_args a; /* the command line split (ssh_args.c) */
	unsigned long expires_in;
	int permits; /* NS_CLI_NO_PORT_FORWARDING, NS_CLI_AGENT_FORWARDING */
} ssh_opts;

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: nullspace ssh [OPTIONS] ID [OPTIONS] [-- COMMAND...]\n"
	        "\n"
	        "Run COMMAND (its words joined with spaces, as ssh does) or an interactive\n"
	        "shell in a running sandbox, through the relay. The key, the certificate and\n"
	        "the relay's pinned host key are kept under NULLSPACE_HOME/ssh/; a certificate\n"
	        "valid for more than a minute more is reused. OpenSSH (`ssh` on PATH) runs the\n"
	        "session, or the built-in client. The exit status is the remote command's\n"
	        "(128+N for signal N, 255 when the connection fails).\n"
	        "\n"
	        "OPTIONS are nullspace's own (below) and OpenSSH's (-L, -R, -D, -W, -N, -f,\n"
	        "-A, -t, -T, -o KEY=VALUE, -v, -q, -C, ...: see ssh(1)), passed to ssh as\n"
	        "given. Every word before \"--\", or before the first word after ID that is\n"
	        "not an option, is an option; a letter that takes a value (as in ssh) takes\n"
	        "the rest of its word or the next word (-L8080:h:80, -fNL 8080:h:80).\n"
	        "Unknown options are refused; a command that starts with a\n"
	        "dash goes after \"--\". -p, -l, -i and -I are nullspace's to set (the relay's\n"
	        "port, the login name, the key). The built-in client does -L, -N, -t and -T.\n"
	        "\n"
	        "  --native              use the built-in client even when ssh is installed\n"
	        "  --websocket           legacy: OpenSSH through the signed WebSocket URL of a\n"
	        "                        new access (ProxyCommand `nullspace proxy URL`), for\n"
	        "                        networks that pass only HTTP(S) (HTTPS_PROXY is\n"
	        "                        honoured). The URL is a bearer credential\n"
	        "  --print-command       print the ssh command line instead of running it (a\n"
	        "                        credential until the certificate expires)\n"
	        "  --no-resume           connect ssh straight to the relay; by default ssh runs\n"
	        "                        through `nullspace proxy tcp://RELAY`, so the session\n"
	        "                        survives a network drop shorter than the relay's\n"
	        "                        grace time (docs/relay.md, Resumable connections);\n"
	        "                        with --websocket: one plain WebSocket connection\n"
	        "  --no-renew            with the resumable proxy, the proxy renews the\n"
	        "                        certificate in the background before it expires (a\n"
	        "                        relay with --end-sessions-at-expiry would end the\n"
	        "                        session then); this turns that off. The built-in\n"
	        "                        client and --no-resume do not renew\n"
	        "  --expires-in MINUTES  lifetime of a new certificate, 1 to 60 (default 10)\n"
	        "  --no-port-forwarding  a certificate without permit-port-forwarding\n"
	        "  -A                    (OpenSSH's) forward the ssh-agent: the certificate is\n"
	        "                        minted with permit-agent-forwarding, off otherwise\n"
	        "%s",
	        NS_CLI_API_HELP);
}

static int bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, "nullspace ssh: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
	usage(stderr);
	return NS_EXIT_USAGE;
}

/* The built-in client's refusal of an OpenSSH option: the exit code. */
static int native_refused(char letter, int chosen)
{
	fprintf(stderr,
	        "nullspace ssh: the built-in client does not do -%c (it does -L, -N, -t and "
	        "-T); %s\n",
	        letter,
	        chosen ? "drop --native to run OpenSSH's ssh"
	               : "OpenSSH's ssh is not on PATH: install it (openssh-client) for that");
	return NS_EXIT_USAGE;
}

/* 0 parsed, -1 help shown, else the exit code (usage printed). */
static int parse(int argc, char **argv, ssh_opts *o)
{
	char err[NS_SSH_ARGS_ERR_MAX];
	ns_ssh_args *a = &o->a;

	memset(o, 0, sizeof(*o));
	if (ns_ssh_args_parse(argc, argv, a, err, sizeof(err)) != 0) {
		return bad_usage(err, NULL);
	}
	if (a->help) {
		usage(stdout);
		return -1;
	}
	if (a->expires_in != NULL &&
	    ns_cli_number(a->expires_in, NS_API_EXPIRES_MIN, NS_API_EXPIRES_MAX, &o->expires_in)) {
		return bad_usage("value out of range", a->expires_in);
	}
	if (a->native && a->websocket) {
		return bad_usage("--websocket needs OpenSSH: the built-in client does not speak "
		                 "WebSocket",
		                 NULL);
	}
	if (a->native && a->print_command) {
		return bad_usage("--print-command prints the OpenSSH command; it does not go with "
		                 "--native",
		                 NULL);
	}
	o->permits = (a->no_port_forwarding ? NS_CLI_NO_PORT_FORWARDING : 0) |
	             (a->agent ? NS_CLI_AGENT_FORWARDING : 0);
	return 0;
}

/* ssh's ProxyCommand through this binary's proxy: `nullspace proxy [--renew
 * ID ...] tcp://HOST:PORT` (the resumable transport to the access's relay),
 * with --websocket `nullspace proxy [--no-resume | --renew ID ...]
 * [--pin-sha256 PIN] URL`; or NULL (said). The proxy renewing mints as we
 * did: the API's URL and key go to it in the environment, never on its
 * command line. */
static char *proxy_command(const ns_sshaccess *a, const ssh_opts *o)
{
	char url[300], exe[PATH_MAX], minutes[24];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	const char *w[12];
	size_t k = 0;
	char *pc;
	int v6 = strchr(a->relay_host, ':') != NULL;

	if (n <= 0) {
		fprintf(stderr, "nullspace: cannot find our own binary: %s\n", strerror(errno));
		return NULL;
	}
	exe[n] = '\0';
	snprintf(url, sizeof(url), "tcp://%s%s%s:%u", v6 ? "[" : "", a->relay_host, v6 ? "]" : "",
	         (unsigned)a->relay_port);
	snprintf(minutes, sizeof(minutes), "%lu",
	         o->expires_in != 0 ? o->expires_in : (unsigned long)NS_API_EXPIRES_DEFAULT);
	w[k++] = exe;
	w[k++] = "proxy";
	if (o->a.no_resume) {
		w[k++] = "--no-resume"; /* --websocket only: one plain connection */
	} else if (!o->a.no_renew) {
		w[k++] = "--renew";
		w[k++] = o->a.id;
		w[k++] = "--expires-in";
		w[k++] = minutes;
		if (o->permits & NS_CLI_NO_PORT_FORWARDING) {
			w[k++] = "--no-port-forwarding";
		}
		if (o->permits & NS_CLI_AGENT_FORWARDING) {
			w[k++] = "--agent-forwarding";
		}
		if ((o->a.api_url != NULL && setenv("NULLSPACE_API_URL", o->a.api_url, 1) != 0) ||
		    (o->a.api_key != NULL && setenv("NULLSPACE_API_KEY", o->a.api_key, 1) != 0)) {
			fprintf(stderr, "nullspace: out of memory\n");
			return NULL;
		}
	}
	if (o->a.websocket && a->websocket_pin != NULL) {
		w[k++] = "--pin-sha256";
		w[k++] = a->websocket_pin;
	}
	w[k++] = o->a.websocket ? a->websocket_url : url;
	if ((pc = ns_ssh_command_quoted(w, k)) == NULL) {
		fprintf(stderr, "nullspace: out of memory\n");
	}
	return pc;
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

/* fork + exec ssh, wait: its status (128+N when killed by signal N). Its
 * stderr comes through a pipe to ours, watched for the relay's "has moved"
 * refusal (*moved). */
static int run_openssh(char **argv, int *moved)
{
	struct sigaction ign, old_int, old_quit;
	pid_t pid;
	int status;
	int pfd[2] = {-1, -1};

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	fflush(stdout);
	fflush(stderr);
	/* ^C and ^\ are for ssh while it runs, as with system() */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	*moved = 0;
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		pfd[0] = pfd[1] = -1; /* then ssh keeps our stderr, unwatched */
	}
	if ((pid = fork()) == 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		if (pfd[1] >= 0) {
			dup2(pfd[1], STDERR_FILENO); /* without O_CLOEXEC */
		}
		execvp("ssh", argv);
		fprintf(stderr, "nullspace: cannot run ssh: %s\n", strerror(errno));
		_exit(EXIT_OWN_ERROR);
	}
	status = -1;
	if (pfd[1] >= 0) {
		close(pfd[1]);
	}
	if (pid < 0) {
		fprintf(stderr, "nullspace: cannot start ssh: %s\n", strerror(errno));
	} else {
		*moved = pfd[0] >= 0 && ns_cli_stderr_watch(pfd[0]);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
		}
	}
	if (pfd[0] >= 0) {
		close(pfd[0]);
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
 * (raw mode, window size, SIGWINCH), the PTY rules, the -L forwards and the
 * exit status are exactly its: strict host key checking against our
 * known_hosts pin. The options are those ns_ssh_args_native_refused lets by. */
static int run_native(const ns_sshfiles *f, const ns_sshaccess *a, const ssh_opts *o)
{
	char port[16], *target = NULL, **argv = NULL;
	size_t tlen = strlen(a->user) + strlen(a->relay_host) + 2;
	int i, n = 0, rc = EXIT_OWN_ERROR;

	argv = calloc((size_t)(CONNECT_FIXED + 2 * o->a.nopts + o->a.ncommand + 1), sizeof(*argv));
	if (argv == NULL || (target = malloc(tlen)) == NULL) {
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
	for (i = 0; i < o->a.nopts; i++) {
		const ns_ssh_opt *p = &o->a.opts[i];
		argv[n++] = p->letter == 'L'   ? "-L"
		            : p->letter == 'N' ? "-N"
		            : p->letter == 't' ? "-t"
		                               : "-T";
		if (p->arg != NULL) {
			argv[n++] = (char *)p->arg;
		}
	}
	argv[n++] = target;
	argv[n++] = "--";
	for (i = 0; i < o->a.ncommand; i++) {
		argv[n++] = o->a.command[i];
	}
	rc = ns_cmd_connect_as("ssh", n, argv);
out:
	free(target);
	free(argv);
	return rc;
}

/* --print-command: the OpenSSH command line on stdout, after the one
 * warning on stderr (it is a credential). */
static int print_command(char **sargv, int64_t until)
{
	static char line[64 * 1024];
	int rc = 0;

	if (ns_shell_join(sargv, line, sizeof(line)) != 0) {
		fprintf(stderr, "nullspace: the ssh command line is too long\n");
		return EXIT_OWN_ERROR;
	}
	ns_cli_credential_warning(until);
	printf("%s\n", line);
	rc = fflush(stdout) == 0 ? 0 : NS_EXIT_FAILURE;
	sodium_memzero(line, sizeof(line));
	return rc;
}

/* Prepare the files and run ssh (or the built-in client, or print the
 * command) once; *moved when the relay said the certificate's route no
 * longer holds. */
static int attempt(ns_api *api, ssh_opts *o, int native, int fresh, int *moved)
{
	ns_sshaccess a;
	ns_sshfiles f;
	char **sargv, *pc = NULL;
	int rc;

	*moved = 0;
	if ((rc = ns_cli_ssh_prepare_permits(api, o->a.id, (int)o->expires_in,
	                                     o->a.websocket | (fresh ? NS_CLI_PREPARE_FRESH : 0),
	                                     o->permits, &f, &a)) != 0) {
		return rc;
	}
	if ((o->a.websocket || (!o->a.no_resume && !native && on_path("ssh"))) &&
	    (pc = proxy_command(&a, o)) == NULL) {
		rc = EXIT_OWN_ERROR;
	} else if (o->a.websocket) {
		fprintf(stderr, "warning: ssh runs with the WebSocket URL, a bearer credential, in "
		                "its ProxyCommand (visible to local processes) until it expires\n");
	}
	if (rc != 0) {
	} else if (native) {
		rc = run_native(&f, &a, o);
		*moved = ns_cmd_connect_moved();
	} else if ((sargv = ns_ssh_argv_opts(&f, &a, -1, o->a.words, o->a.nwords, o->a.command,
	                                     o->a.ncommand, pc)) == NULL) {
		fprintf(stderr, "nullspace: out of memory\n");
		rc = EXIT_OWN_ERROR;
	} else {
		rc = o->a.print_command ? print_command(sargv, a.expires_at)
		                        : run_openssh(sargv, moved);
		ns_ssh_argv_free(sargv);
	}
	if (pc != NULL) {
		sodium_memzero(pc, strlen(pc));
		free(pc);
	}
	ns_sshaccess_free(&a);
	return rc;
}

int ns_cmd_ssh(int argc, char **argv)
{
	ns_api *api = NULL;
	ssh_opts o;
	char refused;
	int rc, native, moved = 0;

	if ((rc = parse(argc, argv, &o)) != 0) {
		return rc < 0 ? 0 : rc;
	}
	native = o.a.native || (!o.a.print_command && !o.a.websocket && !on_path("ssh"));
	/* before anything is minted */
	if (native && (refused = ns_ssh_args_native_refused(&o.a)) != 0) {
		return native_refused(refused, o.a.native);
	}
	if ((rc = ns_cli_api_open(o.a.api_url, o.a.api_key, &api)) != 0) {
		return rc;
	}
	if (o.a.websocket && !o.a.print_command && !on_path("ssh")) {
		ns_api_close(api);
		fprintf(stderr, "nullspace ssh: --websocket needs OpenSSH's ssh on PATH (the "
		                "built-in client does not speak WebSocket); drop --websocket to "
		                "use the built-in client through the relay\n");
		return EXIT_OWN_ERROR;
	}
	rc = attempt(api, &o, native, 0, &moved);
	if (rc == EXIT_OWN_ERROR && moved) {
		/* the relay refused the certificate's route: once more, anew */
		fprintf(stderr,
		        "nullspace ssh: sandbox %s has moved: minting a new certificate "
		        "and trying once more\n",
		        o.a.id);
		rc = attempt(api, &o, native, 1, &moved);
	}
	ns_api_close(api);
	return rc;
}
