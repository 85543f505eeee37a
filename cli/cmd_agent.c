/* `nullspace agent`: the in-sandbox SSH server front-end. Parses the
 * options, loads the host key (refusing group/world-readable files) and
 * checks the authorized_keys file, then runs the agent loop until SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "agent.h"
#include "cli.h"
#include "nullspace/error.h"
#include "nullspace/cert.h"
#include "nullspace/keys.h"

#define MAX_GRACE_SECONDS 3600

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: nullspace agent --listen HOST:PORT|[V6]:PORT|unix:PATH --host-key FILE\n"
	        "                       (--authorized-keys FILE | --ca-keys FILE)...\n"
	        "                       [--host-cert FILE] [--max-connections N]\n"
	        "                       [--login-grace-time SECONDS] [--keepalive SECONDS]\n"
	        "                       [--home DIR]\n"
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
	        "  --login-grace-time SECONDS unauthenticated connections are dropped after\n"
	        "                             this long (default %d)\n"
	        "  --keepalive SECONDS        probe idle clients (default 0: off)\n"
	        "  --home DIR                 sessions get HOME=DIR and start in DIR (default:\n"
	        "                             the user's home from the password database)\n",
	        NS_AGENT_MAX_CONNECTIONS, NS_AGENT_LOGIN_GRACE_MS / 1000);
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "nullspace agent: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return 255;
}

/* The host key file: a regular file of at most NS_KEYFILE_MAX bytes, not
 * readable by group or others. */
static int load_host_key(const char *path, ns_key *key)
{
	char buf[NS_KEYFILE_MAX + 1];
	struct stat st;
	size_t n = 0;
	ssize_t r;
	int fd, rc = 255;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return fail("cannot open host key %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail("host key %s is not a regular file", path);
	}
	if ((st.st_mode & 077) != 0) {
		close(fd);
		return fail("host key %s is readable by group or others; chmod 600 it", path);
	}
	while (n < sizeof(buf) && (r = read(fd, buf + n, sizeof(buf) - n)) != 0) {
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			fail("reading host key %s: %s", path, strerror(errno));
			goto out;
		}
		n += (size_t)r;
	}
	if (n == sizeof(buf)) {
		fail("host key %s is too large", path);
		goto out;
	}
	if ((r = ns_keyfile_parse(buf, n, key)) != 0 || !key->has_sk) {
		fail("host key %s: %s", path,
		     r == NS_ERR_ENCRYPTED ? "passphrase-protected keys are not supported"
		                           : (r != 0 ? ns_strerror((int)r) : "no private key"));
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	close(fd);
	return rc;
}

/* The host certificate file: one line as written by ssh-keygen -s -h. */
static int load_host_cert(const char *path, uint8_t *blob, size_t cap, size_t *len)
{
	static char text[NS_CERT_LINE_MAX + 1];
	size_t n = 0;
	ssize_t r;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return fail("cannot open host certificate %s: %s", path, strerror(errno));
	}
	while (n < sizeof(text) - 1 && (r = read(fd, text + n, sizeof(text) - 1 - n)) > 0) {
		n += (size_t)r;
	}
	close(fd);
	if ((rc = ns_cert_from_line(text, n, blob, cap, len)) != 0) {
		return fail("host certificate %s: %s", path, ns_strerror(rc));
	}
	return 0;
}

/* The certificate must be a host certificate for our host key. */
static int check_host_cert(const uint8_t *blob, size_t len, const ns_key *key, const char *path)
{
	ns_cert c;
	int reason = 0;

	if (ns_cert_parse(blob, len, &c, &reason) != 0) {
		return fail("host certificate %s: %s", path, ns_cert_reason_name(reason));
	}
	if (c.type != NS_CERT_HOST) {
		return fail("host certificate %s is a user certificate (sign with ssh-keygen -h)",
		            path);
	}
	if (sodium_memcmp(c.pk, key->pk, sizeof(c.pk)) != 0) {
		return fail("host certificate %s does not certify the host key", path);
	}
	return 0;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *v)
{
	char *end = NULL;

	errno = 0;
	if (s == NULL || *s < '0' || *s > '9') {
		return -1;
	}
	*v = strtoul(s, &end, 10);
	return (errno != 0 || *end != '\0' || *v < min || *v > max) ? -1 : 0;
}

typedef struct opts {
	ns_agent_config cfg;
	const char *host_key;
	const char *host_cert;
} opts;

static int parse_args(int argc, char **argv, opts *o)
{
	unsigned long v;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (val == NULL) {
			return fail("%s needs a value (see --help)", a);
		}
		i++;
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
		           parse_uint(val, 1, NS_AGENT_MAX_CONNECTIONS_LIMIT, &v) == 0) {
			o->cfg.max_connections = (uint32_t)v;
		} else if (strcmp(a, "--login-grace-time") == 0 &&
		           parse_uint(val, 1, MAX_GRACE_SECONDS, &v) == 0) {
			o->cfg.login_grace_ms = (uint32_t)v * 1000;
		} else if (strcmp(a, "--keepalive") == 0 && parse_uint(val, 0, 86400, &v) == 0) {
			o->cfg.keepalive_ms = (uint32_t)v * 1000;
		} else {
			return fail("bad option or value: %s %s (see --help)", a, val);
		}
	}
	if (o->cfg.listen == NULL || o->host_key == NULL ||
	    (o->cfg.authorized_keys == NULL && o->cfg.ca_keys == NULL)) {
		return fail("--listen, --host-key and --authorized-keys or --ca-keys are required");
	}
	return -1; /* go on */
}

int ns_cmd_agent(int argc, char **argv)
{
	struct stat st;
	ns_key key;
	opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&key, 0, sizeof(key));
	if ((rc = parse_args(argc, argv, &o)) >= 0) {
		return rc;
	}
	if (sodium_init() < 0) {
		return fail("libsodium failed to initialise");
	}
	if (o.cfg.authorized_keys != NULL && access(o.cfg.authorized_keys, R_OK) != 0) {
		return fail("cannot read authorized keys %s: %s", o.cfg.authorized_keys,
		            strerror(errno));
	}
	if (o.cfg.ca_keys != NULL && access(o.cfg.ca_keys, R_OK) != 0) {
		return fail("cannot read CA keys %s: %s", o.cfg.ca_keys, strerror(errno));
	}
	if (o.cfg.home != NULL && (stat(o.cfg.home, &st) != 0 || !S_ISDIR(st.st_mode))) {
		return fail("--home %s is not a folder", o.cfg.home);
	}
	if ((rc = load_host_key(o.host_key, &key)) != 0) {
		ns_key_wipe(&key);
		return rc;
	}
	o.cfg.host_key = &key;
	if (o.host_cert != NULL) {
		static uint8_t cert[NS_CERT_BLOB_MAX];

		if (load_host_cert(o.host_cert, cert, sizeof(cert), &o.cfg.host_cert_len) != 0) {
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
