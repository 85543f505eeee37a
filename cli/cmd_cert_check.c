/* `nullspace cert check`: runs ns_cert_check on a certificate file with the
 * trusted CA keys, principal, time, peer address and revocation list given,
 * and prints "ok" (with what the certificate grants) or "refused: REASON",
 * so an operator can see why a certificate is refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ca_keys.h"
#include "cmd_cert.h"
#include "keyfiles.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"
#include "textfile.h"

#define SUB "cert check"

typedef struct check_args {
	const char *ca, *principal, *at, *source, *revoked, *cert;
	int host;
} check_args;

typedef struct ca_set {
	uint8_t keys[NS_CA_KEYS_MAX][NS_ED25519_PK_LEN];
	size_t n;
} ca_set;

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: nullspace cert check --ca CA.pub[,CA2.pub...] --principal NAME [--host]\n"
	        "                            [--at UNIXTIME] [--source ADDR] [--revoked FILE]\n"
	        "                            CERTFILE\n"
	        "\n"
	        "Checks the certificate in CERTFILE as a server would: signed by a trusted\n"
	        "CA (every ssh-ed25519 key line of each CA file), of the right type (user,\n"
	        "or host with --host), for NAME, valid at UNIXTIME (default now), its\n"
	        "source-address matching ADDR (the client address), and not revoked in\n"
	        "FILE (the revocation list of docs/certificates.md).\n"
	        "Prints 'ok' and what the certificate grants (exit 0), or 'refused: REASON'\n"
	        "(exit 1). Errors exit 255.\n");
}

/* One flag or "--name VALUE" pair at argv[*i]; 1 for --help, -1 on error. */
static int parse_arg(void *args, int argc, char **argv, int *i)
{
	check_args *a = args;
	static const char *const names[] = {"--ca", "--principal", "--at", "--source", "--revoked"};
	const char **slots[] = {&a->ca, &a->principal, &a->at, &a->source, &a->revoked};
	const char *arg = argv[*i];
	size_t k;

	if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
		return 1;
	}
	if (strcmp(arg, "--host") == 0) {
		a->host = 1;
		return 0;
	}
	for (k = 0; k < sizeof(names) / sizeof(names[0]) && *i + 1 < argc; k++) {
		if (strcmp(arg, names[k]) == 0) {
			*slots[k] = argv[++*i];
			return 0;
		}
	}
	if ((arg[0] != '-' || strcmp(arg, "-") == 0) && a->cert == NULL) {
		a->cert = arg;
		return 0;
	}
	fprintf(stderr, "nullspace cert check: unexpected argument '%s'\n", arg);
	return -1;
}

/* Every key line of one CA file into set; a bad line refuses the file. */
static int load_ca_file(const char *path, ca_set *set)
{
	size_t len, got, lnum;
	char *text;
	int err;

	if (ns_cli_read_file(path, NS_CLI_TEXT_FILE_MAX, &text, &len) != 0) {
		return ns_cli_fail(SUB, "%s: %s", path, strerror(errno));
	}
	err = ns_ca_keys_parse(text, len, set->keys + set->n, NS_CA_KEYS_MAX - set->n, &got, &lnum);
	free(text);
	if (err != 0) {
		return ns_cli_fail(SUB, "%s:%zu: not an ssh-ed25519 public key (%s)", path, lnum,
		                   ns_strerror(err));
	}
	if (got == 0) {
		return ns_cli_fail(SUB, "%s: no CA key in it", path);
	}
	set->n += got;
	return 0;
}

/* --ca FILE[,FILE...] */
static int load_cas(const char *list, ca_set *set)
{
	char *copy = strdup(list), *p, *save = NULL;
	int rc = 0;

	if (copy == NULL) {
		return ns_cli_fail(SUB, "out of memory");
	}
	for (p = strtok_r(copy, ",", &save); p != NULL && rc == 0; p = strtok_r(NULL, ",", &save)) {
		rc = load_ca_file(p, set);
	}
	free(copy);
	return rc;
}

/* Point at the first bad line of a revocation list (the check then refuses
 * every certificate as malformed, which is what a server would do). */
static void lint_revoked(const char *path, const char *text, size_t len)
{
	unsigned long lnum = 0;
	size_t off = 0;
	ns_str line;

	while (ns_cli_next_line(text, len, &off, &line)) {
		lnum++;
		if (ns_revoked_line_parse((const char *)line.p, line.len) != 0) {
			fprintf(stderr, "nullspace cert check: %s:%lu: invalid revocation entry\n",
			        path, lnum);
			return;
		}
	}
}

static void print_grants(const ns_cert_verdict *v)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} ext[] = {
	    {NS_EXT_NO_TOUCH_REQUIRED, "no-touch-required"},
	    {NS_EXT_PERMIT_X11_FORWARDING, "permit-X11-forwarding"},
	    {NS_EXT_PERMIT_AGENT_FORWARDING, "permit-agent-forwarding"},
	    {NS_EXT_PERMIT_PORT_FORWARDING, "permit-port-forwarding"},
	    {NS_EXT_PERMIT_PTY, "permit-pty"},
	    {NS_EXT_PERMIT_USER_RC, "permit-user-rc"},
	};
	const char *sep = "";
	size_t i;

	printf("ok\n");
	if (v->has_force_command) {
		printf("force-command: %.*s\n", (int)v->force_command.len,
		       (const char *)v->force_command.p);
	}
	if (v->verify_required) {
		printf("verify-required\n");
	}
	printf("extensions:%s", v->extensions == 0 ? " (none)" : " ");
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		if (v->extensions & ext[i].bit) {
			printf("%s%s", sep, ext[i].name);
			sep = ",";
		}
	}
	printf("\n");
}

/* The policy from the arguments; the CA set and revocation text stay owned
 * by the caller. */
static int make_policy(const check_args *a, const ca_set *cas, ns_cert_policy *p)
{
	memset(p, 0, sizeof(*p));
	if (a->at != NULL && ns_cmd_cert_parse_u64(a->at, &p->now) != 0) {
		ns_cli_fail(SUB, "--at: '%s' is not a time in seconds since 1970", a->at);
		return 2;
	}
	if (a->at == NULL) {
		p->now = (uint64_t)time(NULL);
	}
	p->ca_keys = (const uint8_t(*)[NS_ED25519_PK_LEN])cas->keys;
	p->nca = cas->n;
	p->type = a->host ? NS_CERT_HOST : NS_CERT_USER;
	p->principal = a->principal;
	p->peer_addr = a->source;
	return 0;
}

static int check(const check_args *a)
{
	uint8_t blob[NS_CERT_BLOB_MAX];
	char *revoked = NULL;
	size_t bloblen, rlen = 0;
	ns_cert_policy p;
	ns_cert_verdict v;
	ns_cert c;
	ca_set cas;
	int rc, reason = NS_CERT_OK;

	cas.n = 0;
	if ((rc = make_policy(a, &cas, &p)) != 0 || (rc = load_cas(a->ca, &cas)) != 0 ||
	    (rc = ns_cli_load_cert(SUB, "certificate", a->cert, blob, sizeof(blob), &bloblen)) !=
	        0) {
		goto out;
	}
	p.nca = cas.n;
	if (a->revoked != NULL) {
		if (ns_cli_read_file(a->revoked, NS_CLI_TEXT_FILE_MAX, &revoked, &rlen) != 0) {
			rc = ns_cli_fail(SUB, "%s: %s", a->revoked, strerror(errno));
			goto out;
		}
		lint_revoked(a->revoked, revoked, rlen);
		p.revoked = revoked;
		p.revoked_len = rlen;
	}
	rc = 1;
	if (ns_cert_parse(blob, bloblen, &c, &reason) != 0) {
		printf("refused: %s\n", ns_cert_reason_name(reason ? reason : NS_CERT_MALFORMED));
	} else if (ns_cert_check(&c, &p, &v) != 0) {
		printf("refused: %s\n", ns_cert_reason_name(v.reason));
	} else {
		print_grants(&v);
		rc = 0;
	}
out:
	free(revoked);
	return rc;
}

int ns_cmd_cert_check(int argc, char **argv)
{
	check_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = ns_cmd_cert_args(argc, argv, parse_arg, &a, usage)) >= 0) {
		return rc;
	}
	if (a.ca == NULL || a.principal == NULL || a.cert == NULL) {
		fprintf(stderr,
		        "nullspace cert check: --ca, --principal and CERTFILE are required\n");
		usage(stderr);
		return 2;
	}
	return check(&a);
}
