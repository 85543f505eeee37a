/* Reading a small text file (authorized_keys, CA keys, revocation lists,
 * known_hosts) whole, with a size cap; writing a buffer out whole; making
 * the private folders the control plane keeps its files in. */
#ifndef NS_TRANSPORT_FILE_H
#define NS_TRANSPORT_FILE_H

#include <stddef.h>

/* The whole file, malloc'd and NUL-terminated (free it). NS_ERR_NOTFOUND
 * when it does not exist, NS_ERR_TOOBIG past max bytes, NS_ERR_IO otherwise
 * (errno says why). */
int ns_file_read(const char *path, size_t max, char **text, size_t *len);
/* The same from an open file descriptor (read to its end; not closed). */
int ns_file_read_fd(int fd, size_t max, char **text, size_t *len);
/* Write all len bytes to fd, retrying short writes and EINTR: 0 or -1 (errno). */
int ns_file_write_all(int fd, const void *p, size_t len);
/* path as a folder of mode 0700: created (with parents, its missing parent
 * folders too, 0700), or, when it exists, a folder (or a symbolic link to
 * one) owned by our effective uid, whose mode is set to 0700 when it is
 * another. NS_ERR_INVALID for a
 * path of PATH_MAX bytes or more, NS_ERR_IO otherwise; err (may be NULL)
 * names the folder and why. */
int ns_file_mkdir(const char *path, int parents, char *err, size_t cap);

#endif
