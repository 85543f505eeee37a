/* `nullspace proxy` (cmd_proxy.c), how it dials (proxy_dial.c), one
 * connection to the relay (proxy_link.c) and the resumable transport over
 * it (proxy_resume.c). */
#ifndef NS_CLI_PROXY_INT_H
#define NS_CLI_PROXY_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tls_client.h"
#include "ws_frame.h"
#include "ws_http.h"

/* Exit codes of `nullspace proxy` (usage in cmd_proxy.c). */
#define EXIT_PROXY_REFUSED 77  /* 401, 403, 410 */
#define EXIT_PROXY_NOTFOUND 68 /* 404 */
#define EXIT_PROXY_UNREACH 69  /* no connection, or lost before the upgrade */
#define EXIT_PROXY_TUNNEL 70   /* the HTTP proxy (HTTPS_PROXY) refused the CONNECT */
#define EXIT_PROXY_PROTOCOL 76 /* a broken answer or frame, a close code not 1000 */
#define EXIT_PROXY_TLS 79      /* wss://: handshake failed, certificate refused */

/* What ns_cli_proxy_dial returns instead of a socket (the reason in err). */
#define NS_CLI_DIAL_UNREACH (-1) /* no connection: the relay's or the HTTP proxy's */
#define NS_CLI_DIAL_REFUSED (-2) /* the HTTP proxy answered the CONNECT with non-2xx */
#define NS_CLI_DIAL_USAGE (-3)   /* the proxy variable is not a URL we can use */

/* A connected socket to host:port: through the HTTP proxy the environment
 * names (https_proxy, HTTPS_PROXY; for ws:// (tls 0) first http_proxy,
 * HTTP_PROXY) by CONNECT, unless no_proxy/NO_PROXY exempts host:port; else
 * straight. timeout_ms for each connect and for the proxy's answer;
 * *status the proxy's answer (0: none). */
int ns_cli_proxy_dial(const char *host, uint16_t port, int tls, int timeout_ms, int *status,
                      char *err, size_t cap);

/* Where the proxy goes: tcp://HOST:PORT (ws 0), or a ws[s]:// URL. */
typedef struct ns_plink_cfg {
	const char *host;
	uint16_t port;
	int ws, tls;        /* ws://: ws; wss://: ws and tls */
	const char *target; /* the URL's path and query */
	const uint8_t *pin; /* --pin-sha256, or NULL: the system CAs */
} ns_plink_cfg;

/* Payload bytes of one frame the proxy sends. */
#define NS_PLINK_FRAME 32768

/* One connection to the relay. */
typedef struct ns_plink {
	int fd;
	ns_tls_client *tls;
	int ws, proxy_status;
	int soft;      /* the dial failed on the path (a TLS handshake cut), not a refusal */
	int close_due; /* ws: 1 a close 1000 to queue after the frames, 2 queued */
	ns_ws_dec dec;
	uint8_t in[NS_WS_HTTP_HEAD_MAX]; /* read, not yet decoded */
	size_t ioff, ilen;
	uint8_t out[NS_WS_HDR_MAX + NS_PLINK_FRAME]; /* one masked frame going out */
	size_t ooff, olen;
} ns_plink;

/* Connect (through HTTPS_PROXY when set), TLS (checked or pinned again
 * every time, within NS_TLS_HANDSHAKE_MS), the upgrade (resume: to the
 * resume-only path, see docs/relay.md) within timeout_ms, on a blocking
 * socket: 0, or an EXIT_PROXY_* code with the reason in err. */
int ns_plink_dial(ns_plink *l, const ns_plink_cfg *cfg, int resume, int timeout_ms, char *err,
                  size_t cap);
/* send(2) and read(2) of the stream's bytes (binary frames on ws). */
ssize_t ns_plink_send(ns_plink *l, const uint8_t *p, size_t n);
ssize_t ns_plink_recv(ns_plink *l, uint8_t *buf, size_t cap);
/* Bytes held that a read gives without waiting; bytes queued out. */
int ns_plink_ready(ns_plink *l);
size_t ns_plink_pending(ns_plink *l);
/* Queued bytes out as far as the socket takes them: 0, or -1 when lost. */
int ns_plink_flush(ns_plink *l);
/* Our side is done: a close 1000 after the queued frames (ws), or
 * shutdown(SHUT_WR) (tcp). */
void ns_plink_end(ns_plink *l);
void ns_plink_close(ns_plink *l);

/* proxy_resume.c: stdin/stdout to the relay over the resumable transport,
 * until either side ends; the exit code. */
int ns_cli_resume_proxy(const char *host, uint16_t port);
int ns_cli_resume_proxy_to(const ns_plink_cfg *cfg);

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

/* Renew through rn (owned by the caller) in ns_cli_resume_proxy. */
void ns_cli_resume_proxy_renew(ns_proxy_renew *rn);

#endif
