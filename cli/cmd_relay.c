/* `nullspace relay`: the certificate-checking SSH front door to sandboxes.
 * Parses the options, loads the host and client keys (refusing files others
 * may read), raises the open-files limit for thousands of connections and
 * runs the relay loop until SIGTERM has drained it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <sodium.h>

#include "algs_check.h"
#include "cli.h"
#include "keyfiles.h"
#include "nullspace/cert.h"
#include "nullspace/engine.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"
#include "nullspace/pubkey.h"
#include "file.h"
#include "relay.h"
#include "ws_url.h"

#define CMD "relay"
#define MAX_SECONDS 86400
#define MAX_CHANNELS 512
#define MAX_AUTH_TRIES 64

typedef struct opts {
	ns_relay_config cfg;
	const char *host_key, *client_key;
	int ready_fd;
	const char *ws_secret; /* --websocket-secret FILE */
	const char *host_cert; /* --host-cert FILE */
	const char *routing;   /* --routing MODE */
	const char *rev_key;   /* --revocations-key FILE */
	const char *act_key;   /* --activity-key FILE */
} opts;

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: nullspace relay [--listen 127.0.0.1:2222] --host-key FILE --ca-keys FILE\n"
	    "                       [--revoked FILE] [--registry DIR] --client-key FILE\n"
	    "                       [--routing cert|registry|cert-then-registry]\n"
	    "                       [--host-cert FILE]\n"
	    "                       [--revocations-url URL [--revocations-key FILE]\n"
	    "                        [--revocations-interval S] [--revocations-max-stale S]\n"
	    "                        [--revocations-fail closed|open]]\n"
	    "                       [--activity-url URL [--activity-key FILE]\n"
	    "                        [--activity-interval S]]\n"
	    "                       [--max-connections N] [--max-unauth-per-source N]\n"
	    "                       [--login-grace-time S] [--max-channels N]\n"
	    "                       [--max-auth-tries N] [--keepalive S] [--drain-timeout S]\n"
	    "                       [--max-startups START:RATE:FULL]\n"
	    "                       [--max-connections-per-sandbox N]\n"
	    "                       [--max-channels-per-sandbox N] [--max-authed-per-source N]\n"
	    "                       [--ready-fd N] [--max-cert-lifetime DURATION]\n"
	    "                       [--resume-grace SECONDS] [--idle-timeout MINUTES]\n"
	    "                       [--end-sessions-at-expiry [--expiry-warning SECONDS]]\n"
	    "                       [--ciphers LIST] [--kex LIST] [--macs LIST]\n"
	    "                       [--websocket-listen HOST:PORT --websocket-secret FILE\n"
	    "                        [--tls-cert FILE --tls-key FILE]]\n"
	    "                       [--proxy-protocol-from CIDR,...] [--admin-listen HOST:PORT]\n"
	    "\n"
	    "The SSH front door to sandboxes. Users log in as the sandbox id with an OpenSSH\n"
	    "user certificate signed by a CA in --ca-keys (principal = the sandbox id;\n"
	    "validity, source-address, force-command and permit-pty enforced; serials, key\n"
	    "ids and keys in --revoked refused). Each session channel is spliced to the\n"
	    "sandbox's agent, found in the registry DIR, whose host key is pinned; the relay\n"
	    "logs in there with --client-key. Only shell and exec sessions: subsystems\n"
	    "(sftp), port, X11 and agent forwarding are refused. Both keys are unencrypted\n"
	    "openssh-key-v1 ed25519 files only their owner may read. One log line per event\n"
	    "on stderr. SIGHUP re-reads --ca-keys and --revoked; SIGTERM stops accepting,\n"
	    "lets sessions end (at most --drain-timeout) and exits 0.\n"
	    "\n"
	    "  --listen ADDR              HOST:PORT, [V6]:PORT or unix:PATH (default "
	    "127.0.0.1:2222)\n"
	    "  --routing MODE             where logins go: cert (the certificate's\n"
	    "                             agent@nullspace route only; no registry needed),\n"
	    "                             registry (DIR only), cert-then-registry (the\n"
	    "                             route, else DIR); default cert-then-registry\n"
	    "                             with --registry, cert without\n"
	    "  --host-cert FILE           an OpenSSH host certificate of --host-key, signed\n"
	    "                             by a host CA users pin with @cert-authority\n"
	    "  --revocations-url URL      poll the API's revocation list (GET\n"
	    "                             /v1/revocations, ETag) every --revocations-interval\n"
	    "                             (default 30); a revoked certificate's logins are\n"
	    "                             refused and its sessions end; --revocations-key\n"
	    "                             FILE holds the API key sent (Bearer)\n"
	    "  --revocations-max-stale S  no list fetched for S seconds (default 300):\n"
	    "  --revocations-fail MODE    closed (default) refuses new logins, open lets\n"
	    "                             them in; logged either way\n"
	    "  --activity-url URL         keep-awake: every --activity-interval S (default\n"
	    "                             %d, at least 1) POST the sandboxes whose sessions\n"
	    "                             moved bytes to the API's /v1/activity, which\n"
	    "                             extends their timeout; --activity-key FILE holds\n"
	    "                             the API key sent (Bearer)\n"
	    "  --max-connections N        default %d\n"
	    "  --max-unauth-per-source N  unauthenticated connections per address "
	    "(default %d)\n"
	    "  --login-grace-time S       default %d\n"
	    "  --max-channels N           sessions per connection (default %d)\n"
	    "  --max-auth-tries N         default %d\n"
	    "  --max-startups S:R:F       unauthenticated connections: from S, drop one with\n"
	    "                             R%% chance per arrival, rising to 100%% at F (the\n"
	    "                             address holding most goes first; default %d:%d:%d)\n"
	    "  --max-connections-per-sandbox N  logged in to one sandbox (default %d)\n"
	    "  --max-channels-per-sandbox N     sessions across them (default %d)\n"
	    "  --max-authed-per-source N  logged-in connections per address (default %d)\n"
	    "  --keepalive S              probe idle users and agents (default %d; 0 off)\n"
	    "  --drain-timeout S          default %d\n"
	    "  --resume-grace S           keep a resumable connection (nullspace proxy) whose\n"
	    "                             socket was lost this long (default %d; 0 off)\n"
	    "  --idle-timeout MINUTES     close a connection whose sessions moved no byte\n"
	    "                             for that long, with a message (default 0: never)\n"
	    "  --end-sessions-at-expiry   end a connection when its certificate expires\n"
	    "                             (by default a session outlives it, as with\n"
	    "                             OpenSSH), warning its sessions on stderr\n"
	    "  --expiry-warning SECONDS   that long before (default %d)\n"
	    "  --ready-fd N               write \"ready\\n\" to descriptor N (3 or more) once\n"
	    "                             listening, then close it (for supervisors)\n"
	    "  --max-cert-lifetime D      refuse certificates valid for longer than D\n"
	    "                             (600, 10m, 1h, 2d; default: no limit)\n"
	    "  --ciphers LIST, --kex LIST, --macs LIST\n"
	    "                             what to offer users, comma-separated, each once\n"
	    "                             (default: every algorithm of docs/algorithms.md;\n"
	    "                             e.g. --kex curve25519-sha256 --macs\n"
	    "                             hmac-sha2-512-etm@openssh.com to drop what audit\n"
	    "                             tools flag, at the cost of FIPS clients and\n"
	    "                             libssh2 1.10)\n"
	    "  --websocket-listen ADDR    also accept SSH carried in WebSocket binary frames\n"
	    "                             (ws://, or wss:// with --tls-cert) at the signed URL\n"
	    "                             /v1/sandboxes/ID/ssh?exp=UNIX_SECONDS&sig=HEX;\n"
	    "                             the certificate login still applies, for ID only\n"
	    "  --websocket-secret FILE    the URL signing secret: 32 to 1024 bytes (one\n"
	    "                             trailing newline ignored); docs/relay.md\n"
	    "  --tls-cert FILE            serve wss://: the PEM certificate chain (leaf first)\n"
	    "  --tls-key FILE             and its PEM private key, ECDSA P-256 or RSA >= 2048\n"
	    "                             bits; TLS 1.2 (BearSSL has no 1.3), ECDHE with\n"
	    "                             AES-GCM or ChaCha20-Poly1305 only\n"
	    "  --proxy-protocol-from LIST behind a load balancer: connections from these\n"
	    "                             addresses (IPv4/IPv6 CIDRs, comma-separated) must\n"
	    "                             open with a PROXY protocol v2 header, whose client\n"
	    "                             address then counts for limits, source-address and\n"
	    "                             logs; a header from anyone else is refused\n"
	    "  --admin-listen ADDR        serve GET /healthz (503 while draining) and\n"
	    "                             GET /metrics (Prometheus text) on HOST:PORT\n"
	    "\n"
	    "What a user's ssh sees: a refused certificate ends with 'Permission denied'\n"
	    "(exit 255); an unknown or stopped sandbox disconnects with 'sandbox ID not\n"
	    "found' / 'sandbox ID is stopped' (255); an unreachable agent refuses the\n"
	    "session with 'sandbox ID is unreachable' (255); a lost agent prints\n"
	    "'nullspace relay: connection to sandbox ID lost' and ssh exits 255; over a cap\n"
	    "it reads 'sandbox ID has N connections open, the limit' (or 'N sessions',\n"
	    "'address A has N connections') (255). Otherwise ssh exits with the remote\n"
	    "command's status.\n",
	    NS_RELAY_ACTIVITY_INTERVAL_MS / 1000, NS_RELAY_MAX_CONNECTIONS,
	    NS_RELAY_MAX_UNAUTH_PER_SOURCE, NS_RELAY_LOGIN_GRACE_MS / 1000, NS_RELAY_MAX_CHANNELS,
	    NS_DEFAULT_MAX_AUTH_TRIES, NS_RELAY_STARTUPS_START, NS_RELAY_STARTUPS_RATE,
	    NS_RELAY_STARTUPS_FULL, NS_RELAY_MAX_CONNS_PER_SANDBOX,
	    NS_RELAY_MAX_CHANNELS_PER_SANDBOX, NS_RELAY_MAX_AUTHED_PER_SOURCE,
	    NS_RELAY_KEEPALIVE_MS / 1000, NS_RELAY_DRAIN_MS / 1000, NS_RELAY_RESUME_GRACE_MS / 1000,
	    NS_RELAY_EXPIRY_WARNING_S);
}

/* A numeric option into *out (scaled); 1 if a was one, -1 for a bad value. */
static int num_opt(const char *a, const char *val, const char *name, unsigned long lo,
                   unsigned long hi, uint32_t scale, uint32_t *out)
{
	unsigned long v;

	if (strcmp(a, name) != 0) {
		return 0;
	}
	if (ns_cli_parse_uint(val, lo, hi, &v) != 0) {
		return -1;
	}
	*out = (uint32_t)(v * scale);
	return 1;
}

static int numeric(opts *o, const char *a, const char *val)
{
	ns_relay_config *c = &o->cfg;
	int r;

	if ((r = num_opt(a, val, "--max-connections", 1, NS_RELAY_MAX_CONNECTIONS_LIMIT, 1,
	                 &c->max_connections)) ||
	    (r = num_opt(a, val, "--max-unauth-per-source", 1, 1000000, 1,
	                 &c->max_unauth_per_source)) ||
	    (r = num_opt(a, val, "--login-grace-time", 1, 3600, 1000, &c->login_grace_ms)) ||
	    (r = num_opt(a, val, "--max-channels", 1, MAX_CHANNELS, 1, &c->max_channels)) ||
	    (r = num_opt(a, val, "--max-auth-tries", 1, MAX_AUTH_TRIES, 1, &c->max_auth_tries)) ||
	    (r = num_opt(a, val, "--max-connections-per-sandbox", 1, NS_RELAY_MAX_CONNECTIONS_LIMIT,
	                 1, &c->max_conns_per_sandbox)) ||
	    (r = num_opt(a, val, "--max-channels-per-sandbox", 1,
	                 NS_RELAY_MAX_CHANNELS_PER_SANDBOX_LIMIT, 1,
	                 &c->max_channels_per_sandbox)) ||
	    (r = num_opt(a, val, "--max-authed-per-source", 1, NS_RELAY_MAX_CONNECTIONS_LIMIT, 1,
	                 &c->max_authed_per_source)) ||
	    (r = num_opt(a, val, "--keepalive", 0, MAX_SECONDS, 1000, &c->keepalive_ms)) ||
	    (r = num_opt(a, val, "--drain-timeout", 0, MAX_SECONDS, 1000, &c->drain_ms)) ||
	    (r = num_opt(a, val, "--revocations-interval", 1, MAX_SECONDS, 1000,
	                 &c->revocations_interval_ms)) ||
	    (r = num_opt(a, val, "--revocations-max-stale", 1, MAX_SECONDS, 1000,
	                 &c->revocations_max_stale_ms)) ||
	    (r = num_opt(a, val, "--activity-interval", 1, MAX_SECONDS, 1000,
	                 &c->activity_interval_ms)) ||
	    (r = num_opt(a, val, "--resume-grace", 0, NS_RELAY_RESUME_GRACE_MAX_S, 1000,
	                 &c->resume_grace_ms)) ||
	    (r = num_opt(a, val, "--idle-timeout", 0, 7 * 24 * 60, 60000, &c->idle_timeout_ms)) ||
	    (r = num_opt(a, val, "--expiry-warning", 0, MAX_SECONDS, 1, &c->expiry_warning_s))) {
		return r;
	}
	return 0;
}

static int startups_opt(opts *o, const char *val)
{
	return ns_relay_startups_parse(val, &o->cfg.startups) == 0 ? 0 : -1;
}

/* The balancers' CIDR list, checked as source-address lists are. */
static int proxy_from_opt(opts *o, const char *val)
{
	ns_str list = {(const uint8_t *)val, strlen(val)};

	if (ns_cidr_list_match(list, "127.0.0.1") < 0) {
		fprintf(stderr,
		        "nullspace relay: --proxy-protocol-from takes IPv4/IPv6 addresses or CIDR "
		        "blocks, comma-separated, no host bits past the prefix: %s\n",
		        val);
		return -1;
	}
	o->cfg.proxy_from = val;
	return 0;
}

static int set_option(void *p, const char *a, const char *val)
{
	opts *o = p;

	if (strcmp(a, "--listen") == 0) {
		o->cfg.listen = val;
	} else if (strcmp(a, "--host-key") == 0) {
		o->host_key = val;
	} else if (strcmp(a, "--client-key") == 0) {
		o->client_key = val;
	} else if (strcmp(a, "--ca-keys") == 0) {
		o->cfg.ca_keys = val;
	} else if (strcmp(a, "--revoked") == 0) {
		o->cfg.revoked = val;
	} else if (strcmp(a, "--registry") == 0) {
		o->cfg.registry = val;
	} else if (strcmp(a, "--routing") == 0) {
		o->routing = val;
		return (o->cfg.routing = ns_relay_route_parse_mode(val)) != 0 ? 0 : -1;
	} else if (strcmp(a, "--host-cert") == 0) {
		o->host_cert = val;
	} else if (strcmp(a, "--revocations-url") == 0) {
		o->cfg.revocations_url = val;
	} else if (strcmp(a, "--revocations-key") == 0) {
		o->rev_key = val;
	} else if (strcmp(a, "--activity-url") == 0) {
		o->cfg.activity_url = val;
	} else if (strcmp(a, "--activity-key") == 0) {
		o->act_key = val;
	} else if (strcmp(a, "--revocations-fail") == 0) {
		if (strcmp(val, "closed") != 0 && strcmp(val, "open") != 0) {
			return -1;
		}
		o->cfg.revocations_fail_open = strcmp(val, "open") == 0;
	} else if (ns_cli_alg_option(a, val, &o->cfg.ciphers, &o->cfg.kex, &o->cfg.macs)) {
		return 0;
	} else if (strcmp(a, "--websocket-listen") == 0) {
		o->cfg.ws_listen = val;
	} else if (strcmp(a, "--websocket-secret") == 0) {
		o->ws_secret = val;
	} else if (strcmp(a, "--tls-cert") == 0) {
		o->cfg.tls_cert = val;
	} else if (strcmp(a, "--tls-key") == 0) {
		o->cfg.tls_key = val;
	} else if (strcmp(a, "--proxy-protocol-from") == 0) {
		return proxy_from_opt(o, val);
	} else if (strcmp(a, "--admin-listen") == 0) {
		o->cfg.admin_listen = val;
	} else if (strcmp(a, "--max-startups") == 0) {
		return startups_opt(o, val);
	} else if (strcmp(a, "--ready-fd") == 0 && (o->ready_fd = ns_cli_ready_fd(val)) >= 0) {
		o->cfg.on_ready = ns_cli_notify_ready;
		o->cfg.ready_ud = &o->ready_fd;
	} else if (strcmp(a, "--max-cert-lifetime") == 0) {
		return ns_cli_parse_duration(val, &o->cfg.max_cert_lifetime);
	} else if (numeric(o, a, val) != 1) {
		return -1;
	}
	return 0;
}

/* A flag without a value (every other option has one): taken out of argv,
 * *on set; the new argc. */
static int take_flag(int argc, char **argv, const char *flag, int *on)
{
	int i, j;

	for (i = j = 0; i < argc; i++) {
		if (i > 0 && strcmp(argv[i], flag) == 0) {
			*on = 1;
		} else {
			argv[j++] = argv[i];
		}
	}
	return j;
}

/* -1 to go on; otherwise the exit code. */
static int parse_args(int argc, char **argv, opts *o)
{
	int rc;

	o->cfg.listen = "127.0.0.1:2222";
	o->cfg.keepalive_ms = NS_RELAY_KEEPALIVE_MS;
	o->cfg.drain_ms = NS_RELAY_DRAIN_MS;
	o->cfg.revocations_interval_ms = NS_RELAY_REVOCATIONS_INTERVAL_MS;
	o->cfg.revocations_max_stale_ms = NS_RELAY_REVOCATIONS_MAX_STALE_MS;
	o->cfg.activity_interval_ms = NS_RELAY_ACTIVITY_INTERVAL_MS;
	o->cfg.resume_grace_ms = NS_RELAY_RESUME_GRACE_MS;
	o->cfg.expiry_warning_s = NS_RELAY_EXPIRY_WARNING_S;
	argc = take_flag(argc, argv, "--end-sessions-at-expiry", &o->cfg.end_at_expiry);
	if ((rc = ns_cli_options(CMD, argc, argv, set_option, o, usage)) >= 0) {
		return rc;
	}
	if (o->host_key == NULL || o->client_key == NULL || o->cfg.ca_keys == NULL) {
		return ns_cli_fail(CMD, "--host-key, --ca-keys and --client-key are required");
	}
	if (o->rev_key != NULL && o->cfg.revocations_url == NULL) {
		return ns_cli_fail(CMD, "--revocations-key goes with --revocations-url");
	}
	if (o->act_key != NULL && o->cfg.activity_url == NULL) {
		return ns_cli_fail(CMD, "--activity-key goes with --activity-url");
	}
	if (o->cfg.registry == NULL && o->cfg.routing != 0 &&
	    o->cfg.routing != NS_RELAY_ROUTE_CERT) {
		return ns_cli_fail(CMD, "--routing %s needs --registry", o->routing);
	}
	if ((o->cfg.ws_listen == NULL) != (o->ws_secret == NULL)) {
		return ns_cli_fail(CMD, "--websocket-listen and --websocket-secret go together");
	}
	if ((o->cfg.tls_cert == NULL) != (o->cfg.tls_key == NULL) ||
	    (o->cfg.tls_cert != NULL && o->cfg.ws_listen == NULL)) {
		return ns_cli_fail(CMD,
		                   "--tls-cert and --tls-key go together, with --websocket-listen");
	}
	return -1;
}

/* The URL signing secret: the file's bytes, one trailing newline off.
 * 0, or the exit code (the file's name, never its bytes, in the message). */
static int load_ws_secret(opts *o, char **secret)
{
	size_t len = 0;

	*secret = NULL;
	if (o->ws_secret == NULL) {
		return 0;
	}
	if (ns_file_read(o->ws_secret, NS_WS_SECRET_MAX + 2, secret, &len) != 0) {
		return ns_cli_fail(CMD, "cannot read the WebSocket secret %s", o->ws_secret);
	}
	if (len > 0 && (*secret)[len - 1] == '\n') {
		len--;
	}
	if (len > 0 && (*secret)[len - 1] == '\r') {
		len--;
	}
	if (len < NS_WS_SECRET_MIN || len > NS_WS_SECRET_MAX) {
		sodium_memzero(*secret, len);
		free(*secret);
		*secret = NULL;
		return ns_cli_fail(CMD, "the WebSocket secret %s must hold %d to %d bytes",
		                   o->ws_secret, NS_WS_SECRET_MIN, NS_WS_SECRET_MAX);
	}
	o->cfg.ws_secret = (const uint8_t *)*secret;
	o->cfg.ws_secret_len = len;
	return 0;
}

/* 5,000 connections need two fds each once they have a session. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* --host-cert: a host certificate line whose key is the host key's. 0, or
 * the exit code. */
static int load_host_cert(const char *path, const ns_key *host, uint8_t *blob, ns_relay_config *cfg)
{
	char *text = NULL;
	size_t len = 0, bloblen = 0;
	uint8_t want[NS_KEY_BLOB_LEN];
	ns_pubkey pk;
	ns_cert cert;
	int reason = 0, rc = 255;

	ns_key_blob(host->pk, want);
	if (ns_file_read(path, NS_CERT_LINE_MAX, &text, &len) != 0) {
		return ns_cli_fail(CMD, "cannot read the host certificate %s", path);
	}
	if (ns_cert_from_line(text, len, blob, NS_CERT_BLOB_MAX, &bloblen) != 0 ||
	    ns_cert_parse(blob, bloblen, &cert, &reason) != 0) {
		ns_cli_fail(CMD, "%s is not an OpenSSH certificate line", path);
	} else if (cert.type != NS_CERT_HOST) {
		ns_cli_fail(CMD,
		            "%s is a user certificate; a host certificate is needed "
		            "(nullspace cert sign --host)",
		            path);
	} else if (ns_cert_pubkey(&cert, &pk) != 0 || pk.blob_len != sizeof(want) ||
	           memcmp(pk.blob, want, sizeof(want)) != 0) {
		ns_cli_fail(CMD, "the host certificate %s is not for the key of --host-key", path);
	} else {
		cfg->host_cert = blob;
		cfg->host_cert_len = bloblen;
		rc = 0;
	}
	free(text);
	return rc;
}

/* --revocations-key, --activity-key: the API key on the file's first line
 * (never logged). 0, or the exit code. */
static int load_api_key(const char *path, char **key)
{
	size_t len = 0;

	if (ns_file_read(path, 4096, key, &len) != 0) {
		return ns_cli_fail(CMD, "cannot read the API key file %s", path);
	}
	(*key)[strcspn(*key, "\r\n")] = '\0';
	if ((*key)[0] == '\0' || strspn(*key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                                      "0123456789_-.") != strlen(*key)) {
		return ns_cli_fail(CMD, "%s holds no API key on its first line", path);
	}
	return 0;
}

static void wipe_free(char *key)
{
	if (key != NULL) {
		sodium_memzero(key, strlen(key));
		free(key);
	}
}

int ns_cmd_relay(int argc, char **argv)
{
	static uint8_t cert[NS_CERT_BLOB_MAX];
	char *rev_key = NULL, *act_key = NULL;
	ns_key host, client;
	char *secret = NULL;
	struct stat st;
	char err[256];
	opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	if ((rc = parse_args(argc, argv, &o)) >= 0) {
		return rc;
	}
	if (sodium_init() < 0) {
		return ns_cli_fail(CMD, "libsodium failed to initialise");
	}
	if (ns_server_algs_check(o.cfg.ciphers, o.cfg.kex, o.cfg.macs, err, sizeof(err)) != 0) {
		return ns_cli_fail(CMD, "%s", err);
	}
	if (o.cfg.registry != NULL && (stat(o.cfg.registry, &st) != 0 || !S_ISDIR(st.st_mode))) {
		return ns_cli_fail(CMD, "registry %s is not a folder", o.cfg.registry);
	}
	memset(&host, 0, sizeof(host));
	memset(&client, 0, sizeof(client));
	if ((rc = load_ws_secret(&o, &secret)) != 0) {
		goto out;
	}
	if (ns_cli_load_private_key(CMD, "host key", o.host_key, &host) != 0 ||
	    ns_cli_load_private_key(CMD, "client key", o.client_key, &client) != 0) {
		rc = 255;
		goto out;
	}
	if (o.host_cert != NULL && (rc = load_host_cert(o.host_cert, &host, cert, &o.cfg)) != 0) {
		goto out;
	}
	if ((o.rev_key != NULL && (rc = load_api_key(o.rev_key, &rev_key)) != 0) ||
	    (o.act_key != NULL && (rc = load_api_key(o.act_key, &act_key)) != 0)) {
		goto out;
	}
	o.cfg.revocations_key = rev_key;
	o.cfg.activity_key = act_key;
	raise_nofile();
	o.cfg.host_key = &host;
	o.cfg.client_key = &client;
	o.cfg.log = stderr;
	setvbuf(stderr, NULL, _IOLBF, 0);
	if ((rc = ns_relay_run(&o.cfg)) != 0) {
		fprintf(stderr, "nullspace relay: %s\n", ns_strerror(rc));
		rc = 255;
	}
out:
	ns_key_wipe(&host);
	ns_key_wipe(&client);
	wipe_free(rev_key);
	wipe_free(act_key);
	if (secret != NULL) {
		sodium_memzero(secret, o.cfg.ws_secret_len);
		free(secret);
	}
	return rc;
}
