/* Small text files the commands read (public keys, certificates, CA lists,
 * revocation lists): read whole, or from stdin for "-", and walked line by
 * line. */
#ifndef NS_CLI_TEXTFILE_H
#define NS_CLI_TEXTFILE_H

#include <stddef.h>

#include "nullspace/types.h"

/* Largest certificate, public key or revocation file read. */
#define NS_CLI_TEXT_FILE_MAX (4u << 20)

/* The whole file (or stdin for "-") into a malloc'd NUL-terminated buffer
 * of at most max bytes. -1 with errno set on failure (EFBIG: too large). */
int ns_cli_read_file(const char *path, size_t max, char **text, size_t *len);

/* Next line of text from *off (without its newline); 0 at the end. */
int ns_cli_next_line(const char *text, size_t len, size_t *off, ns_str *line);
/* Is the line blank or a '#' comment (after leading spaces and tabs)? */
int ns_cli_line_skip(ns_str line);

#endif
