/* The relay's side of resumable connections (issue 18): a connection on
 * the SSH listener whose first bytes are NS_RESUME_MAGIC carries its SSH
 * bytes in numbered frames, survives the loss of its socket for the grace
 * time (--resume-grace) and takes a new socket that presents its token.
 * The relay's SSH version line goes out raw at once on every connection,
 * before the first byte is seen; a resumable stream starts after it. A
 * plain SSH client never sends the magic and is served as before. */
#ifndef NS_TRANSPORT_RELAY_RESUME_H
#define NS_TRANSPORT_RELAY_RESUME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Received bytes are acknowledged at least this often while any are not. */
#define NS_RELAY_RESUME_IDLE_ACK_MS 1000
/* A CERT (certificate renewal) this soon after the last one is refused
 * unchecked ("too-soon"): each costs a signature check. */
#define NS_RELAY_RENEW_SPACING_MS 5000

#include "resume_buf.h"
#include "resume_wire.h"

struct ns_relay_conn;
struct ns_relay_pipe;

enum {
	NS_RRS_SNIFF = 0, /* no byte yet: the version line out, the rest held */
	NS_RRS_HELLO,     /* the magic came: NEW or RESUME next */
	NS_RRS_OPEN,      /* frames both ways on a socket */
	NS_RRS_DETACHED,  /* the socket was lost: waiting for a RESUME */
	NS_RRS_PEER_END,  /* the proxy sent END: EOF to the engine */
	NS_RRS_HANDED,    /* this socket went to the connection it resumed */
	NS_RRS_REFUSED,   /* a REFUSE goes out, then the socket closes */
};

typedef struct ns_relay_resume {
	struct ns_relay_conn *c;
	int state; /* NS_RRS_* */
	size_t magic_got;
	size_t ver_left; /* bytes of the engine's version line not yet sent raw */
	uint64_t detach_deadline, detached_at;
	ns_resume_dec dec;
	ns_resume_tx tx;
	uint8_t token[NS_RESUME_TOKEN_LEN]; /* secret: never logged, wiped */
	unsigned resumes;
	/* certificate renewal (relay_renew.c): the CERT being received, the
	 * last one taken (its access revoked ends the connection too) */
	uint8_t *cert;
	size_t cert_len;
	int cert_oom;
	uint8_t *renewed;
	size_t renewed_len;
	uint64_t renewed_at; /* the last CERT's time (ms), taken or not */
	unsigned renewals;
} ns_relay_resume;

/* Watch c's first bytes for the magic (when the relay has resume on),
 * after sending the version line: 0 or NS_ERR_NOMEM. */
int ns_relay_resume_attach(struct ns_relay_conn *c);
void ns_relay_resume_free(ns_relay_resume *rs);
/* recv(2) for the pipe (ns_relay_ws_recv's contract): SSH bytes; a lost
 * socket detaches (-1, EAGAIN) instead of ending. */
ssize_t ns_relay_resume_recv(struct ns_relay_pipe *p, uint8_t *buf, size_t cap);
/* The engine's output into the replay buffer, frames out: always 0 (a
 * lost socket detaches). */
int ns_relay_resume_flush(struct ns_relay_pipe *p);
size_t ns_relay_resume_pending(const struct ns_relay_pipe *p);
/* The SSH connection ended: an END frame after its last bytes. */
void ns_relay_resume_end(struct ns_relay_pipe *p);
/* The grace time and the idle ACK. */
void ns_relay_resume_timers(struct ns_relay_conn *c, uint64_t now);
uint64_t ns_relay_resume_timeout(const struct ns_relay_conn *c, uint64_t now, uint64_t t);

/* relay_resume_adopt.c: a new connection's RESUME (ev) for another
 * connection: checked (id, token in constant time, the replay window), then
 * its socket moves there; else a REFUSE. Logged either way. */
void ns_relay_resume_adopt(ns_relay_resume *rs, const ns_resume_ev *ev);
/* A short hash of a token for the log (8 hex digits + NUL). */
void ns_relay_resume_token_tag(const uint8_t token[NS_RESUME_TOKEN_LEN], char out[9]);
/* Refuse a hello: REFUSE queued (the caller logs it, once). */
void ns_relay_resume_refuse(ns_relay_resume *rs, const char *why);
/* Queue ACCEPT with a fresh token; state OPEN. */
void ns_relay_resume_accept(ns_relay_resume *rs);

/* relay_renew.c: a piece of a CERT frame (last: the frame's end, when
 * the certificate is judged and the answer queued). */
void ns_relay_renew_piece(ns_relay_resume *rs, const uint8_t *p, size_t n, int last);
struct ns_cert;
/* Why blob cannot renew c's login certificate, or NULL (cert parsed from
 * it): the checks of docs/relay.md "Certificate renewal", at now_s (unix
 * seconds); why may point into buf. */
const char *ns_relay_renew_check(struct ns_relay_conn *c, const uint8_t *blob, size_t len,
                                 uint64_t now_s, struct ns_cert *cert, char *buf, size_t cap);

#endif
