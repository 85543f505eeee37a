/* Internals shared by the `nullspace cert` sub-commands (cli/cmd_cert*.c):
 * the argument loop, numbers, and the validity text that ssh-keygen prints.
 * Files are read with cli/textfile.h, errors printed with ns_cli_fail. */
#ifndef NS_CLI_CMD_CERT_H
#define NS_CLI_CMD_CERT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nullspace/types.h"

/* "from YYYY...-MM-DDTHH:MM:SS to ...": two dates of up to 32 bytes. */
#define NS_CMD_CERT_VALIDITY_LEN 128

int ns_cmd_cert_sign(int argc, char **argv);
int ns_cmd_cert_show(int argc, char **argv);
int ns_cmd_cert_check(int argc, char **argv);

/* Every argument through parse(a, argc, argv, &i), which takes argv[i]
 * (and its value) and returns 1 for --help, -1 for a bad argument, 0 else.
 * -1 to go on; otherwise the exit code, after usage on stdout (--help, 0)
 * or stderr (2). */
int ns_cmd_cert_args(int argc, char **argv, int (*parse)(void *a, int argc, char **argv, int *i),
                     void *a, void (*show_usage)(FILE *));

/* A decimal uint64, digits only; -1 when not one. */
int ns_cmd_cert_parse_u64(const char *s, uint64_t *out);

/* The validity as ssh-keygen -L prints it, in local time: "forever",
 * "before T", "after T" or "from T to T" with T like 2024-01-01T00:00:00. */
void ns_cmd_cert_validity(uint64_t after, uint64_t before, char out[NS_CMD_CERT_VALIDITY_LEN]);

#endif
