/* Entry points of the `nullspace` commands (one file each in cli/), the
 * exit codes the control-plane commands document (sysexits.h values, so
 * they stay clear of the usual 0..2 and of ssh's 255), and what every
 * front-end shares (cli/cmdline.c). */
#ifndef NS_CLI_H
#define NS_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NS_EXIT_USAGE 2        /* bad command line */
#define NS_EXIT_FAILURE 1      /* anything else that went wrong locally */
#define NS_EXIT_NOTFOUND 68    /* sandbox unknown or stopped (EX_NOHOST) */
#define NS_EXIT_UNAVAILABLE 69 /* API unreachable (EX_UNAVAILABLE) */
#define NS_EXIT_PROTOCOL 76    /* relay host key changed (EX_PROTOCOL) */
#define NS_EXIT_NOPERM 77      /* API key missing or refused (EX_NOPERM) */
#define NS_EXIT_CONFIG 78      /* no API configured, bad config file (EX_CONFIG) */
#define NS_EXIT_OWN_ERROR 255  /* agent, relay, connect, cert: our own errors, as ssh */

typedef struct ns_cli_command {
	const char *name;
	int (*run)(int argc, char **argv); /* gets argv from the command's name on */
} ns_cli_command;

/* "nullspace CMD: MESSAGE" on stderr (CMD like "relay" or "cert sign");
 * returns NS_EXIT_OWN_ERROR. */
/* cli/stderr_watch.c: copy fd to our stderr until EOF; 1 when the relay's
 * "has moved" refusal (route_ext.h's NS_ROUTE_MOVED_TEXT) went by. */
int ns_cli_stderr_watch(int fd);
int ns_cli_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A decimal number from min to max, digits only: 0, or -1 when not one. */
int ns_cli_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *v);
/* A duration in ssh's time format into seconds: [0-9]+[sSmMhHdDwW]?
 * repeated (600, 10m, 1h30m, 2d, 52w); above 0, no overflow. 0, or -1. */
int ns_cli_parse_duration(const char *s, uint64_t *out);
/* The algorithm lists a server offers (agent, relay): --ciphers, --kex and
 * --macs store val in the matching field; 1 when a is one of them, else 0.
 * The lists are checked at start (ns_server_algs_check). */
int ns_cli_alg_option(const char *a, const char *val, const char **ciphers, const char **kex,
                      const char **macs);
/* Every "--name VALUE" pair of argv[1..] through set(o, name, value): 0
 * when it took the option, -1 for an unknown name or a bad value. -1 to go
 * on; otherwise the exit code: 0 after usage on stdout for --help or -h,
 * NS_EXIT_OWN_ERROR after a message for a missing or bad value. */
int ns_cli_options(const char *cmd, int argc, char **argv,
                   int (*set)(void *o, const char *name, const char *val), void *o,
                   void (*show_usage)(FILE *));
/* Run the command argv[1] names among cmds. No name: usage on stderr and
 * NS_EXIT_USAGE; --help, -h or help: usage on stdout and 0; an unknown name:
 * "PROG: unknown WHAT 'NAME'", usage on stderr and NS_EXIT_USAGE. */
int ns_cli_dispatch(const char *prog, const char *what, const ns_cli_command *cmds, size_t n,
                    void (*show_usage)(FILE *), int argc, char **argv);

/* --ready-fd N: N when it is an open descriptor of 3 or more (now
 * close-on-exec, so sessions do not inherit it), else -1. */
int ns_cli_ready_fd(const char *val);
/* on_ready of the agent and the relay: "ready\n" to *(int *)ud, closed. */
void ns_cli_notify_ready(void *ud);

int ns_cmd_connect(int argc, char **argv);
/* `nullspace connect` with its messages headed "nullspace NAME:". */
int ns_cmd_connect_as(const char *name, int argc, char **argv);
/* Did the last ns_cmd_connect_as end on the relay's "has moved" refusal
 * (route_ext.h's NS_ROUTE_MOVED_TEXT)? */
int ns_cmd_connect_moved(void);
int ns_cmd_agent(int argc, char **argv);
int ns_cmd_relay(int argc, char **argv);
int ns_cmd_proxy(int argc, char **argv);
int ns_cmd_tls_cert(int argc, char **argv);
int ns_cmd_keygen(int argc, char **argv);
int ns_cmd_cert(int argc, char **argv);
#ifndef NS_NO_API
int ns_cmd_up(int argc, char **argv);
int ns_cmd_sandbox(int argc, char **argv);
int ns_cmd_ssh(int argc, char **argv);
int ns_cmd_ssh_config(int argc, char **argv);
int ns_cmd_isolate(int argc, char **argv);
/* Exit code for an SDK error (NS_ERR_* from nullspace/sdk.h calls). */
int ns_cli_api_exit(int err);
#endif

#endif
