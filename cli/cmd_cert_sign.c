/* `nullspace cert sign`: a CA signs an ed25519 public key into an OpenSSH
 * user or host certificate written next to it as PUB-cert.pub, named,
 * replaced and announced the way `ssh-keygen -s` does. The CA key file must
 * be readable by its owner only; it is wiped from memory after use. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "cmd_cert.h"
#include "keyfiles.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"
#include "textfile.h"
#include "wire.h"

#define CLOCK_SKEW 60 /* seconds before now that a certificate starts */
#define SUB "cert sign"

typedef struct sign_args {
	const char *ca, *key, *principals, *id, *valid_for, *serial;
	const char *force_command, *source_address;
	int verify_required, no_pty, host;
} sign_args;

static void usage(FILE *f)
{
	fprintf(f, "usage: nullspace cert sign --ca KEY --key PUB.pub --principal NAME[,NAME...]\n"
	           "                           --id ID --valid-for DURATION [--serial N]\n"
	           "                           [--option source-address=CIDR[,CIDR...]]\n"
	           "                           [--option force-command=CMD]\n"
	           "                           [--option verify-required] [--no-pty] [--host]\n"
	           "\n"
	           "Signs the ed25519 public key in PUB.pub with the CA private key KEY\n"
	           "(openssh-key-v1, unencrypted, readable by its owner only) and writes the\n"
	           "certificate to PUB-cert.pub (mode 0644, replacing it), as 'ssh-keygen -s'.\n"
	           "\n"
	           "  --principal LIST  user names (or host names with --host), comma-separated\n"
	           "  --id ID           key id, logged by servers\n"
	           "  --valid-for DUR   from 60 s ago until now + DUR: seconds, or a number with\n"
	           "                    s, m, h, d or w (10m, 1h, 2d, 52w, 1h30m)\n"
	           "  --serial N        default: random\n"
	           "  --option OPT      critical option (user certificates only)\n"
	           "  --no-pty          leave out permit-pty, the only extension by default\n"
	           "  --host            a host certificate (no options, no extensions)\n");
}

/* --option NAME[=VALUE]: the critical options ssh-keygen -O knows. */
static int parse_option(sign_args *a, const char *opt)
{
	const char **slot = NULL;
	const char *eq = strchr(opt, '=');
	ns_str list;

	if (strcmp(opt, "verify-required") == 0) {
		a->verify_required = 1;
		return 0;
	}
	if (eq != NULL && (size_t)(eq - opt) == strlen("force-command") &&
	    strncmp(opt, "force-command", (size_t)(eq - opt)) == 0) {
		slot = &a->force_command;
	} else if (eq != NULL && (size_t)(eq - opt) == strlen("source-address") &&
	           strncmp(opt, "source-address", (size_t)(eq - opt)) == 0) {
		slot = &a->source_address;
		list.p = (const uint8_t *)eq + 1;
		list.len = strlen(eq + 1);
		if (ns_cidr_list_match(list, NULL) < 0) {
			ns_cli_fail(SUB,
			            "source-address: '%s' is not a list of addresses or "
			            "CIDR blocks (like 10.0.0.0/8,2001:db8::/32)",
			            eq + 1);
			return -1;
		}
	}
	if (slot == NULL || eq[1] == '\0') {
		ns_cli_fail(SUB,
		            "unknown or empty option '%s' (known: force-command=CMD, "
		            "source-address=LIST, verify-required)",
		            opt);
		return -1;
	}
	*slot = eq + 1;
	return 0;
}

/* One flag or "--name VALUE" pair at argv[*i]; 1 for --help, -1 on error. */
static int parse_arg(void *args, int argc, char **argv, int *i)
{
	sign_args *a = args;
	static const char *const names[] = {"--ca", "--key",       "--principal",
	                                    "--id", "--valid-for", "--serial"};
	const char **slots[] = {&a->ca, &a->key, &a->principals, &a->id, &a->valid_for, &a->serial};
	const char *arg = argv[*i];
	size_t k;

	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
		return 1;
	}
	if (strcmp(arg, "--no-pty") == 0 || strcmp(arg, "--host") == 0) {
		*(arg[2] == 'n' ? &a->no_pty : &a->host) = 1;
		return 0;
	}
	if (*i + 1 >= argc) {
		fprintf(stderr, "nullspace cert sign: unexpected argument '%s'\n", arg);
		return -1;
	}
	if (strcmp(arg, "--option") == 0) {
		return parse_option(a, argv[++*i]) == 0 ? 0 : -1;
	}
	for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		if (strcmp(arg, names[k]) == 0) {
			*slots[k] = argv[++*i];
			return 0;
		}
	}
	fprintf(stderr, "nullspace cert sign: unexpected argument '%s'\n", arg);
	return -1;
}

/* The first key line of PUB.pub: the key and its comment. */
static int load_public_key(const char *path, uint8_t pk[NS_ED25519_PK_LEN],
                           char comment[NS_KEY_COMMENT_MAX])
{
	size_t len, off = 0;
	ns_str line, com;
	char *text;
	int err = NS_ERR_NOTFOUND;

	if (ns_cli_read_file(path, NS_CLI_TEXT_FILE_MAX, &text, &len) != 0) {
		return ns_cli_fail(SUB, "%s: %s", path, strerror(errno));
	}
	while (ns_cli_next_line(text, len, &off, &line)) {
		if (!ns_cli_line_skip(line)) {
			err = ns_key_from_line((const char *)line.p, line.len, pk, &com);
			break;
		}
	}
	if (err == 0 && ns_str_copy(com, comment, NS_KEY_COMMENT_MAX) != 0) {
		comment[0] = '\0'; /* a comment too long to keep is dropped */
	}
	free(text);
	if (err != 0) {
		return ns_cli_fail(SUB, "%s: not an ssh-ed25519 public key (%s)", path,
		                   ns_strerror(err));
	}
	return 0;
}

/* Split "a,b,c" in place into names[]; refuses empty names. */
static int split_principals(char *list, const char **names, size_t *n)
{
	char *p = list, *comma;

	*n = 0;
	for (;;) {
		if (*n == NS_CERT_PRINCIPALS_MAX) {
			ns_cli_fail(SUB, "more than %d principals", NS_CERT_PRINCIPALS_MAX);
			return -1;
		}
		if ((comma = strchr(p, ',')) != NULL) {
			*comma = '\0';
		}
		if (*p == '\0' || strlen(p) > NS_CERT_NAME_MAX) {
			ns_cli_fail(SUB,
			            "principal names must be 1 to %d bytes, separated by "
			            "single commas",
			            NS_CERT_NAME_MAX);
			return -1;
		}
		names[(*n)++] = p;
		if (comma == NULL) {
			return 0;
		}
		p = comma + 1;
	}
}

/* PUB.pub -> PUB-cert.pub; PUB -> PUB-cert.pub (ssh-keygen's naming). */
static int cert_path(const char *pub, char out[PATH_MAX])
{
	size_t n = strlen(pub);

	if (n >= 4 && strcmp(pub + n - 4, ".pub") == 0) {
		n -= 4;
	}
	if ((size_t)snprintf(out, PATH_MAX, "%.*s-cert.pub", (int)n, pub) >= PATH_MAX) {
		return ns_cli_fail(SUB, "%s: name too long", pub);
	}
	return 0;
}

/* Replace path with text atomically: a temporary file beside it, renamed. */
static int write_cert(const char *path, const char *text)
{
	char tmp[PATH_MAX + 8];
	size_t len = strlen(text), done = 0;
	ssize_t w;
	int fd, ok;

	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0) {
		return ns_cli_fail(SUB, "cannot create %s: %s", tmp, strerror(errno));
	}
	while (done < len) {
		w = write(fd, text + done, len - done);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			break;
		}
		done += (size_t)w;
	}
	ok = done == len && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
	ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
	if (!ok) {
		ns_cli_fail(SUB, "writing %s: %s", path, strerror(errno));
		unlink(tmp);
		return 255;
	}
	return 0;
}

/* The spec from the arguments; names[] point into plist, split in place. */
static int make_spec(const sign_args *a, char *plist, const char **names, ns_cert_spec *s)
{
	uint64_t dur, now = (uint64_t)time(NULL);
	size_t n;

	memset(s, 0, sizeof(*s));
	if (ns_cli_parse_duration(a->valid_for, &dur) != 0 || dur > UINT64_MAX - 1 - now) {
		ns_cli_fail(SUB, "--valid-for: '%s' is not a duration (like 600, 10m, 1h, 2d, 52w)",
		            a->valid_for);
		return 2;
	}
	if (a->serial != NULL && ns_cmd_cert_parse_u64(a->serial, &s->serial) != 0) {
		ns_cli_fail(SUB, "--serial: '%s' is not a number from 0 to %" PRIu64, a->serial,
		            UINT64_MAX);
		return 2;
	}
	while (a->serial == NULL && s->serial == 0) {
		randombytes_buf(&s->serial, sizeof(s->serial)); /* 0 cannot be revoked */
	}
	if (a->id[0] == '\0' || strlen(a->id) > NS_CERT_KEY_ID_MAX) {
		ns_cli_fail(SUB, "--id: the key id must be 1 to %d bytes", NS_CERT_KEY_ID_MAX);
		return 2;
	}
	if (a->host && (a->force_command || a->source_address || a->verify_required)) {
		ns_cli_fail(SUB, "critical options are for user certificates only");
		return 2;
	}
	if (split_principals(plist, names, &n) != 0) {
		return 2;
	}
	s->type = a->host ? NS_CERT_HOST : NS_CERT_USER;
	s->key_id = a->id;
	s->principals = names;
	s->nprincipals = n;
	s->valid_after = now - CLOCK_SKEW;
	s->valid_before = now + dur;
	s->force_command = a->force_command;
	s->source_address = a->source_address;
	s->verify_required = a->verify_required;
	s->extensions = a->host || a->no_pty ? 0 : NS_EXT_PERMIT_PTY;
	return 0;
}

/* Sign, check that the result parses, and write it as one line. */
static int sign_to_file(const ns_key *ca, const uint8_t pk[NS_ED25519_PK_LEN],
                        const ns_cert_spec *spec, const char *comment, const char *path)
{
	uint8_t blob[NS_CERT_BLOB_MAX];
	char line[NS_CERT_LINE_MAX + 2];
	size_t len;
	ns_cert c;
	int err;

	if ((err = ns_cert_sign(ca, pk, spec, blob, sizeof(blob), &len)) != 0 ||
	    (err = ns_cert_parse(blob, len, &c, NULL)) != 0 ||
	    (err = ns_cert_to_line(blob, len, comment, line, sizeof(line) - 1)) != 0) {
		return ns_cli_fail(SUB, "cannot sign: %s", ns_strerror(err));
	}
	strcat(line, "\n");
	return write_cert(path, line);
}

static int sign(const sign_args *a)
{
	const char *names[NS_CERT_PRINCIPALS_MAX];
	char path[PATH_MAX], comment[NS_KEY_COMMENT_MAX], valid[NS_CMD_CERT_VALIDITY_LEN];
	char *plist = strdup(a->principals);
	uint8_t pk[NS_ED25519_PK_LEN];
	ns_cert_spec spec;
	ns_key ca;
	int rc;

	memset(&ca, 0, sizeof(ca));
	if (plist == NULL) {
		return ns_cli_fail(SUB, "out of memory");
	}
	if ((rc = make_spec(a, plist, names, &spec)) != 0 || (rc = cert_path(a->key, path)) != 0 ||
	    (rc = load_public_key(a->key, pk, comment)) != 0 ||
	    (rc = ns_cli_load_private_key(SUB, "CA key", a->ca, &ca)) != 0 ||
	    (rc = sign_to_file(&ca, pk, &spec, comment, path)) != 0) {
		goto out;
	}
	ns_cmd_cert_validity(spec.valid_after, spec.valid_before, valid);
	fprintf(stderr, "Signed %s key %s: id \"%s\" serial %" PRIu64 " for %s valid %s\n",
	        a->host ? "host" : "user", path, a->id, spec.serial, a->principals, valid);
out:
	ns_key_wipe(&ca);
	free(plist);
	return rc;
}

int ns_cmd_cert_sign(int argc, char **argv)
{
	sign_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = ns_cmd_cert_args(argc, argv, parse_arg, &a, usage)) >= 0) {
		return rc;
	}
	if (!a.ca || !a.key || !a.principals || !a.id || !a.valid_for) {
		fprintf(stderr, "nullspace cert sign: --ca, --key, --principal, --id and "
		                "--valid-for are required\n");
		usage(stderr);
		return 2;
	}
	return sign(&a);
}
