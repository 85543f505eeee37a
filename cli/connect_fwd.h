/* `-L [BIND:]PORT:HOST:HOSTPORT` of `nullspace connect` (and of `nullspace
 * ssh --native`) into an ns_client_forward (connect_fwd.c). */
#ifndef NS_CLI_CONNECT_FWD_H
#define NS_CLI_CONNECT_FWD_H

#include <stddef.h>

#include "nullspace/client.h"

/* Room for the host names of one spec (they point into it). */
#define NS_CONNECT_FWD_SPEC_MAX 600

/* Parse spec as OpenSSH's -L does for TCP (IPv6 addresses in brackets;
 * BIND, when given, must be a loopback address: 127.0.0.1, localhost or
 * ::1). 0, or -1 with err saying why (a Unix socket path, another bind
 * address, a bad port). */
int ns_connect_fwd_parse(const char *spec, ns_client_forward *out,
                         char store[NS_CONNECT_FWD_SPEC_MAX], char *err, size_t cap);

#endif
