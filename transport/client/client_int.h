/* Internals of the built-in client (transport/client*.c): the connection
 * state, the socket pump around the engine and the session channel driver.
 * Not part of the public API. */
#ifndef NS_TRANSPORT_CLIENT_INT_H
#define NS_TRANSPORT_CLIENT_INT_H

#include <poll.h>
#include <stdarg.h>

#include "abi.h"
#include "call_check.h"
#include "pump.h"
#include "clock.h"
#include "nullspace/client.h"
#include "nullspace/engine.h"
#include "nullspace/error.h"

#define NS_CLIENT_READS 4 /* socket reads per wakeup, each up to NS_INPUT_MAX bytes */
#define NS_CLIENT_HOST_MAX 256
#define NS_CLIENT_USER_MAX 256
#define NS_CLIENT_SIGNAME_MAX 32
#define NS_CLIENT_CLOSE_WAIT_MS 1000 /* flush of our DISCONNECT at close */
/* The public structs' fields as of the release that gave them a size field
 * (new fields go at their end). */
#define NS_CLIENT_CONFIG_SIZE_MIN NS_ABI_END(ns_client_config, sign_ud)
#define NS_CLIENT_RUN_OPTS_SIZE_MIN NS_ABI_END(ns_client_run_opts, tty_fd)
/* ... and with the forwards (a caller built against an older header has none). */
#define NS_CLIENT_RUN_OPTS_SIZE_FWD NS_ABI_END(ns_client_run_opts, no_session)

typedef struct ns_cfwd ns_cfwd; /* client_fwd.h */

struct ns_client {
	ns_engine *e;
	int fd;
	const ns_allocator *alloc;
	char host[NS_CLIENT_HOST_MAX];
	unsigned port;
	char user[NS_CLIENT_USER_MAX];
	char err[NS_CLIENT_ERR_MAX];
	ns_pump pump; /* sock_eof, eof_fed (common/pump.h) */
	int gone;     /* NS_EV_DISCONNECT seen */
	int gone_err; /* its NS_ERR_* (or NS_ERR_DISCONNECTED) */
	ns_cfwd *fwd; /* the forwards of the run in progress, or NULL */
};

/* client_io.c: the socket pump. */
/* Record an error message (printf-like) in c->err; returns rc. */
int ns_cio_fail(ns_client *c, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Send what the engine has to send without blocking. */
int ns_cio_flush(ns_client *c);
/* Feed buffered socket bytes and pull the next event (NS_EV_NONE: none
 * until more bytes arrive). A DISCONNECT event also sets c->gone. */
int ns_cio_event(ns_client *c, ns_event *ev);
/* Wait for the socket or fds[1..n-1] (fds[0] is filled in here for the
 * socket) at most until deadline_ms (UINT64_MAX: none), read the socket,
 * send pending output and tick the engine. NS_ERR_TIMEOUT past the deadline. */
int ns_cio_wait(ns_client *c, struct pollfd *fds, int n, uint64_t deadline_ms);
/* Describe a DISCONNECT event in c->err; returns the error to report. */
int ns_cio_disconnected(ns_client *c, const ns_event *ev);

/* client_capture.c: append to a buffer (b->alloc defaults to libc); what
 * goes past b->max is dropped and NS_ERR_TOOBIG comes back. */
int ns_client_buf_append(ns_client_buf *b, const uint8_t *p, size_t n);

/* client_hostkey.c: the host key verdict by policy. */
int ns_client_check_hostkey(ns_client *c, const ns_client_config *cfg, const ns_pubkey *key);
/* "host" for port 22, else "[host]:port". */
void ns_client_host_display(const char *host, unsigned port, char *out, size_t cap);
/* client_hostcert.c: a host certificate (strict policy): 0 when a
 * @cert-authority line for the host lists its CA and the certificate is
 * valid for the host now; NS_ERR_NOTFOUND when no CA line is for this host
 * (the caller then checks the certified key as a plain host key); other
 * errors refuse, with the reason in c->err. */
int ns_client_check_hostcert(ns_client *c, const ns_client_config *cfg, ns_str blob);

/* client_session.c: one session channel. */
enum ns_sess_state {
	NS_SESS_OPENING = 0, /* CHANNEL_OPEN sent */
	NS_SESS_STARTING,    /* pty-req / exec / shell sent, replies due */
	NS_SESS_RUNNING,     /* the command runs */
	NS_SESS_CLOSED,      /* CHANNEL_CLOSED seen: the id is free */
};

typedef struct ns_sess ns_sess;
/* Received data: take all n bytes (copy them); report consumption with
 * ns_channel_consumed when done with them. Non-zero fails the session. */
typedef int (*ns_sess_data_fn)(ns_sess *s, uint32_t ext, const uint8_t *p, size_t n);

struct ns_sess {
	ns_client *c;
	uint32_t id;
	int state;
	int want_pty;
	ns_chan_request pty; /* pty-req fields when want_pty */
	const char *command; /* NULL: shell */
	int replies_due;
	int pty_refused;
	int peer_eof;
	int want_close;                      /* ns_channel_close to (re)try */
	int exit_status;                     /* -1 until exit-status */
	char signame[NS_CLIENT_SIGNAME_MAX]; /* exit-signal name, "" when none */
	ns_sess_data_fn data;
	void *ud;
};

/* Open a session and queue the requests. */
int ns_sess_start(ns_sess *s, ns_client *c, ns_sess_data_fn data, void *ud);
/* Apply one event; 0, or an NS_ERR_* with c->err set. */
int ns_sess_handle(ns_sess *s, const ns_event *ev);
/* Retry what the engine had no output room for (NS_ERR_AGAIN): our CLOSE,
 * a window adjust (consumed 0). */
void ns_sess_retry(ns_sess *s);
/* Drain and apply every event available now. */
int ns_sess_events(ns_sess *s);
/* The exit code rule of ns_client_run (status, 128+N, 255). */
int ns_sess_exit_code(const ns_sess *s);

#endif
