/* Shared by cli/sshfiles*.c: writing the files under NULLSPACE_HOME/ssh. */
#ifndef NS_CLI_SSHFILES_INT_H
#define NS_CLI_SSHFILES_INT_H

#include <stddef.h>

/* Write len bytes to path atomically (a temporary file in the same folder
 * with mode, fsync, then rename; with no_replace a link() instead, so an
 * existing path is kept: NS_ERR_STATE then). NS_ERR_IO with err set. */
int ns_sshfiles_write(const char *path, const void *p, size_t len, int mode, int no_replace,
                      char *err, size_t cap);

/* NULLSPACE_HOME/ssh/known_hosts whole (malloc'd, NUL-terminated; a missing
 * file is empty, *text NULL), never through a link: NS_ERR_IO with err
 * naming the file and why (a link: remove it), NS_ERR_TOOBIG past
 * NS_CLIENT_KNOWN_HOSTS_MAX. */
struct ns_sshfiles;
int ns_sshfiles_known_read(const struct ns_sshfiles *f, char **text, size_t *len, char *err,
                           size_t cap);

#endif
