/* Socket helpers shared by the programs: parse HOST:PORT / unix:PATH,
 * listen, connect, non-blocking mode. Return an fd or a negative NS_ERR_*;
 * on error a message goes into err (cap bytes). */
#ifndef NS_TRANSPORT_NET_H
#define NS_TRANSPORT_NET_H

#include <stddef.h>

/* "HOST:PORT", "[V6]:PORT" or "unix:PATH". */
int ns_net_listen(const char *spec, char *err, size_t cap);
/* Connect to host and port (TCP, IPv4 or IPv6), or a "unix:PATH" host. */
int ns_net_connect(const char *host, unsigned port, char *err, size_t cap);
int ns_net_set_nonblock(int fd, int on);
/* "IP" text of the peer of a socket ("unix" for unix sockets). */
void ns_net_peer_name(int fd, char *out, size_t cap);

#endif
