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

/* proxy_renew.c: certificate renewal (--renew ID). The time to renew: when
 * a third of what is left of the certificate remains, or
 * NS_PROXY_RENEW_MARGIN_S before its end if that is earlier, but not before
 * a third of what is left has passed (a 60 s certificate: at 20 s; 10
 * minutes: at 400 s). */
#define NS_PROXY_RENEW_FRACTION 3
#define NS_PROXY_RENEW_MARGIN_S 60
#define NS_PROXY_RENEW_TRIES 5        /* failures in a row (mint or relay), then off */
#define NS_PROXY_RENEW_RETRY_S 10     /* between them */
#define NS_PROXY_RENEW_ANSWER_S 30    /* the relay's answer to a CERT, or a failure */
#define NS_PROXY_RENEW_DEFAULT_MIN 10 /* --expires-in, as `nullspace ssh` */

#include "resume_wire.h"

typedef struct ns_proxy_renew ns_proxy_renew;
/* Renewal for sandbox's certificate (NULLSPACE_HOME/ssh, the API as
 * configured), minutes and NS_CLI_* permits for each new one: 0, or an
 * error (said on stderr: renewal is off). */
int ns_proxy_renew_new(const char *sandbox, int minutes, int permits, ns_proxy_renew **out);
void ns_proxy_renew_free(ns_proxy_renew *rn);
/* When to renew a certificate valid until valid_before (unix seconds). */
uint64_t ns_proxy_renew_when(uint64_t now, uint64_t valid_before);
/* Each turn of the loop: start a mint when due, take a finished one. */
void ns_proxy_renew_tick(ns_proxy_renew *rn);
/* The CERT frame's bytes to write now (0: none), and k of them written;
 * busy while it is half-written (no other frame may start). */
size_t ns_proxy_renew_next(ns_proxy_renew *rn, const uint8_t **p);
void ns_proxy_renew_wrote(ns_proxy_renew *rn, size_t k);
int ns_proxy_renew_busy(const ns_proxy_renew *rn);
/* The relay's CERT_OK or CERT_NO. */
void ns_proxy_renew_answer(ns_proxy_renew *rn, const ns_resume_ev *ev);
/* A resumed connection: an unanswered CERT goes again. */
void ns_proxy_renew_reconnected(ns_proxy_renew *rn);

/* proxy_resume.c: stdin/stdout to the relay's SSH port at host:port over
 * the resumable transport, until either side ends; the exit code. */
int ns_cli_resume_proxy(const char *host, uint16_t port);
/* Renew through rn (owned by the caller) in ns_cli_resume_proxy. */
void ns_cli_resume_proxy_renew(ns_proxy_renew *rn);

#endif
