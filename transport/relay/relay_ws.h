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

/* Under a resumable stream (issue 18; relay_resume.h): the binary frames'
 * bytes may start with NS_RESUME_MAGIC as on the SSH port. An upgrade to
 * SB/ssh + this suffix (before the query) asks for a resume only: its URL
 * may have expired (its signature must still hold for that sandbox; the
 * resume token is the credential), and the stream must be a RESUME of a
 * connection that came over WebSocket for the same sandbox. */
#define NS_RELAY_WS_RESUME_SUFFIX "/resume"
/* The close code of a stream refused after the upgrade (policy). */
#define NS_RELAY_WS_CLOSE_POLICY 1008
/* Is the upgrade done and the connection open? */
int ns_relay_ws_open(const ns_relay_ws *ws);
/* Was the upgrade to the resume-only path? */
int ns_relay_ws_resume_only(const ns_relay_ws *ws);
/* send(2) of the resumable stream's bytes in binary frames: > 0 bytes
 * taken (the caller shows the rest again next time), -1 with errno EAGAIN
 * (nothing taken; also before the upgrade) or EPIPE (the peer is gone). */
ssize_t ns_relay_ws_send(struct ns_relay_pipe *p, const uint8_t *b, size_t n);
/* The header, control frames and TLS records queued out: 0, or -1 when
 * the peer is gone. */
int ns_relay_ws_push(struct ns_relay_pipe *p);
/* Bytes queued below the resumable stream (headers, control, TLS). */
size_t ns_relay_ws_under(const struct ns_relay_pipe *p);
/* A stream the resume-only upgrade does not allow: logged, close 1008. */
void ns_relay_ws_refuse_stream(struct ns_relay_pipe *p, const char *why);
/* A RESUME moved from's socket to to: its WebSocket (and TLS) goes too. */
void ns_relay_ws_move(struct ns_relay_conn *from, struct ns_relay_conn *to);

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
/* The connection t now belongs to (a resumed one), for its log lines. */
void ns_relay_ws_tls_rebind(ns_relay_ws_tls *t, struct ns_relay_conn *c);

#endif
