/* Local forwards of the built-in client (client_fwd.c): the listeners and
 * the forwarded connections, each a socket spliced to a direct-tcpip
 * channel. Internal to transport/client. */
#ifndef NS_TRANSPORT_CLIENT_FWD_H
#define NS_TRANSPORT_CLIENT_FWD_H

#include "client_int.h"

enum ns_cfwd_state {
	NS_CFWD_WAIT_OPEN = 1, /* accepted; the channel open waits for output room */
	NS_CFWD_OPENING,       /* CHANNEL_OPEN sent */
	NS_CFWD_OPEN,          /* spliced */
	NS_CFWD_GONE,          /* the channel closed: what it sent is written out, then freed */
};

typedef struct ns_cfwd_conn {
	int fd; /* -1: a free slot */
	int fwd;
	uint32_t id;
	int state;
	int sock_eof, sock_err, eof_sent, peer_eof, shut_wr, close_sent;
	uint8_t in[NS_CLIENT_FWD_BUF]; /* read from the socket, not yet in the channel */
	size_t in_off, in_len;
	ns_client_buf out; /* from the channel, not yet written (at most our window) */
	size_t out_off;
} ns_cfwd_conn;

struct ns_cfwd {
	ns_client *c;
	int fd_err;
	const ns_client_forward *fw;
	size_t nfw;
	int lfd[NS_CLIENT_FWD_MAX];
	ns_cfwd_conn conn[NS_CLIENT_FWD_CONN_MAX];
	int nconn;
	int full_told; /* the limit was reported and still holds */
};

/* pollfd slots: the listeners, then one per connection slot. */
#define NS_CFWD_POLLFDS (NS_CLIENT_FWD_MAX + NS_CLIENT_FWD_CONN_MAX)

/* Listen for each forward; 0, or an error with c->err set (*out may still
 * need ns_cfwd_free). fd_err: where open failures are told (-1: nowhere). */
int ns_cfwd_open(ns_client *c, const ns_client_forward *fw, size_t n, int fd_err, ns_cfwd **out);
void ns_cfwd_free(ns_cfwd *f);
/* Apply an event if it is for a forwarded channel: 1, else 0. */
int ns_cfwd_event(ns_cfwd *f, const ns_event *ev);
/* Opens to retry, bytes to move, EOFs and closes to send. */
void ns_cfwd_pump(ns_cfwd *f);
/* Fill NS_CFWD_POLLFDS entries of p; after poll, ns_cfwd_after_poll. */
int ns_cfwd_pollfds(ns_cfwd *f, struct pollfd *p);
void ns_cfwd_after_poll(ns_cfwd *f, const struct pollfd *p);
/* No session (ssh -N): serve until the connection ends; its error. */
int ns_cfwd_serve(ns_cfwd *f);

#endif
