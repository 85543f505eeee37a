/* `nullspace tls-cert HOST CERT KEY`: the self-signed ECDSA P-256
 * certificate of a relay's wss:// listener (issue 13), for a relay run
 * without `nullspace up` (which makes its own); kept when it exists. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "tls_files.h"

#define CMD "tls-cert"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: nullspace tls-cert HOST CERT KEY\n"
	        "\n"
	        "Make a self-signed ECDSA P-256 certificate for the relay's wss:// listener\n"
	        "(`nullspace relay --tls-cert CERT --tls-key KEY`): CN and subjectAltName HOST\n"
	        "(a DNS name or an IP address), valid for %d days, a random serial. CERT is\n"
	        "PEM (0644), KEY is PEM (0600), CERT.sha256 holds the certificate's SHA-256\n"
	        "fingerprint for `nullspace proxy --pin-sha256`, also printed. Existing files\n"
	        "are kept (only the fingerprint file is rewritten) unless the certificate is\n"
	        "a self-signed one with fewer than %d days left: then it is made anew, with\n"
	        "a new key and fingerprint. Delete both to renew earlier.\n",
	        NS_TLS_CERT_DAYS, NS_TLS_CERT_RENEW_DAYS);
}

int ns_cmd_tls_cert(int argc, char **argv)
{
	char hex[NS_TLS_SHA256_HEX + 1], fp[4096], err[1024];
	int made = 0;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 4 || argv[1][0] == '-') {
		usage(stderr);
		return NS_EXIT_USAGE;
	}
	if (sodium_init() < 0) {
		return NS_EXIT_FAILURE;
	}
	if (snprintf(fp, sizeof(fp), "%s.sha256", argv[2]) >= (int)sizeof(fp)) {
		return ns_cli_fail(CMD, "%s: too long a path", argv[2]);
	}
	if (ns_tls_files_ensure(argv[1], argv[2], argv[3], fp, &made, hex, err, sizeof(err)) != 0) {
		return ns_cli_fail(CMD, "%s", err);
	}
	printf("%s\n", hex);
	fprintf(stderr, "nullspace tls-cert: %s %s (fingerprint in %s)\n",
	        made == NS_TLS_FILES_RENEWED ? "renewed"
	        : made                       ? "made"
	                                     : "kept",
	        argv[2], fp);
	return 0;
}
