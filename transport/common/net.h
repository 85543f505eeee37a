/* Socket helpers shared by the programs: parse HOST:PORT / unix:PATH,
 * listen, connect (blocking, with a timeout, or started for an event loop),
 * non-blocking mode. Return an fd or a negative NS_ERR_*; on error a
 * message goes into err (cap bytes). net.c, net_async.c. */
#ifndef NS_TRANSPORT_NET_H
#define NS_TRANSPORT_NET_H

#include <stddef.h>

/* "HOST:PORT", "[V6]:PORT", "unix:PATH", or "fd:N" for a listening stream
 * socket inherited at descriptor N (3 or more; made close-on-exec). */
int ns_net_listen(const char *spec, char *err, size_t cap);
/* Connect to host and port (TCP, IPv4 or IPv6), or a "unix:PATH" host. */
int ns_net_connect(const char *host, unsigned port, char *err, size_t cap);
/* As ns_net_connect; timeout_ms < 0 waits as long as the kernel does.
 * NS_ERR_TIMEOUT when no address answered in time (the built-in client's
 * connect_timeout). */
int ns_net_connect_ms(const char *host, unsigned port, int timeout_ms, char *err, size_t cap);
int ns_net_set_nonblock(int fd, int on);
/* "IP" text of the peer of a socket ("unix" for unix sockets). */
void ns_net_peer_name(int fd, char *out, size_t cap);
/* "PEER_IP PEER_PORT LOCAL_IP LOCAL_PORT" of a connected socket, or
 * "UNKNOWN 65535 UNKNOWN 65535" when not IP (sshd's SSH_CONNECTION). */
void ns_net_conn_addr(int fd, char *out, size_t cap);

/* Non-blocking connects for event loops (the relay's inner hop), in
 * net_async.c. Start connecting to "HOST:PORT", "[V6]:PORT" or "unix:PATH".
 * Returns a non-blocking, close-on-exec socket (the connect may still be in
 * progress: wait for EPOLLOUT, then call ns_net_connect_finish) or a
 * negative NS_ERR_* with a message in err. HOST should be numeric: a name
 * is resolved with a blocking getaddrinfo(). Only the first address is
 * tried. */
int ns_net_connect_start(const char *spec, char *err, size_t cap);
/* 0 when the connect succeeded, else the errno value it failed with. */
int ns_net_connect_finish(int fd);

#endif
