/* `nullspace proxy` (cmd_proxy.c) and how it dials (proxy_dial.c). */
#ifndef NS_CLI_PROXY_INT_H
#define NS_CLI_PROXY_INT_H

#include <stdint.h>

/* What ns_cli_proxy_dial returns instead of a socket (message printed). */
#define NS_CLI_DIAL_UNREACH (-1) /* no connection: the relay's or the HTTP proxy's */
#define NS_CLI_DIAL_REFUSED (-2) /* the HTTP proxy answered the CONNECT with non-2xx */
#define NS_CLI_DIAL_USAGE (-3)   /* the proxy variable is not a URL we can use */

/* A connected socket to host:port: through the HTTP proxy the environment
 * names (https_proxy, HTTPS_PROXY; for ws:// (tls 0) first http_proxy,
 * HTTP_PROXY) by CONNECT, unless no_proxy/NO_PROXY exempts host:port; else
 * straight. timeout_ms for each connect and for the proxy's answer. */
int ns_cli_proxy_dial(const char *host, uint16_t port, int tls, int timeout_ms);

/* proxy_resume.c: stdin/stdout to the relay's SSH port at host:port over
 * the resumable transport, until either side ends; the exit code. */
int ns_cli_resume_proxy(const char *host, uint16_t port);

#endif
