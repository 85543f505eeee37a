/* The `nullspace` program: dispatches to one front-end per command. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: nullspace COMMAND [ARGS...]\n"
	           "\n"
	           "commands:\n"
	           "  connect   SSH client: run a command or a shell on an SSH server\n"
	           "  agent     SSH server inside a sandbox (no sshd needed)\n"
	           "  relay     SSH front door: certificate logins spliced to sandbox agents\n"
	           "  keygen    create an ed25519 key pair (openssh-key-v1)\n"
	           "  cert      sign, show and check OpenSSH certificates\n"
#ifndef NS_NO_API
	           "\n"
	           "  up        run the control plane here: API, relay and local sandboxes\n"
	           "  sandbox   create, list and kill sandboxes; print SSH access\n"
	           "  ssh       SSH into a sandbox through the relay (OpenSSH or built-in)\n"
#endif
	           "\n"
	           "Run 'nullspace COMMAND --help' for the options of a command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "connect") == 0) {
		return ns_cmd_connect(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "agent") == 0) {
		return ns_cmd_agent(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "relay") == 0) {
		return ns_cmd_relay(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "keygen") == 0) {
		return ns_cmd_keygen(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "cert") == 0) {
		return ns_cmd_cert(argc - 1, argv + 1);
	}
#ifndef NS_NO_API
	if (strcmp(argv[1], "up") == 0) {
		return ns_cmd_up(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "sandbox") == 0) {
		return ns_cmd_sandbox(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "ssh") == 0) {
		return ns_cmd_ssh(argc - 1, argv + 1);
	}
#endif
	fprintf(stderr, "nullspace: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
