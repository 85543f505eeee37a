/* Non-blocking connects for event loops (the relay's inner hop): start a
 * connect to an endpoint spec and learn its outcome when the socket turns
 * writable. Lives beside transport/net.h. */
#ifndef NS_TRANSPORT_NET_ASYNC_H
#define NS_TRANSPORT_NET_ASYNC_H

#include <stddef.h>

/* Start connecting to "HOST:PORT", "[V6]:PORT" or "unix:PATH". Returns a
 * non-blocking, close-on-exec socket (the connect may still be in
 * progress: wait for EPOLLOUT, then call ns_net_connect_finish) or a
 * negative NS_ERR_* with a message in err. HOST should be numeric: a name
 * is resolved with a blocking getaddrinfo(). Only the first address is
 * tried. */
int ns_net_connect_start(const char *spec, char *err, size_t cap);
/* 0 when the connect succeeded, else the errno value it failed with. */
int ns_net_connect_finish(int fd);

#endif
