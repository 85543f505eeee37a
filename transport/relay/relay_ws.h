/* The relay's WebSocket front door (issue 13): a user connection accepted
 * on --websocket-listen reads and writes its SSH bytes through this layer.
 * It answers the HTTP upgrade only for a signed URL of a running sandbox,
 * then carries the SSH byte stream in binary frames. */
#ifndef NS_TRANSPORT_RELAY_WS_H
#define NS_TRANSPORT_RELAY_WS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "registry.h"

/* Bytes of engine output per data frame the relay sends. */
#define NS_RELAY_WS_OUT_FRAME 65536
/* Control frames and HTTP answers queued (a pong, a close, a refusal). */
#define NS_RELAY_WS_CTL_BUF 512

typedef struct ns_relay_ws ns_relay_ws;
struct ns_relay_conn;
struct ns_relay_pipe;

/* Make c a WebSocket connection (c->front.ws): 0 or NS_ERR_NOMEM. */
int ns_relay_ws_attach(struct ns_relay_conn *c);
void ns_relay_ws_free(ns_relay_ws *ws);
/* Like recv(2) on the pipe's socket, giving SSH bytes: > 0 bytes in buf,
 * 0 at the end (the peer's EOF, a close frame, a refusal or a protocol
 * error, each answered and logged), -1 with errno (EAGAIN). */
ssize_t ns_relay_ws_recv(struct ns_relay_pipe *p, uint8_t *buf, size_t cap);
/* Send what is queued and the engine's output in frames: 0, or -1 once
 * the peer is gone (ns_relay_pipe_flush's contract). */
int ns_relay_ws_flush(struct ns_relay_pipe *p);
/* The SSH connection ended normally: once its last bytes are out, a close
 * frame with code 1000 (so clients see a clean end, not 1006). */
void ns_relay_ws_end(struct ns_relay_pipe *p);
/* Bytes waiting to go out (what the socket's write interest depends on). */
size_t ns_relay_ws_pending(const struct ns_relay_pipe *p);
/* The sandbox the URL named ("" before the upgrade). */
const char *ns_relay_ws_sandbox(const ns_relay_ws *ws);

/* relay_ws_tls.c: the wss:// layer under the frames, a BearSSL server
 * engine per connection (transport/common/tls_io.h's calls, logged). */
typedef struct ns_relay_ws_tls ns_relay_ws_tls;
struct ns_relay;
/* Load cfg->tls_cert and cfg->tls_key into r->tls: 0, or an error logged. */
int ns_relay_ws_tls_load(struct ns_relay *r);
const char *ns_relay_ws_tls_kind(const struct ns_relay *r);
int ns_relay_ws_tls_new(struct ns_relay_conn *c, ns_relay_ws_tls **out);
void ns_relay_ws_tls_free(ns_relay_ws_tls *t);
/* recv(2) and send(2) through TLS; the handshake's end and a failure's
 * reason are logged once. */
ssize_t ns_relay_ws_tls_recv(ns_relay_ws_tls *t, int fd, uint8_t *buf, size_t cap);
ssize_t ns_relay_ws_tls_send(ns_relay_ws_tls *t, int fd, const uint8_t *p, size_t n);
/* Records out (close_notify first when closing): 0, or -1 once the peer
 * is gone. */
int ns_relay_ws_tls_flush(ns_relay_ws_tls *t, int fd, int closing);
size_t ns_relay_ws_tls_pending(ns_relay_ws_tls *t);

#endif
