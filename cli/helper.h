/* `nullspace sandbox-helper`: what the control plane runs inside a sandbox
 * over SSH exec for the Commands and Files APIs (api/server_files.c). Its
 * exit codes are the contract with the API; its one-line messages go to
 * stderr. Paths it gets are relative to $HOME (checked by the API first);
 * every open is beneath $HOME with openat2(RESOLVE_BENEATH). */
#ifndef NS_CLI_HELPER_H
#define NS_CLI_HELPER_H

#include "helper_codes.h"

int ns_cmd_sandbox_helper(int argc, char **argv);
/* helper_run.c: `run TIMEOUT CWD [K=V...] -- COMMAND` */
int ns_helper_run(int argc, char **argv);

#endif
