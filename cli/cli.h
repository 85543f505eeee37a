/* Entry points of the `nullspace` commands (one file each in cli/), and the
 * exit codes the control-plane commands document (sysexits.h values, so
 * they stay clear of the usual 0..2 and of ssh's 255). */
#ifndef NS_CLI_H
#define NS_CLI_H

#define NS_EXIT_USAGE 2        /* bad command line */
#define NS_EXIT_FAILURE 1      /* anything else that went wrong locally */
#define NS_EXIT_NOTFOUND 68    /* sandbox unknown or stopped (EX_NOHOST) */
#define NS_EXIT_UNAVAILABLE 69 /* API unreachable (EX_UNAVAILABLE) */
#define NS_EXIT_PROTOCOL 76    /* relay host key changed (EX_PROTOCOL) */
#define NS_EXIT_NOPERM 77      /* API key missing or refused (EX_NOPERM) */
#define NS_EXIT_CONFIG 78      /* no API configured, bad config file (EX_CONFIG) */

int ns_cmd_connect(int argc, char **argv);
int ns_cmd_agent(int argc, char **argv);
int ns_cmd_relay(int argc, char **argv);
int ns_cmd_keygen(int argc, char **argv);
int ns_cmd_cert(int argc, char **argv);
#ifndef NS_NO_API
int ns_cmd_up(int argc, char **argv);
int ns_cmd_sandbox(int argc, char **argv);
int ns_cmd_ssh(int argc, char **argv);
/* Exit code for an SDK error (NS_ERR_* from nullspace/sdk.h calls). */
int ns_cli_api_exit(int err);
#endif

#endif
