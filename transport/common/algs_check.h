/* Checking a server's algorithm lists (--ciphers, --kex, --macs of agent and
 * relay) once at start, so a typo is a clear error, not a refusal of every
 * connection later. */
#ifndef NS_TRANSPORT_ALGS_CHECK_H
#define NS_TRANSPORT_ALGS_CHECK_H

#include <stddef.h>

/* 0, or NS_ERR_INVALID / NS_ERR_UNSUPPORTED with a one-line message in err
 * naming the option and the list. NULL lists are the defaults. */
int ns_server_algs_check(const char *ciphers, const char *kex, const char *macs, char *err,
                         size_t cap);

#endif
