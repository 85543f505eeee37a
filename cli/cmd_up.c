/* `nullspace up`: the whole control plane on this machine. It prepares the
 * state folder (locked first: one owner), starts the sandbox runtime, the
 * API server and the relay as a child, writes the CLI config, then serves
 * API requests and ticks the runtime until SIGINT/SIGTERM; then sandboxes,
 * relay and API stop in order, and the lock goes last. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "nullspace/error.h"
#include "runtime.h"
#include "server.h"
#include "tls_certgen.h"
#include "up_int.h"

#define SERVE_MS 500

static volatile sig_atomic_t stop_signal;

typedef struct up_opts {
	const char *api_listen, *relay_listen, *public_host;
	const char *host_ca;       /* --relay-host-ca FILE */
	const char *ws_listen;     /* NULL: no WebSocket listener */
	int no_isolation, ws_auto; /* ws_auto: a free port on the relay's host */
	int ws_tls;                /* wss:// with up_tls.c's certificate; 0: --websocket-plain */
	const char *max_sandboxes;
	const char *agent_binary; /* --agent-binary, or NULL: this binary */
	const char *resume_grace; /* --resume-grace, or NULL: the relay's default */
	unsigned long nmax;       /* 0: the runtime's default */
	unsigned long nmax_grace; /* --resume-grace, checked */
	char api_host[NS_UP_HOST_MAX], relay_host[NS_UP_HOST_MAX];
	unsigned api_port, relay_port, ws_port;
	char ws_host[NS_UP_HOST_MAX], ws_listen_buf[NS_UP_HOST_MAX + 16];
	char ws_public[NS_UP_HOST_MAX + 16]; /* HOST:PORT the signed URLs name */
	char api_addr[NS_UP_HOST_MAX + 16];  /* where clients reach the API */
	char api_url[NS_API_URL_MAX];
} up_opts;

typedef struct up_ctx {
	up_opts o;
	ns_up_state st;
	char exe[4096];
	ns_runtime *rt;
	ns_api_server *api;
	pid_t relay;
	ns_up_ws ws;
	uint8_t host_ca_pk[NS_ED25519_PK_LEN]; /* --relay-host-ca's public half */
} up_ctx;

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: nullspace up [--api-listen HOST:PORT] [--relay-listen HOST:PORT]\n"
	        "                    [--public-host NAME] [--max-sandboxes N] [--no-isolation]\n"
	        "                    [--websocket-listen HOST:PORT | --no-websocket]\n"
	        "                    [--websocket-plain] [--agent-binary FILE]\n"
	        "                    [--relay-host-ca FILE] [--resume-grace SECONDS]\n"
	        "\n"
	        "Runs the control plane on this machine until Ctrl-C or SIGTERM: the HTTP API\n"
	        "(default %s), the SSH relay (default %s) and the sandboxes,\n"
	        "each a `nullspace agent` isolated in namespaces of its own (docs/isolation.md),\n"
	        "its files under NULLSPACE_HOME/state. The first start creates a CA, the relay's\n"
	        "keys and a development API key and, once API and relay listen, writes the CLI\n"
	        "config NULLSPACE_HOME/config (mode 0600), so that `nullspace sandbox create` and\n"
	        "`nullspace ssh ID` work at once. NULLSPACE_HOME defaults to ~/.nullspace.\n"
	        "One `up` per NULLSPACE_HOME: while one runs, another exits 1 naming its pid and\n"
	        "API address, and changes nothing.\n"
	        "\n"
	        "  --api-listen HOST:PORT    where the API listens (an IP address, [V6]:PORT)\n"
	        "  --relay-listen HOST:PORT  where the relay listens\n"
	        "  --public-host NAME        the relay host clients are told to connect to\n"
	        "                            (default: the --relay-listen host; 127.0.0.1 for\n"
	        "                            0.0.0.0 and ::1 for ::)\n"
	        "  --websocket-listen HOST:PORT  the relay's wss:// listener (default: the\n"
	        "                            --relay-listen host and a port free at the start,\n"
	        "                            shown in the log): access objects then carry a\n"
	        "                            signed websocket_url, a bearer credential\n"
	        "                            (docs/api.md); its secret is\n"
	        "                            NULLSPACE_HOME/state/ws_secret (0600). Its TLS\n"
	        "                            certificate is self-signed for the public host,\n"
	        "                            made on the first start and renewed when it has\n"
	        "                            less than %d days left; its SHA-256 is kept in\n"
	        "                            NULLSPACE_HOME/state/ws_tls_cert.sha256 and handed\n"
	        "                            out with every websocket_url for the CLI to pin\n"
	        "  --websocket-plain         serve that listener as plain ws:// (for a TLS\n"
	        "                            front end of your own in front of it)\n"
	        "  --no-websocket            no WebSocket listener, no websocket_url\n"
	        "  --relay-host-ca FILE      a host CA key (openssh-key-v1 ed25519, 0600): it\n"
	        "                            signs the relay's host key for the public host\n"
	        "                            at each start, the relay presents that host\n"
	        "                            certificate and clients pin the CA with\n"
	        "                            @cert-authority, so every relay the CA signed\n"
	        "                            passes (docs/relay.md, \"One identity\")\n"
	        "  --max-sandboxes N         sandboxes running at once (default %d, at most %d)\n"
	        "  --agent-binary FILE       run FILE as each sandbox's agent instead of this\n"
	        "                            binary, e.g. the static build of `make static`\n"
	        "                            (bin/nullspace-static)\n"
	        "  --resume-grace SECONDS    how long the relay keeps a resumable connection\n"
	        "                            whose network dropped (default 120; 0: off)\n"
	        "  --no-isolation            development only: sandboxes run as this user and\n"
	        "                            see every file of this user's, NULLSPACE_HOME and\n"
	        "                            its CA key included\n"
	        "\n"
	        "Stopping stops every sandbox, then the relay. Exit status 0 after a signal,\n"
	        "1 when something failed (address in use, NULLSPACE_HOME in use, unreadable\n"
	        "state), 2 for bad flags.\n",
	        NS_UP_API_DEFAULT, NS_UP_RELAY_DEFAULT, NS_TLS_CERT_RENEW_DAYS,
	        NS_RUNTIME_MAX_SANDBOXES, NS_UP_MAX_SANDBOXES_LIMIT);
}

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "nullspace up: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	return NS_EXIT_USAGE;
}

/* -1: go on; else the exit code. */
static int parse_args(int argc, char **argv, up_opts *o)
{
	int i;

	o->api_listen = NS_UP_API_DEFAULT;
	o->relay_listen = NS_UP_RELAY_DEFAULT;
	o->ws_auto = 1;
	o->ws_tls = 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(a, "--no-isolation") == 0) {
			o->no_isolation = 1;
			continue;
		}
		if (strcmp(a, "--no-websocket") == 0) {
			o->ws_listen = NULL;
			o->ws_auto = 0;
			continue;
		}
		if (strcmp(a, "--websocket-tls") == 0) { /* the default; kept for old scripts */
			o->ws_tls = 1;
			continue;
		}
		if (strcmp(a, "--websocket-plain") == 0) {
			o->ws_tls = 0;
			continue;
		}
		if (strcmp(a, "--api-listen") != 0 && strcmp(a, "--relay-listen") != 0 &&
		    strcmp(a, "--public-host") != 0 && strcmp(a, "--max-sandboxes") != 0 &&
		    strcmp(a, "--agent-binary") != 0 && strcmp(a, "--websocket-listen") != 0 &&
		    strcmp(a, "--relay-host-ca") != 0 && strcmp(a, "--resume-grace") != 0) {
			return bad_usage("unknown option %s", a);
		}
		if (i + 1 >= argc || argv[i + 1][0] == '\0') {
			return bad_usage("%s needs a value", a);
		}
		if (strcmp(a, "--api-listen") == 0) {
			o->api_listen = argv[++i];
		} else if (strcmp(a, "--relay-listen") == 0) {
			o->relay_listen = argv[++i];
		} else if (strcmp(a, "--max-sandboxes") == 0) {
			o->max_sandboxes = argv[++i];
		} else if (strcmp(a, "--agent-binary") == 0) {
			o->agent_binary = argv[++i];
		} else if (strcmp(a, "--resume-grace") == 0) {
			o->resume_grace = argv[++i];
		} else if (strcmp(a, "--websocket-listen") == 0) {
			o->ws_listen = argv[++i];
			o->ws_auto = 0;
		} else if (strcmp(a, "--relay-host-ca") == 0) {
			o->host_ca = argv[++i];
		} else {
			o->public_host = argv[++i];
		}
	}
	if (o->max_sandboxes != NULL &&
	    ns_cli_parse_uint(o->max_sandboxes, 1, NS_UP_MAX_SANDBOXES_LIMIT, &o->nmax) != 0) {
		return bad_usage("--max-sandboxes %s: want a number from 1 to 4096",
		                 o->max_sandboxes);
	}
	if (o->resume_grace != NULL &&
	    (ns_cli_parse_uint(o->resume_grace, 0, 3600, &o->nmax_grace) != 0 ||
	     strlen(o->resume_grace) > 8)) {
		return bad_usage("--resume-grace %s: want seconds from 0 to 3600", o->resume_grace);
	}
	if (ns_up_parse_addr(o->api_listen, o->api_host, sizeof(o->api_host), &o->api_port) != 0) {
		return bad_usage("--api-listen %s: want IP:PORT or [IPV6]:PORT", o->api_listen);
	}
	if (ns_up_parse_addr(o->relay_listen, o->relay_host, sizeof(o->relay_host),
	                     &o->relay_port) != 0) {
		return bad_usage("--relay-listen %s: want IP:PORT or [IPV6]:PORT", o->relay_listen);
	}
	if (o->ws_auto) {
		snprintf(o->ws_host, sizeof(o->ws_host), "%s", o->relay_host);
		if (ns_up_free_port(o->ws_host, &o->ws_port) != 0) {
			fprintf(stderr, "nullspace up: no free port for the WebSocket listener\n");
			return NS_EXIT_FAILURE;
		}
		ns_up_format_addr(o->ws_host, o->ws_port, o->ws_listen_buf,
		                  sizeof(o->ws_listen_buf));
		o->ws_listen = o->ws_listen_buf;
	} else if (o->ws_listen != NULL && ns_up_parse_addr(o->ws_listen, o->ws_host,
	                                                    sizeof(o->ws_host), &o->ws_port) != 0) {
		return bad_usage("--websocket-listen %s: want IP:PORT or [IPV6]:PORT",
		                 o->ws_listen);
	}
	if (o->public_host != NULL && (strlen(o->public_host) >= NS_UP_HOST_MAX ||
	                               strpbrk(o->public_host, " \t\r\n/@[]") != NULL)) {
		return bad_usage("--public-host %s: want a host name or address", o->public_host);
	}
	if (o->public_host == NULL) {
		o->public_host = ns_up_local_host(o->relay_host);
	}
	if (o->ws_listen != NULL) { /* the signed URLs name the public host */
		ns_up_format_addr(o->public_host, o->ws_port, o->ws_public, sizeof(o->ws_public));
	}
	/* the URL clients use: a wildcard address is reached on loopback */
	ns_up_format_addr(ns_up_local_host(o->api_host), o->api_port, o->api_addr,
	                  sizeof(o->api_addr));
	snprintf(o->api_url, sizeof(o->api_url), "http://%s", o->api_addr);
	return -1;
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: the wait for requests ends */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* The relay is the only child of ours that is not the runtime's. */
static int own_child(void *ud, pid_t pid)
{
	const up_ctx *c = ud;

	return c->relay > 0 && pid == c->relay;
}

static int start_runtime(up_ctx *c, char *err, size_t cap)
{
	ns_runtime_config rc;

	memset(&rc, 0, sizeof(rc));
	rc.exe = c->exe;
	rc.agent_exe = c->o.agent_binary;
	rc.sandboxes_dir = c->st.sandboxes;
	rc.registry_dir = c->st.registry;
	rc.relay_client_key_line = c->st.relay_client_line;
	rc.no_isolation = c->o.no_isolation;
	rc.max_sandboxes = (uint32_t)c->o.nmax;
	rc.log = ns_up_log_line;
	rc.own_child = own_child;
	rc.own_child_ud = c;
	return ns_runtime_open(&rc, &c->rt, err, cap);
}

static int start_api(up_ctx *c, char *err, size_t cap)
{
	ns_api_server_config sc;

	memset(&sc, 0, sizeof(sc));
	sc.listen_host = c->o.api_host;
	sc.listen_port = c->o.api_port;
	sc.runtime = c->rt;
	sc.keys = &c->st.keys;
	sc.ca = &c->st.ca;
	sc.relay_host = c->o.public_host;
	sc.relay_port = c->o.relay_port;
	sc.relay_host_key = c->st.relay_host_pk;
	sc.relay_host_ca = c->o.host_ca != NULL ? c->host_ca_pk : NULL;
	sc.agent_key = &c->st.relay_client;
	sc.registry_dir = c->st.registry;
	sc.revoked_path = c->st.revoked;
	sc.url_secret = c->st.files_secret;
	sc.public_url = c->o.api_url;
	if (c->o.ws_listen != NULL) {
		sc.ws_hostport = c->o.ws_public;
		sc.ws_secret = c->ws.secret;
		sc.ws_secret_len = c->ws.secret_len;
		if (c->o.ws_tls) {
			sc.ws_tls = 1;
			sc.ws_tls_sha256 = c->st.ws_sha256;
		}
	}
	sc.log = ns_up_log_line;
	return ns_api_server_start(&sc, &c->api, err, cap);
}

/* Everything up to serving; err names what failed. */
static int start(up_ctx *c, char *err, size_t cap)
{
	ssize_t n;
	int rc, ready = -1;

	if ((n = readlink("/proc/self/exe", c->exe, sizeof(c->exe) - 1)) <= 0) {
		snprintf(err, cap, "cannot find our own binary: %s", strerror(errno));
		return NS_ERR_IO;
	}
	c->exe[n] = '\0';
	/* the state folder's lock first: until then nothing is touched */
	if ((rc = ns_up_state_open(&c->st, c->o.api_url, c->o.api_addr, err, cap)) != 0 ||
	    (c->o.ws_listen != NULL && (rc = ns_up_ws_secret(c->st.dir, &c->ws, err, cap)) != 0) ||
	    (c->o.ws_listen != NULL && c->o.ws_tls &&
	     (rc = ns_up_tls_prepare(&c->st, c->o.ws_listen, c->o.public_host, err, cap)) != 0) ||
	    (c->o.host_ca != NULL && (rc = ns_up_host_ca(&c->st, c->o.host_ca, c->o.public_host,
	                                                 c->host_ca_pk, err, cap)) != 0) ||
	    (rc = start_runtime(c, err, cap)) != 0) {
		return rc;
	}
	if ((rc = start_api(c, err, cap)) != 0) {
		if (err[0] == '\0') {
			snprintf(err, cap, "cannot serve the API on %s: %s", c->o.api_listen,
			         ns_strerror(rc));
		}
		return rc;
	}
	if (c->o.resume_grace != NULL) {
		snprintf(c->st.resume_grace, sizeof(c->st.resume_grace), "%lu", c->o.nmax_grace);
	}
	/* the plain message for the usual case; a listener that comes between
	 * this and the relay's bind makes the relay exit, and the wait says so */
	if (ns_up_tcp_accepts(ns_up_local_host(c->o.relay_host), c->o.relay_port)) {
		snprintf(err, cap, "cannot start the relay on %s: address already in use",
		         c->o.relay_listen);
		return NS_ERR_IO;
	}
	if (c->o.ws_listen != NULL &&
	    ns_up_tcp_accepts(ns_up_local_host(c->o.ws_host), c->o.ws_port)) {
		snprintf(err, cap,
		         "cannot start the relay's WebSocket listener on %s: address "
		         "already in use (--websocket-listen, or --no-websocket)",
		         c->o.ws_listen);
		return NS_ERR_IO;
	}
	if ((rc = ns_up_relay_start(c->exe, c->o.relay_listen, c->o.ws_listen, c->ws.secret_path,
	                            &c->st, &c->relay, &ready, err, cap)) != 0) {
		return rc;
	}
	if ((rc = ns_up_relay_wait(&c->relay, &ready, NS_UP_RELAY_START_MS, err, cap)) != 0) {
		return rc;
	}
	/* API and relay listen: now the CLI config may point at them */
	return ns_up_state_publish(&c->st, err, cap);
}

static void banner(const up_ctx *c)
{
	char fp[NS_FINGERPRINT_LEN];

	ns_key_fingerprint(c->st.relay_host_pk, fp);
	ns_up_log("API on %s", c->o.api_url);
	ns_up_log("relay on %s (clients connect to %s:%u), host key %s", c->o.relay_listen,
	          c->o.public_host, c->o.relay_port, fp);
	if (c->o.ws_listen != NULL) {
		ns_up_log("WebSocket listener on %s (signed URLs name %s://%s; bearer credentials)",
		          c->o.ws_listen, c->o.ws_tls ? "wss" : "ws", c->o.ws_public);
	}
	if (c->o.ws_tls && c->st.ws_sha256[0] != '\0') {
		ns_up_log("wss:// certificate SHA-256 %s", c->st.ws_sha256);
	}
	ns_up_log("state in %s; CLI config %s %s", c->st.dir, c->st.config_path,
	          c->st.config_action);
	ns_up_log("try: nullspace sandbox create, then nullspace ssh ID (Ctrl-C stops everything)");
}

/* Serve until a signal (0) or the relay dies (1). */
static int serve(up_ctx *c)
{
	int st = 0;

	while (!stop_signal) {
		if (ns_api_server_run(c->api, SERVE_MS) != 0 && !stop_signal) {
			struct timespec ts = {
			    0, 100 * 1000000L}; /* no busy loop on a failing server */
			nanosleep(&ts, NULL);
		}
		ns_runtime_tick(c->rt, (int64_t)time(NULL));
		if (ns_up_relay_exited(c->relay, &st)) {
			c->relay = 0;
			if (WIFSIGNALED(st)) {
				ns_up_log("the relay died (signal %d); stopping", WTERMSIG(st));
			} else {
				ns_up_log("the relay exited (status %d); stopping",
				          WEXITSTATUS(st));
			}
			return NS_EXIT_FAILURE;
		}
	}
	ns_up_log("%s received: stopping the sandboxes, then the relay",
	          stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
	return 0;
}

static void shutdown_all(up_ctx *c)
{
	ns_runtime_close(c->rt);
	c->rt = NULL;
	if (c->relay > 0) {
		ns_up_relay_stop(c->relay, NS_UP_RELAY_STOP_MS);
		c->relay = 0;
	}
	ns_api_server_stop(c->api);
	c->api = NULL;
	ns_up_ws_free(&c->ws);
	ns_up_state_close(&c->st);
}

int ns_cmd_up(int argc, char **argv)
{
	char err[NS_UP_ERR_MAX] = "";
	up_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL) {
		fprintf(stderr, "nullspace up: out of memory\n");
		return NS_EXIT_FAILURE;
	}
	c->st.lock_fd = -1;
	if ((rc = parse_args(argc, argv, &c->o)) >= 0) {
		free(c);
		return rc;
	}
	setvbuf(stderr, NULL, _IOLBF, 0);
	if (sodium_init() < 0) {
		ns_up_log("libsodium failed to initialise");
		free(c);
		return NS_EXIT_FAILURE;
	}
	signals();
	if (start(c, err, sizeof(err)) != 0) {
		ns_up_log("%s", err[0] != '\0' ? err : "start failed");
		rc = NS_EXIT_FAILURE;
	} else {
		banner(c);
		rc = serve(c);
	}
	shutdown_all(c);
	if (err[0] == '\0') {
		ns_up_log("stopped");
	}
	free(c);
	return rc;
}
