/* A BearSSL engine joined to a socket (issue 13's wss://): records move
 * between the engine's buffers and the fd, application bytes in and out
 * with recv(2)/send(2)-like calls. Works on a non-blocking socket (the
 * relay's event loop) and on a blocking one (`nullspace proxy`). */
#ifndef NS_TRANSPORT_TLS_IO_H
#define NS_TRANSPORT_TLS_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <bearssl.h>

/* The record buffer of one TLS connection, both ways at once: a whole
 * incoming record (BearSSL needs it) and a whole outgoing one. */
#define NS_TLS_IOBUF BR_SSL_BUFSIZE_BIDI

/* Application bytes into buf: > 0, 0 at the end (close_notify, the peer's
 * EOF, or a failure: see br_ssl_engine_last_error), -1 with errno (EAGAIN
 * on a non-blocking socket, EPIPE when the socket failed). Records the
 * engine has to send (a handshake's) go out on the way. */
ssize_t ns_tls_recv(br_ssl_engine_context *eng, int fd, uint8_t *buf, size_t cap);
/* Application bytes taken into the engine (at most n): > 0, or -1 with
 * errno (EAGAIN: records must go out first or the handshake is not done;
 * EPIPE: closed). Taken bytes leave with ns_tls_flush. */
ssize_t ns_tls_send(br_ssl_engine_context *eng, int fd, const uint8_t *p, size_t n);
/* Close the current record and write records out: 0 all gone, 1 some
 * wait (EAGAIN), -1 the peer is gone. */
int ns_tls_flush(br_ssl_engine_context *eng, int fd);
/* Record bytes waiting to be written. */
size_t ns_tls_pending(br_ssl_engine_context *eng);
/* Plaintext the engine holds that no read has taken yet. */
int ns_tls_buffered(br_ssl_engine_context *eng);
/* Read records from fd once: 1 bytes came, 0 EOF, -1 with errno. */
int ns_tls_read_records(br_ssl_engine_context *eng, int fd);
/* Is the handshake done (application data may flow)? */
int ns_tls_ready(br_ssl_engine_context *eng);
/* A BearSSL error code's name for a log line ("no-common-algorithm",
 * "certificate-not-trusted", ...); "ok" for 0. */
const char *ns_tls_error_name(int err);
/* "TLS1.2" and the suite's name, for a log line. */
const char *ns_tls_version_name(unsigned version);
const char *ns_tls_suite_name(uint16_t suite);

#endif
