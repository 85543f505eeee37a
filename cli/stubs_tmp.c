/* TEMPORARY stubs so bin/nullspace links while the commands are written;
 * each helper deletes the stub of the command it implements. */
#include "cli.h"

int ns_cmd_up(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int ns_cmd_sandbox(int argc, char **argv) { (void)argc; (void)argv; return 1; }
int ns_cmd_ssh(int argc, char **argv) { (void)argc; (void)argv; return 1; }
