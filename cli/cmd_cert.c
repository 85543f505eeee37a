/* `nullspace cert sign|show|check`: dispatches to the sub-commands and holds
 * what they share beyond cli/textfile.c: numbers and validity times. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "cmd_cert.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: nullspace cert sign  --ca KEY --key PUB.pub --principal NAME[,NAME...]\n"
	           "                            --id ID --valid-for DURATION [OPTIONS]\n"
	           "       nullspace cert show  FILE\n"
	           "       nullspace cert check --ca CA.pub[,CA2.pub] --principal NAME [OPTIONS]\n"
	           "                            CERTFILE\n"
	           "\n"
	           "OpenSSH certificates (ssh-ed25519-cert-v01@openssh.com): sign a public key\n"
	           "with a CA key, show a certificate as 'ssh-keygen -L' does, or check one\n"
	           "against a policy and say why it is refused.\n"
	           "Run 'nullspace cert sign|show|check --help' for the options of each.\n");
}

int ns_cmd_cert_args(int argc, char **argv, int (*parse)(void *a, int argc, char **argv, int *i),
                     void *a, void (*show_usage)(FILE *))
{
	int i, r;

	for (i = 1; i < argc; i++) {
		if ((r = parse(a, argc, argv, &i)) != 0) {
			show_usage(r > 0 ? stdout : stderr);
			return r > 0 ? 0 : NS_EXIT_USAGE;
		}
	}
	return -1;
}

int ns_cmd_cert_parse_u64(const char *s, uint64_t *out)
{
	char *end;

	*out = 0;
	if (s[0] < '0' || s[0] > '9') {
		return -1;
	}
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

int ns_cmd_cert(int argc, char **argv)
{
	static const ns_cli_command subs[] = {
	    {"sign", ns_cmd_cert_sign},
	    {"show", ns_cmd_cert_show},
	    {"check", ns_cmd_cert_check},
	};

	if (sodium_init() < 0) {
		return ns_cli_fail("cert", "libsodium failed to initialise");
	}
	return ns_cli_dispatch("nullspace cert", "sub-command", subs,
	                       sizeof(subs) / sizeof(subs[0]), usage, argc, argv);
}
