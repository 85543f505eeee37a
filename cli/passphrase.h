/* A private key's passphrase read on the controlling terminal, as ssh
 * does: prompt and answer on /dev/tty (never stdin, which may carry the
 * remote command's input), echo off while typing. */
#ifndef NS_CLI_PASSPHRASE_H
#define NS_CLI_PASSPHRASE_H

#include <stddef.h>

/* Longest passphrase read, with its NUL. */
#define NS_CLI_PASSPHRASE_MAX 1024

/* Print prompt on the terminal and read one line into buf (NUL-ended, *len
 * bytes, the newline dropped). 0, NS_ERR_NOTFOUND when there is no
 * terminal to ask on, NS_ERR_TOOBIG when the line did not fit (it was read
 * to its end and wiped), NS_ERR_IO on a read error or end of input. The
 * terminal's modes come back on every path; a signal that arrives while it
 * waits (Ctrl-C) restores them and is then delivered as usual. */
int ns_cli_read_passphrase(const char *prompt, char *buf, size_t cap, size_t *len);

#endif
