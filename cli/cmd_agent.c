/* `nullspace agent`: the in-sandbox SSH server front-end. Parses the
 * options, loads the host key (refusing group/world-readable files) and
 * checks the authorized_keys file, then runs the agent loop until SIGTERM. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "algs_check.h"
#include "agent.h"
#include "cli.h"
#include "keyfiles.h"
#include "nullspace/engine.h"
#include "nullspace/error.h"
#include "nullspace/cert.h"
#include "nullspace/keys.h"

#define CMD "agent"
#define MAX_GRACE_SECONDS 3600
#define MAX_AUTH_TRIES 64 /* as the relay's --max-auth-tries */

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: nullspace agent --listen HOST:PORT|[V6]:PORT|unix:PATH|fd:N --host-key FILE\n"
	    "                       (--authorized-keys FILE | --ca-keys FILE)...\n"
	    "                       [--host-cert FILE] [--max-connections N]\n"
	    "                       [--max-unauth-per-source N] [--max-channels N]\n"
	    "                       [--max-auth-tries N]\n"
	    "                       [--login-grace-time SECONDS] [--keepalive SECONDS]\n"
	    "                       [--home DIR] [--ready-fd N]\n"
	    "                       [--max-cert-lifetime DURATION]\n"
	    "                       [--ciphers LIST] [--kex LIST] [--macs LIST]\n"
	    "                       [--forward-bind loopback|any]\n"
	    "\n"
	    "Serves SSH inside a sandbox without sshd: shell and exec sessions with or\n"
	    "without a PTY, public-key authentication against FILE (read again at every\n"
	    "login), and OpenSSH user certificates signed by a CA listed in the\n"
	    "--ca-keys FILE (principal = the login name; force-command, source-address\n"
	    "and permit-pty enforced). The host key is an unencrypted openssh-key-v1 ed25519 "
	    "file that\n"
	    "only its owner may read. Logs one line per event to stderr. SIGTERM or\n"
	    "SIGINT ends every session and exits 0.\n"
	    "\n"
	    "  --max-connections N        default %d\n"
	    "  --max-unauth-per-source N  unauthenticated TCP connections one address\n"
	    "                             may hold (default %d; unix-socket peers are\n"
	    "                             not counted)\n"
	    "  --max-channels N           sessions per connection (default %d, at most\n"
	    "                             %d; a relay's connection carries all of a\n"
	    "                             sandbox's sessions)\n"
	    "  --max-auth-tries N         failed attempts before the connection is\n"
	    "                             closed (default %d)\n"
	    "  --login-grace-time SECONDS unauthenticated connections are dropped after\n"
	    "                             this long (default %d)\n"
	    "  --keepalive SECONDS        probe idle clients (default 0: off)\n"
	    "  --home DIR                 sessions get HOME=DIR and start in DIR (default:\n"
	    "                             the user's home from the password database)\n"
	    "  --forward-bind loopback|any  where ssh -R may listen in the sandbox\n"
	    "                             (default loopback: 127.0.0.1, ::1)\n"
	    "  --ready-fd N               write \"ready\\n\" to descriptor N (3 or more) once\n"
	    "                             listening, then close it (for supervisors)\n"
	    "  --max-cert-lifetime D      refuse user certificates valid for longer than\n"
	    "                             D (600, 10m, 1h, 2d; default: no limit)\n"
	    "  --ciphers LIST, --kex LIST, --macs LIST\n"
	    "                             what to offer clients, comma-separated, each once\n"
	    "                             (default: every algorithm of docs/algorithms.md;\n"
	    "                             e.g. --kex curve25519-sha256 --macs\n"
	    "                             hmac-sha2-512-etm@openssh.com to drop what audit\n"
	    "                             tools flag, at the cost of FIPS clients and\n"
	    "                             libssh2 1.10)\n",
	    NS_AGENT_MAX_CONNECTIONS, NS_AGENT_MAX_UNAUTH_PER_SOURCE, NS_AGENT_MAX_CHANNELS,
	    NS_AGENT_MAX_CHANNELS_LIMIT, NS_DEFAULT_MAX_AUTH_TRIES, NS_AGENT_LOGIN_GRACE_MS / 1000);
}

/* The certificate must be a host certificate for our host key. */
static int check_host_cert(const uint8_t *blob, size_t len, const ns_key *key, const char *path)
{
	ns_cert c;
	int reason = 0;

	if (ns_cert_parse(blob, len, &c, &reason) != 0) {
		return ns_cli_fail(CMD, "host certificate %s: %s", path,
		                   ns_cert_reason_name(reason));
	}
	if (c.type != NS_CERT_HOST) {
		return ns_cli_fail(
		    CMD, "host certificate %s is a user certificate (sign with ssh-keygen -h)",
		    path);
	}
	if (sodium_memcmp(c.pk, key->pk, sizeof(c.pk)) != 0) {
		return ns_cli_fail(CMD, "host certificate %s does not certify the host key", path);
	}
	return 0;
}

typedef struct opts {
	ns_agent_config cfg;
	const char *host_key;
	const char *host_cert;
	int ready_fd;
} opts;

static int set_option(void *p, const char *a, const char *val)
{
	opts *o = p;
	unsigned long v;

	if (strcmp(a, "--listen") == 0) {
		o->cfg.listen = val;
	} else if (strcmp(a, "--host-key") == 0) {
		o->host_key = val;
	} else if (strcmp(a, "--host-cert") == 0) {
		o->host_cert = val;
	} else if (strcmp(a, "--authorized-keys") == 0) {
		o->cfg.authorized_keys = val;
	} else if (strcmp(a, "--ca-keys") == 0) {
		o->cfg.ca_keys = val;
	} else if (strcmp(a, "--home") == 0 && val[0] == '/') {
		o->cfg.home = val;
	} else if (strcmp(a, "--max-connections") == 0 &&
	           ns_cli_parse_uint(val, 1, NS_AGENT_MAX_CONNECTIONS_LIMIT, &v) == 0) {
		o->cfg.max_connections = (uint32_t)v;
	} else if (strcmp(a, "--max-unauth-per-source") == 0 &&
	           ns_cli_parse_uint(val, 1, NS_AGENT_MAX_CONNECTIONS_LIMIT, &v) == 0) {
		o->cfg.max_unauth_per_source = (uint32_t)v;
	} else if (strcmp(a, "--max-channels") == 0 &&
	           ns_cli_parse_uint(val, 1, NS_AGENT_MAX_CHANNELS_LIMIT, &v) == 0) {
		o->cfg.max_channels = (uint32_t)v;
	} else if (strcmp(a, "--max-auth-tries") == 0 &&
	           ns_cli_parse_uint(val, 1, MAX_AUTH_TRIES, &v) == 0) {
		o->cfg.max_auth_tries = (uint32_t)v;
	} else if (strcmp(a, "--login-grace-time") == 0 &&
	           ns_cli_parse_uint(val, 1, MAX_GRACE_SECONDS, &v) == 0) {
		o->cfg.login_grace_ms = (uint32_t)v * 1000;
	} else if (strcmp(a, "--keepalive") == 0 && ns_cli_parse_uint(val, 0, 86400, &v) == 0) {
		o->cfg.keepalive_ms = (uint32_t)v * 1000;
	} else if (strcmp(a, "--ready-fd") == 0 && (o->ready_fd = ns_cli_ready_fd(val)) >= 0) {
		o->cfg.on_ready = ns_cli_notify_ready;
		o->cfg.ready_ud = &o->ready_fd;
	} else if (strcmp(a, "--forward-bind") == 0 &&
	           (strcmp(val, "any") == 0 || strcmp(val, "loopback") == 0)) {
		o->cfg.forward_bind_any = strcmp(val, "any") == 0;
	} else if (strcmp(a, "--max-cert-lifetime") == 0) {
		return ns_cli_parse_duration(val, &o->cfg.max_cert_lifetime);
	} else if (ns_cli_alg_option(a, val, &o->cfg.ciphers, &o->cfg.kex, &o->cfg.macs)) {
		return 0;
	} else {
		return -1;
	}
	return 0;
}

/* -1 to go on; otherwise the exit code. */
static int parse_args(int argc, char **argv, opts *o)
{
	int rc;

	if ((rc = ns_cli_options(CMD, argc, argv, set_option, o, usage)) >= 0) {
		return rc;
	}
	if (o->cfg.listen == NULL || o->host_key == NULL ||
	    (o->cfg.authorized_keys == NULL && o->cfg.ca_keys == NULL)) {
		return ns_cli_fail(
		    CMD, "--listen, --host-key and --authorized-keys or --ca-keys are required");
	}
	return -1; /* go on */
}

int ns_cmd_agent(int argc, char **argv)
{
	struct stat st;
	char err[256];
	ns_key key;
	opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&key, 0, sizeof(key));
	if ((rc = parse_args(argc, argv, &o)) >= 0) {
		return rc;
	}
	if (sodium_init() < 0) {
		return ns_cli_fail(CMD, "libsodium failed to initialise");
	}
	if (ns_server_algs_check(o.cfg.ciphers, o.cfg.kex, o.cfg.macs, err, sizeof(err)) != 0) {
		return ns_cli_fail(CMD, "%s", err);
	}
	if (o.cfg.authorized_keys != NULL && access(o.cfg.authorized_keys, R_OK) != 0) {
		return ns_cli_fail(CMD, "cannot read authorized keys %s: %s", o.cfg.authorized_keys,
		                   strerror(errno));
	}
	if (o.cfg.ca_keys != NULL && access(o.cfg.ca_keys, R_OK) != 0) {
		return ns_cli_fail(CMD, "cannot read CA keys %s: %s", o.cfg.ca_keys,
		                   strerror(errno));
	}
	if (o.cfg.home != NULL && (stat(o.cfg.home, &st) != 0 || !S_ISDIR(st.st_mode))) {
		return ns_cli_fail(CMD, "--home %s is not a folder", o.cfg.home);
	}
	if ((rc = ns_cli_load_private_key(CMD, "host key", o.host_key, &key)) != 0) {
		return rc;
	}
	o.cfg.host_key = &key;
	if (o.host_cert != NULL) {
		static uint8_t cert[NS_CERT_BLOB_MAX];

		if (ns_cli_load_cert(CMD, "host certificate", o.host_cert, cert, sizeof(cert),
		                     &o.cfg.host_cert_len) != 0) {
			ns_key_wipe(&key);
			return 255;
		}
		o.cfg.host_cert = cert;
		if (check_host_cert(cert, o.cfg.host_cert_len, &key, o.host_cert) != 0) {
			ns_key_wipe(&key);
			return 255;
		}
	}
	o.cfg.log = stderr;
	setvbuf(stderr, NULL, _IOLBF, 0);
	rc = ns_agent_run(&o.cfg);
	ns_key_wipe(&key);
	if (rc != 0) {
		fprintf(stderr, "nullspace agent: %s\n", ns_strerror(rc));
		return 255;
	}
	return 0;
}
