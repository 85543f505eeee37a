/* Shared by `nullspace sandbox` (cmd_sandbox.c, sandbox_access.c) and
 * `nullspace ssh` (cmd_ssh.c): the API flags, opening the API, error lines,
 * times, and preparing a sandbox's SSH files (sandbox_util.c). */
#ifndef NS_CLI_SANDBOX_INT_H
#define NS_CLI_SANDBOX_INT_H

#include <stddef.h>
#include <stdint.h>

#include "nullspace/sdk.h"
#include "sshfiles.h"

/* getopt_long values of the options every API command takes. */
enum { NS_CLI_OPT_API_URL = 1000, NS_CLI_OPT_API_KEY = 1001 };
#define NS_CLI_API_HELP                                                                            \
	"  --api-url URL         the API (default: $NULLSPACE_API_URL, else api_url in\n"          \
	"                        NULLSPACE_HOME/config, written by `nullspace up`)\n"              \
	"  --api-key KEY         the API key (default: $NULLSPACE_API_KEY, else api_key\n"         \
	"                        in NULLSPACE_HOME/config)\n"                                      \
	"  -h, --help            this help\n"

/* The times we print: RFC 3339 in UTC, like the API. */
#define NS_CLI_TIME_MAX 32

/* libsodium initialised, then the API opened (flags, else environment,
 * else config; NULL for none given). 0, or the error printed and the exit
 * code returned. */
int ns_cli_api_open(const char *url, const char *key, ns_api **api);
/* Print "nullspace: <message of the failed call>"; the exit code for rc. */
int ns_cli_api_fail(ns_api *api, int rc);
void ns_cli_time(int64_t t, char out[NS_CLI_TIME_MAX]);
/* A decimal number in [min, max]: 0, or -1. */
int ns_cli_number(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* The warning printed once with any credential on stdout. */
void ns_cli_credential_warning(int64_t until);

/* NULLSPACE_HOME/ssh as `nullspace ssh` keeps it, with the key loaded
 * (created when missing): 0, or the error printed and the exit code. */
int ns_cli_ssh_files(const char *sandbox_id, ns_sshfiles *f, ns_key *key);
/* For a sandbox that must be running: the files, the key and the access
 * (reused or minted, relay pinned; with websocket, always minted, and its
 * websocket_url required; websocket | NS_CLI_PREPARE_FRESH: always minted). 0, or the error printed
 * and the exit code. Free *a with ns_sshaccess_free. */
#define NS_CLI_PREPARE_FRESH 2
int ns_cli_ssh_prepare(ns_api *api, const char *sandbox_id, int expires_in, int websocket,
                       ns_sshfiles *f, ns_sshaccess *a);
/* ... with what the certificate permits besides a PTY (bits below). */
#define NS_CLI_NO_PORT_FORWARDING 1 /* without permit-port-forwarding */
#define NS_CLI_AGENT_FORWARDING 2   /* with permit-agent-forwarding */
int ns_cli_ssh_prepare_permits(ns_api *api, const char *sandbox_id, int expires_in, int websocket,
                               int permits, ns_sshfiles *f, ns_sshaccess *a);
/* The ProxyCommand of this very binary for a WebSocket URL (heap, holds the
 * URL: wipe and free), or NULL with the error printed. */
char *ns_cli_ws_proxy_command(const char *url, const char *pin);

/* sandbox_access.c: `nullspace sandbox ssh-access ID`; json 1: --json,
 * else --print-command (websocket: through the signed WebSocket URL);
 * permits: NS_CLI_NO_PORT_FORWARDING, NS_CLI_AGENT_FORWARDING. The exit
 * code. */
int ns_cli_sandbox_access(ns_api *api, const char *sandbox_id, int json, int websocket,
                          int expires_in, int permits);

/* sandbox_files.c: `nullspace sandbox exec ...` and `nullspace sandbox
 * files ...` (argv from "exec" / "files" on). The exit code. */
int ns_cli_sandbox_exec(int argc, char **argv);
int ns_cli_sandbox_files(int argc, char **argv);

#endif
