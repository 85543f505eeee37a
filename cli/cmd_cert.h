/* Internals shared by the `nullspace cert` sub-commands (cli/cmd_cert*.c):
 * error messages, reading small text files, walking their lines, and the
 * validity text that ssh-keygen prints. */
#ifndef NS_CLI_CMD_CERT_H
#define NS_CLI_CMD_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "nullspace/types.h"

/* Largest certificate, public key or revocation file read. */
#define NS_CMD_CERT_FILE_MAX (4u << 20)
/* "from YYYY...-MM-DDTHH:MM:SS to ...": two dates of up to 32 bytes. */
#define NS_CMD_CERT_VALIDITY_LEN 128

int ns_cmd_cert_sign(int argc, char **argv);
int ns_cmd_cert_show(int argc, char **argv);
int ns_cmd_cert_check(int argc, char **argv);

/* "nullspace cert SUB: MESSAGE" on stderr; returns 255. */
int ns_cmd_cert_fail(const char *sub, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The whole file (or stdin for "-") into a malloc'd NUL-terminated buffer
 * of at most max bytes. -1 with errno set on failure (EFBIG: too large). */
int ns_cmd_cert_read_file(const char *path, size_t max, char **text, size_t *len);

/* A decimal uint64, digits only; -1 when not one. */
int ns_cmd_cert_parse_u64(const char *s, uint64_t *out);

/* Next line of text from *off (without its newline); 0 at the end. */
int ns_cmd_cert_next_line(const char *text, size_t len, size_t *off, ns_str *line);
/* Is the line blank or a '#' comment (after leading spaces and tabs)? */
int ns_cmd_cert_line_skip(ns_str line);

/* The validity as ssh-keygen -L prints it, in local time: "forever",
 * "before T", "after T" or "from T to T" with T like 2024-01-01T00:00:00. */
void ns_cmd_cert_validity(uint64_t after, uint64_t before, char out[NS_CMD_CERT_VALIDITY_LEN]);

#endif
