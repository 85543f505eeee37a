/* `nullspace connect`: the built-in SSH client on the terminal. Parses the
 * command line, picks the key (ssh-agent or the file, connect_key.c),
 * connects with strict host key checking and runs a command or a shell
 * (with a PTY and raw mode when interactive). */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "client_util.h"
#include "cli.h"
#include "connect_key.h"
#include "keyfiles.h"
#include "route_ext.h"
#include "nullspace/cert.h"
#include "nullspace/client.h"
#include "nullspace/error.h"
#include "connect_fwd.h"
#include "tty.h"

/* The command named in messages: "connect", or "ssh" for `nullspace ssh
 * --native`, which runs this in-process (ns_cmd_connect_as). */
static const char *cmd_name = "connect";
#define PATH_MAX_LEN 4096

typedef struct connect_opts {
	unsigned port;     /* 0: from the target, else 22 */
	const char *key;   /* NULL: ~/.ssh/id_ed25519 */
	const char *known; /* NULL: ~/.ssh/known_hosts */
	const char *cert;  /* NULL: no certificate */
	int tty;           /* -1 auto, 0 -T, 1 -t */
	const char *target;
	const char *const *words;
	int nwords;
	ns_client_forward fw[NS_CLIENT_FWD_MAX]; /* -L */
	char fw_store[NS_CLIENT_FWD_MAX][NS_CONNECT_FWD_SPEC_MAX];
	size_t nfw;
	int no_session; /* -N */
} connect_opts;

static void usage(FILE *f)
{
	fprintf(f, "usage: nullspace connect [-p PORT] [-i KEY] [-c CERT] [-k KNOWN_HOSTS] [-t|-T] "
	           "[-N]\n"
	           "                         [-L [BIND:]PORT:HOST:HOSTPORT]... USER@HOST[:PORT]\n"
	           "                         [--] [COMMAND...]\n"
	           "\n"
	           "Run COMMAND (its words joined with spaces, as ssh does) or an interactive\n"
	           "shell on an SSH server; the remote exit status becomes ours (128+N for\n"
	           "signal N, 255 for our own errors).\n"
	           "\n"
	           "  -p PORT         server port (default 22)\n"
	           "  -i KEY          ed25519 private key (default ~/.ssh/id_ed25519); when\n"
	           "                  ssh-agent ($SSH_AUTH_SOCK) holds it, the agent signs; a\n"
	           "                  passphrase-protected KEY is asked for on the terminal\n"
	           "  -c CERT         OpenSSH certificate for KEY (KEY-cert.pub as written by\n"
	           "                  ssh-keygen -s or nullspace cert sign)\n"
	           "  -k KNOWN_HOSTS  known_hosts file (default ~/.ssh/known_hosts); unknown or\n"
	           "                  changed host keys are refused\n"
	           "  -t              request a PTY even for a command\n"
	           "  -T              never request a PTY\n"
	           "  -L [BIND:]PORT:HOST:HOSTPORT\n"
	           "                  listen on BIND:PORT (loopback only, default 127.0.0.1)\n"
	           "                  while connected; each connection goes to HOST:HOSTPORT\n"
	           "                  as the server reaches it (a direct-tcpip channel)\n"
	           "  -N              no command, no shell: serve the -L forwards until the\n"
	           "                  connection ends (or we are stopped)\n"
	           "  -h, --help      this help\n");
}

static int parse_port(const char *s, unsigned *port)
{
	char *end = NULL;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > 65535) {
		return -1;
	}
	*port = (unsigned)v;
	return 0;
}

/* An option's value: "-pVALUE" or "-p VALUE". */
static const char *value(int argc, char **argv, int *i)
{
	if (argv[*i][2] != '\0') {
		return argv[*i] + 2;
	}
	if (*i + 1 >= argc) {
		return NULL;
	}
	return argv[++*i];
}

/* -L SPEC at argv[*i]: 0, or -1 with the message printed. */
static int forward(int argc, char **argv, int *i, connect_opts *o)
{
	char err[NS_CONNECT_FWD_SPEC_MAX + 128];
	const char *v = value(argc, argv, i);

	if (v == NULL) {
		ns_cli_fail(cmd_name, "-L wants [BIND:]PORT:HOST:HOSTPORT");
		return -1;
	}
	if (o->nfw == NS_CLIENT_FWD_MAX) {
		ns_cli_fail(cmd_name, "at most %d -L forwards", NS_CLIENT_FWD_MAX);
		return -1;
	}
	if (ns_connect_fwd_parse(v, &o->fw[o->nfw], o->fw_store[o->nfw], err, sizeof(err)) != 0) {
		ns_cli_fail(cmd_name, "%s", err);
		return -1;
	}
	o->nfw++;
	return 0;
}

/* 0 ok, 1 help shown, -1 error (message printed). */
static int parse_args(int argc, char **argv, connect_opts *o)
{
	const char *v;
	int i;

	memset(o, 0, sizeof(*o));
	o->tty = -1;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		char c = argv[i][1];
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 1;
		}
		if (strcmp(argv[i], "-t") == 0 || strcmp(argv[i], "-T") == 0) {
			o->tty = c == 't';
			continue;
		}
		if (strcmp(argv[i], "-N") == 0) {
			o->no_session = 1;
			continue;
		}
		if (c == 'L') {
			if (forward(argc, argv, &i, o) != 0) {
				return -1;
			}
			continue;
		}
		if ((c != 'p' && c != 'i' && c != 'k' && c != 'c') ||
		    (v = value(argc, argv, &i)) == NULL) {
			ns_cli_fail(cmd_name, "unknown option or missing value: %s (see --help)",
			            argv[i]);
			return -1;
		}
		if (c == 'p' && parse_port(v, &o->port) != 0) {
			ns_cli_fail(cmd_name, "bad port '%s'", v);
			return -1;
		}
		o->key = c == 'i' ? v : o->key;
		o->known = c == 'k' ? v : o->known;
		o->cert = c == 'c' ? v : o->cert;
	}
	if (i >= argc) {
		usage(stderr);
		return -1;
	}
	o->target = argv[i++];
	if (i < argc && strcmp(argv[i], "--") == 0) {
		i++;
	}
	o->words = (const char *const *)(argv + i);
	o->nwords = argc - i;
	if (o->no_session && o->nwords > 0) {
		ns_cli_fail(cmd_name, "-N runs no command: drop -N or the command");
		return -1;
	}
	return 0;
}

static const char *home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && h[0] != '\0') {
		return h;
	}
	pw = getpwuid(getuid());
	return pw != NULL ? pw->pw_dir : "/";
}

/* Like ssh: stdout and stderr that are not terminals are made non-blocking
 * while the session runs, so output goes out in large writes instead of
 * PIPE_BUF pieces each after a poll; their flags are restored afterwards. */
static void stdout_nonblock(int on)
{
	static int saved[3] = {-1, -1, -1};
	int fd;

	for (fd = 1; fd <= 2; fd++) {
		if (on && !isatty(fd) && (saved[fd] = fcntl(fd, F_GETFL)) >= 0 &&
		    !(saved[fd] & O_NONBLOCK)) {
			fcntl(fd, F_SETFL, saved[fd] | O_NONBLOCK);
		} else if (!on && saved[fd] >= 0) {
			fcntl(fd, F_SETFL, saved[fd]);
			saved[fd] = -1;
		}
	}
}

/* Window size of the first terminal among fds 0, 1, 2 (80x24 if none). */
static void window_size(struct winsize *ws)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (ioctl(fd, TIOCGWINSZ, ws) == 0 && ws->ws_col > 0) {
			return;
		}
	}
	memset(ws, 0, sizeof(*ws));
	ws->ws_col = 80;
	ws->ws_row = 24;
}

static void show_banner(void *ud, const char *text, size_t len)
{
	size_t i;

	(void)ud;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		fputc(ch >= 0x20 || ch == '\n' || ch == '\t' ? ch : '?', stderr);
	}
}

/* PTY or not, command, terminal modes; *raw says to put stdin in raw mode. */
static int prepare_run(const connect_opts *o, ns_client_run_opts *ro, uint8_t *modes, char *command,
                       int *raw)
{
	struct termios t;
	struct winsize ws;
	const char *term = getenv("TERM");

	ns_client_run_opts_init(ro);
	*raw = 0;
	ro->forwards = o->fw;
	ro->nforwards = o->nfw;
	ro->no_session = o->no_session;
	if (o->no_session) {
		return 0;
	}
	if (o->nwords > 0) {
		if (ns_client_join_words(o->words, o->nwords, command, NS_CLIENT_COMMAND_MAX) !=
		    0) {
			return ns_cli_fail(cmd_name, "command longer than %d bytes",
			                   NS_CLIENT_COMMAND_MAX);
		}
		ro->command = command;
	}
	if (!(o->tty == 1 || (o->tty == -1 && o->nwords == 0 && isatty(0)))) {
		return 0;
	}
	ro->pty = 1;
	ro->term = term != NULL && term[0] != '\0' ? term : "dumb";
	window_size(&ws);
	ro->cols = ws.ws_col;
	ro->rows = ws.ws_row;
	ro->width_px = ws.ws_xpixel;
	ro->height_px = ws.ws_ypixel;
	if (isatty(0) && tcgetattr(0, &t) == 0 &&
	    ns_tty_modes_encode(&t, modes, NS_TTY_MODES_MAX, &ro->modes_len) == 0) {
		ro->modes = modes;
		*raw = 1;
	}
	ro->tty_fd = isatty(0) ? 0 : isatty(1) ? 1 : -1;
	ro->winch_fd = ro->tty_fd >= 0 ? ns_tty_winch_fd() : -1;
	return 0;
}

static int route_moved; /* the relay said the certificate's route no longer holds */

int ns_cmd_connect_moved(void)
{
	return route_moved;
}

/* The connection's failure on stderr; the relay's "has moved" refusal
 * noted for `nullspace ssh --native`, which then mints anew once. */
static int conn_fail(const char *msg)
{
	route_moved = strstr(msg, NS_ROUTE_MOVED_TEXT) != NULL;
	return ns_cli_fail(cmd_name, "%s", msg);
}

static int run(ns_client *c, const connect_opts *o)
{
	static char command[NS_CLIENT_COMMAND_MAX];
	uint8_t modes[NS_TTY_MODES_MAX];
	ns_client_run_opts ro;
	int raw, rc;

	if (prepare_run(o, &ro, modes, command, &raw) != 0) {
		return NS_EXIT_OWN_ERROR;
	}
	if (raw && ns_tty_raw(0, NULL) != 0) {
		return ns_cli_fail(cmd_name, "cannot put the terminal in raw mode: %s",
		                   strerror(errno));
	}
	stdout_nonblock(1);
	rc = ns_client_run(c, &ro);
	stdout_nonblock(0);
	ns_tty_restore();
	if (rc < 0) {
		return conn_fail(ns_client_error(c)[0] ? ns_client_error(c) : ns_strerror(rc));
	}
	return rc;
}

static int connect_and_run(const connect_opts *o, const char *user, const char *host, unsigned port)
{
	char keypath[PATH_MAX_LEN], known[PATH_MAX_LEN], err[NS_CLIENT_ERR_MAX];
	static uint8_t cert[NS_CERT_BLOB_MAX];
	size_t cert_len = 0;
	ns_client_config cfg;
	ns_client *c = NULL;
	ns_connect_key ck;
	ns_cert parsed;
	int rc, have_cert_pk = 0;

	snprintf(keypath, sizeof(keypath), "%s/.ssh/id_ed25519", home_dir());
	snprintf(known, sizeof(known), "%s/.ssh/known_hosts", home_dir());
	if (o->cert != NULL) {
		if (ns_cli_load_cert(cmd_name, "certificate", o->cert, cert, sizeof(cert),
		                     &cert_len) != 0) {
			return NS_EXIT_OWN_ERROR;
		}
		/* its key picks the agent's key; the server judges the rest */
		have_cert_pk = ns_cert_parse(cert, cert_len, &parsed, NULL) == 0;
	}
	if (ns_connect_key_load(cmd_name, o->key != NULL ? o->key : keypath,
	                        have_cert_pk ? parsed.pk : NULL, &ck) != 0) {
		return NS_EXIT_OWN_ERROR;
	}
	ns_client_config_init(&cfg);
	cfg.host = host;
	cfg.port = port;
	cfg.user = user;
	cfg.key = &ck.key;
	cfg.cert = o->cert != NULL ? cert : NULL;
	cfg.cert_len = cert_len;
	cfg.hostkey_policy = NS_HOSTKEY_STRICT;
	cfg.known_hosts = o->known != NULL ? o->known : known;
	cfg.banner = show_banner;
	if (ck.agent_fd >= 0) {
		cfg.sign = ns_connect_key_sign;
		cfg.sign_ud = &ck;
	}
	rc = ns_client_connect(&cfg, &c, err, sizeof(err));
	if (rc != 0) {
		rc = conn_fail(ck.err[0] ? ck.err : err);
		ns_connect_key_free(&ck);
		return rc;
	}
	ns_connect_key_free(&ck);
	rc = run(c, o);
	ns_client_close(c);
	return rc;
}

/* Closed fds 0-2 would be reused by the socket: point them at /dev/null. */
static void sanitise_stdfds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd) {
			return;
		}
	}
}

int ns_cmd_connect(int argc, char **argv)
{
	return ns_cmd_connect_as("connect", argc, argv);
}

int ns_cmd_connect_as(const char *name, int argc, char **argv)
{
	char user[256], host[256];
	unsigned tport = 0;
	connect_opts o;
	int rc;

	cmd_name = name;
	route_moved = 0;
	sanitise_stdfds();
	if ((rc = parse_args(argc, argv, &o)) != 0) {
		return rc > 0 ? 0 : NS_EXIT_OWN_ERROR;
	}
	if (ns_client_parse_target(o.target, user, sizeof(user), host, sizeof(host), &tport) != 0) {
		return ns_cli_fail(cmd_name, "bad target '%s' (want USER@HOST or USER@HOST:PORT)",
		                   o.target);
	}
	if (sodium_init() < 0) {
		return ns_cli_fail(cmd_name, "libsodium failed to initialise");
	}
	signal(SIGPIPE, SIG_IGN); /* write errors come back as EPIPE */
	return connect_and_run(&o, user, host, o.port ? o.port : tport ? tport : 22);
}
