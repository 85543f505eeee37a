/* The `nullspace` program: dispatches to one front-end per command. */
#include <stdio.h>

#include "cli.h"
#include "helper.h"

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
	           "  proxy     ssh ProxyCommand for the relay's WebSocket URL (wss:// or ws://)\n"
	           "  tls-cert  a self-signed certificate for the relay's wss:// listener\n"
#ifndef NS_NO_API
	           "\n"
	           "  up        run the control plane here: API, relay and local sandboxes\n"
	           "  sandbox   create, list and kill sandboxes; print SSH access\n"
	           "  ssh       SSH into a sandbox through the relay (OpenSSH or built-in)\n"
	           "  ssh-config  an ssh_config block: plain `ssh sb_123`, scp, rsync, git\n"
#endif
	           "\n"
	           "Run 'nullspace COMMAND --help' for the options of a command.\n");
}

int main(int argc, char **argv)
{
	static const ns_cli_command cmds[] = {
	    {"connect", ns_cmd_connect},
	    {"agent", ns_cmd_agent},
	    {"relay", ns_cmd_relay},
	    {"keygen", ns_cmd_keygen},
	    {"cert", ns_cmd_cert},
	    {"proxy", ns_cmd_proxy},
	    {"sandbox-helper", ns_cmd_sandbox_helper},
#ifndef NS_NO_API
	    {"up", ns_cmd_up},
	    {"sandbox", ns_cmd_sandbox},
	    {"ssh", ns_cmd_ssh},
	    {"isolate", ns_cmd_isolate},
	    {"ssh-config", ns_cmd_ssh_config},
#endif
	    {"tls-cert", ns_cmd_tls_cert},
	};

	return ns_cli_dispatch("nullspace", "command", cmds, sizeof(cmds) / sizeof(cmds[0]), usage,
	                       argc, argv);
}
