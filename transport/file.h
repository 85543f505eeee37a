/* Reading a small text file (authorized_keys, CA keys, revocation lists,
 * known_hosts) whole, with a size cap; writing a buffer out whole. */
#ifndef NS_TRANSPORT_FILE_H
#define NS_TRANSPORT_FILE_H

#include <stddef.h>

/* The whole file, malloc'd and NUL-terminated (free it). NS_ERR_NOTFOUND
 * when it does not exist, NS_ERR_TOOBIG past max bytes, NS_ERR_IO otherwise. */
int ns_file_read(const char *path, size_t max, char **text, size_t *len);
/* Write all len bytes to fd, retrying short writes and EINTR: 0 or -1 (errno). */
int ns_file_write_all(int fd, const void *p, size_t len);

#endif
