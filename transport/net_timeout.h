/* ns_net_connect with a connect timeout (the built-in client's
 * connect_timeout). Lives beside transport/net.h until it joins it. */
#ifndef NS_TRANSPORT_NET_TIMEOUT_H
#define NS_TRANSPORT_NET_TIMEOUT_H

#include <stddef.h>

/* As ns_net_connect; timeout_ms < 0 waits as long as the kernel does.
 * NS_ERR_TIMEOUT when no address answered in time. */
int ns_net_connect_ms(const char *host, unsigned port, int timeout_ms, char *err, size_t cap);

#endif
