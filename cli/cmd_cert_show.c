/* `nullspace cert show FILE`: every certificate in FILE printed line for line
 * as `ssh-keygen -L -f FILE` prints it (labels, indentation, fingerprints,
 * validity in local time, options and extensions, unknown ones in hex). The
 * validity text is shared with `cert sign`. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd_cert.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"
#include "textfile.h"
#include "wire.h"

#define SUB "cert show"
#define INDENT "        "
#define INDENT2 "                "
#define TIME_LEN 32 /* as ssh-keygen's buffers */

static void usage(FILE *f)
{
	fprintf(f, "usage: nullspace cert show FILE\n"
	           "\n"
	           "Prints every certificate in FILE ('-' for stdin) exactly as\n"
	           "'ssh-keygen -L -f FILE' does, times in local time. Lines that are not\n"
	           "valid certificates are reported on stderr.\n");
}

/* As OpenSSH's format_absolute_time: clamped to the largest time_t, and a
 * time past what struct tm holds prints whatever localtime_r leaves in a
 * zeroed tm, as ssh-keygen does (glibc fills year and time of day). */
static void format_time(uint64_t t, char out[TIME_LEN])
{
	time_t tt = t > (uint64_t)INT64_MAX ? (time_t)INT64_MAX : (time_t)t;
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	(void)localtime_r(&tt, &tm);
	if (strftime(out, TIME_LEN, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		out[0] = '\0';
	}
}

void ns_cmd_cert_validity(uint64_t after, uint64_t before, char out[NS_CMD_CERT_VALIDITY_LEN])
{
	char from[TIME_LEN] = "", to[TIME_LEN] = "";

	if (after == 0 && before == UINT64_MAX) {
		snprintf(out, NS_CMD_CERT_VALIDITY_LEN, "forever");
		return;
	}
	if (after != 0) {
		format_time(after, from);
	}
	if (before != UINT64_MAX) {
		format_time(before, to);
	}
	if (after == 0) {
		snprintf(out, NS_CMD_CERT_VALIDITY_LEN, "before %s", to);
	} else if (before == UINT64_MAX) {
		snprintf(out, NS_CMD_CERT_VALIDITY_LEN, "after %s", from);
	} else {
		snprintf(out, NS_CMD_CERT_VALIDITY_LEN, "from %s to %s", from, to);
	}
}

static int is_flag_extension(ns_str name)
{
	static const char *const flags[] = {
	    "permit-X11-forwarding",  "permit-agent-forwarding",
	    "permit-port-forwarding", "permit-pty",
	    "permit-user-rc",         "no-touch-required",
	};
	size_t i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (ns_str_eq(name, flags[i])) {
			return 1;
		}
	}
	return 0;
}

/* One option or extension, as ssh-keygen's show_options prints it. */
static void show_option(ns_str name, ns_str data, int critical)
{
	ns_rd r;
	ns_str value;
	size_t i;

	printf(INDENT2 "%.*s", (int)name.len, (const char *)name.p);
	if (!critical && is_flag_extension(name)) {
		printf("\n");
	} else if (critical &&
	           (ns_str_eq(name, "force-command") || ns_str_eq(name, "source-address"))) {
		ns_rd_init(&r, data.p, data.len);
		(void)ns_rd_string(&r, &value);
		printf(" %.*s\n", (int)value.len, (const char *)value.p);
	} else if (critical && ns_str_eq(name, "verify-required")) {
		printf("\n");
	} else if (data.len > 0) {
		printf(" UNKNOWN OPTION: ");
		for (i = 0; i < data.len; i++) {
			printf("%02x", data.p[i]);
		}
		printf(" (len %zu)\n", data.len);
	} else {
		printf(" UNKNOWN FLAG OPTION\n");
	}
}

/* "LABEL: (none)" or "LABEL: " and one line per (name, data) pair. */
static void show_options(const char *label, ns_str list, int critical)
{
	ns_rd r;
	ns_str name, data;

	printf(INDENT "%s: %s\n", label, list.len == 0 ? "(none)" : "");
	ns_rd_init(&r, list.p, list.len);
	while (ns_rd_left(&r) > 0 && ns_rd_string(&r, &name) == 0 && ns_rd_string(&r, &data) == 0) {
		show_option(name, data, critical);
	}
}

static void show_principals(const ns_cert *c)
{
	ns_str name;
	uint32_t i;

	printf(INDENT "Principals: %s", c->nprincipals == 0 ? "(none)" : "");
	for (i = 0; i < c->nprincipals; i++) {
		if (ns_cert_principal(c, i, &name) == 0) {
			printf("\n" INDENT2 "%.*s", (int)name.len, (const char *)name.p);
		}
	}
	printf("\n");
}

/* ssh-keygen -L's label of a key type ("RSA", "ECDSA-SK", ...). */
static const char *type_label(int type)
{
	switch (type) {
	case NS_PK_ECDSA_P256: return "ECDSA";
	case NS_PK_RSA: return "RSA";
	case NS_PK_SK_ED25519: return "ED25519-SK";
	case NS_PK_SK_ECDSA_P256: return "ECDSA-SK";
	default: return "ED25519";
	}
}

static void print_cert(const ns_cert *c)
{
	char kfp[NS_FINGERPRINT_LEN] = "?", cafp[NS_FINGERPRINT_LEN] = "?";
	char valid[NS_CMD_CERT_VALIDITY_LEN];
	const char *type = c->type == NS_CERT_USER ? "user" : "host";
	ns_pubkey k;
	ns_str sigtype;
	ns_rd r;

	if (ns_cert_pubkey(c, &k) == 0) {
		ns_pubkey_fingerprint(&k, kfp);
	}
	if (ns_cert_ca_pubkey(c, &k) == 0) {
		ns_pubkey_fingerprint(&k, cafp);
	}
	ns_cmd_cert_validity(c->valid_after, c->valid_before, valid);
	ns_rd_init(&r, c->signature.p, c->signature.len);
	(void)ns_rd_string(&r, &sigtype); /* string signature type */
	printf(INDENT "Type: %s %s certificate\n", ns_pubkey_cert_name(c->key_type), type);
	printf(INDENT "Public key: %s-CERT %s\n", type_label(c->key_type), kfp);
	printf(INDENT "Signing CA: %s %s (using %.*s)\n", type_label(c->ca_type), cafp,
	       (int)sigtype.len, (const char *)sigtype.p);
	printf(INDENT "Key ID: \"%.*s\"\n", (int)c->key_id.len, (const char *)c->key_id.p);
	printf(INDENT "Serial: %" PRIu64 "\n", c->serial);
	printf(INDENT "Valid: %s\n", valid);
	show_principals(c);
	show_options("Critical Options", c->critical_options, 1);
	show_options("Extensions", c->extensions, 0);
}

/* One line of the file: 1 when it was a certificate and was printed. */
static int show_line(const char *path, int is_stdin, unsigned long lnum, ns_str line, uint8_t *blob)
{
	ns_cert c;
	size_t len;
	int err, reason = NS_CERT_OK;

	err = ns_cert_from_line((const char *)line.p, line.len, blob, NS_CERT_BLOB_MAX, &len);
	if (err == NS_ERR_KEYTYPE) {
		fprintf(stderr, "%s:%lu is not a certificate\n", path, lnum);
		return 0;
	}
	if (err != 0 || ns_cert_parse(blob, len, &c, &reason) != 0) {
		fprintf(stderr, "%s:%lu: invalid certificate: %s\n", path, lnum,
		        err != 0 ? ns_strerror(err) : ns_cert_reason_name(reason));
		return 0;
	}
	if (!is_stdin && lnum == 1) {
		printf("%s:\n", path);
	} else {
		printf("%s:%lu:\n", path, lnum);
	}
	print_cert(&c);
	return 1;
}

static int show_file(const char *path)
{
	uint8_t blob[NS_CERT_BLOB_MAX];
	int is_stdin = strcmp(path, "-") == 0, shown = 0;
	unsigned long lnum = 0;
	size_t len, off = 0;
	char *text;
	ns_str line;

	if (ns_cli_read_file(path, NS_CLI_TEXT_FILE_MAX, &text, &len) != 0) {
		return ns_cli_fail(SUB, "%s: %s", path, strerror(errno));
	}
	while (ns_cli_next_line(text, len, &off, &line)) {
		lnum++;
		if (!ns_cli_line_skip(line)) {
			shown |= show_line(is_stdin ? "(stdin)" : path, is_stdin, lnum, line, blob);
		}
	}
	free(text);
	if (fflush(stdout) != 0) {
		return ns_cli_fail(SUB, "writing to stdout: %s", strerror(errno));
	}
	if (!shown) {
		return ns_cli_fail(SUB, "%s: no valid certificate found", path);
	}
	return 0;
}

int ns_cmd_cert_show(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1] != '\0')) {
		usage(stderr);
		return 2;
	}
	return show_file(argv[1]);
}
