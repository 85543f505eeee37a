/* Reading a small text file (authorized_keys, CA keys, revocation lists,
 * known_hosts) whole, with a size cap. */
#ifndef NS_TRANSPORT_FILE_H
#define NS_TRANSPORT_FILE_H

#include <stddef.h>

/* The whole file, malloc'd and NUL-terminated (free it). NS_ERR_NOTFOUND
 * when it does not exist, NS_ERR_TOOBIG past max bytes, NS_ERR_IO otherwise. */
int ns_file_read(const char *path, size_t max, char **text, size_t *len);

#endif
