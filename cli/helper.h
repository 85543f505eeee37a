/* `nullspace sandbox-helper`: what the control plane runs inside a sandbox
 * over SSH exec for the Commands and Files APIs (api/server_files.c). Its
 * exit codes are the contract with the API; its one-line messages go to
 * stderr. Paths it gets are relative to $HOME (checked by the API first);
 * every open is beneath $HOME with openat2(RESOLVE_BENEATH). */
#ifndef NS_CLI_HELPER_H
#define NS_CLI_HELPER_H

#define NS_HELPER_EXIT_OK 0
#define NS_HELPER_EXIT_IO 1        /* an I/O error (message says which) */
#define NS_HELPER_EXIT_USAGE 2     /* bad arguments */
#define NS_HELPER_EXIT_NOTFOUND 3  /* no such file or folder */
#define NS_HELPER_EXIT_ESCAPE 4    /* a symbolic link leads out of the home */
#define NS_HELPER_EXIT_TYPE 5      /* a folder where a file is wanted, or the reverse */
#define NS_HELPER_EXIT_SHORT 6     /* the upload ended before its announced size */
#define NS_HELPER_EXIT_TIMEOUT 124 /* run: the command was killed at its timeout */

int ns_cmd_sandbox_helper(int argc, char **argv);
/* helper_run.c: `run TIMEOUT CWD [K=V...] -- COMMAND` */
int ns_helper_run(int argc, char **argv);

#endif
