/* Local forwards of the built-in client (ssh -L): loopback listeners; each
 * accepted connection opens a direct-tcpip channel and is spliced to it.
 * Flow control both ways: the socket is read only while the channel's
 * window has room, and received data is reported consumed only once the
 * socket took it. The per-connection states are in client_fwd.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client_fwd.h"
#include "net.h"

static const char *listen_host(const ns_client_forward *f)
{
	return f->listen_host != NULL ? f->listen_host : "127.0.0.1";
}

static int loopback(const char *h)
{
	return strcmp(h, "127.0.0.1") == 0 || strcmp(h, "localhost") == 0 || strcmp(h, "::1") == 0;
}

int ns_cfwd_open(ns_client *c, const ns_client_forward *fw, size_t n, int fd_err, ns_cfwd **out)
{
	char spec[NS_CHAN_HOST_MAX + 16], err[256];
	ns_cfwd *f;
	size_t i;

	*out = NULL;
	if (n > NS_CLIENT_FWD_MAX) {
		return ns_cio_fail(c, NS_ERR_LIMIT, "more than %d forwards", NS_CLIENT_FWD_MAX);
	}
	if ((f = c->alloc->realloc(c->alloc->ctx, NULL, sizeof(*f))) == NULL) {
		return ns_cio_fail(c, NS_ERR_NOMEM, "out of memory");
	}
	memset(f, 0, sizeof(*f));
	f->c = c;
	f->fd_err = fd_err;
	f->fw = fw;
	f->nfw = n;
	for (i = 0; i < NS_CLIENT_FWD_MAX; i++) {
		f->lfd[i] = -1;
	}
	for (i = 0; i < NS_CLIENT_FWD_CONN_MAX; i++) {
		f->conn[i].fd = -1;
	}
	*out = f;
	for (i = 0; i < n; i++) {
		const char *h = listen_host(&fw[i]);
		if (!loopback(h) || fw[i].host == NULL || fw[i].port == 0 || fw[i].port > 65535 ||
		    fw[i].listen_port > 65535 || strlen(fw[i].host) > NS_CHAN_HOST_MAX) {
			return ns_cio_fail(
			    c, NS_ERR_INVALID,
			    "forward %zu: want a loopback address to listen on and a "
			    "host and port to reach",
			    i + 1);
		}
		snprintf(spec, sizeof(spec), strchr(h, ':') ? "[%s]:%u" : "%s:%u", h,
		         fw[i].listen_port);
		if ((f->lfd[i] = ns_net_listen(spec, err, sizeof(err))) < 0) {
			return ns_cio_fail(c, NS_ERR_IO, "%s", err);
		}
		ns_net_set_nonblock(f->lfd[i], 1);
	}
	return 0;
}

static void conn_free(ns_cfwd *f, ns_cfwd_conn *k)
{
	if (k->fd >= 0) {
		close(k->fd);
		f->nconn--;
	}
	ns_client_buf_free(&k->out);
	memset(k, 0, sizeof(*k));
	k->fd = -1;
}

void ns_cfwd_free(ns_cfwd *f)
{
	size_t i;

	if (f == NULL) {
		return;
	}
	for (i = 0; i < NS_CLIENT_FWD_MAX; i++) {
		if (f->lfd[i] >= 0) {
			close(f->lfd[i]);
		}
	}
	for (i = 0; i < NS_CLIENT_FWD_CONN_MAX; i++) {
		conn_free(f, &f->conn[i]);
	}
	f->c->alloc->realloc(f->c->alloc->ctx, f, 0);
}

/* One line on the run's stderr (as ssh prints "channel N: open failed"). */
static void notice(ns_cfwd *f, const ns_cfwd_conn *k, const char *what, ns_str msg)
{
	const ns_client_forward *fw = &f->fw[k->fwd];
	char line[512];
	int n;

	if (f->fd_err < 0) {
		return;
	}
	n = snprintf(line, sizeof(line), "nullspace: forward %s:%u -> %s:%u: %s%s%.*s\n",
	             listen_host(fw), fw->listen_port, fw->host, fw->port, what,
	             msg.len > 0 ? ": " : "", (int)(msg.len > 200 ? 200 : msg.len),
	             (const char *)msg.p);
	if (n > 0) {
		(void)!write(f->fd_err, line,
		             (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
}

static ns_cfwd_conn *by_channel(ns_cfwd *f, uint32_t id)
{
	size_t i;

	for (i = 0; i < NS_CLIENT_FWD_CONN_MAX; i++) {
		ns_cfwd_conn *k = &f->conn[i];
		if (k->fd >= 0 && (k->state == NS_CFWD_OPENING || k->state == NS_CFWD_OPEN) &&
		    k->id == id) {
			return k;
		}
	}
	return NULL;
}

/* Write what the socket takes of k->out now; report it consumed. */
static void write_out(ns_cfwd *f, ns_cfwd_conn *k)
{
	size_t left;
	ssize_t n;

	while ((left = k->out.len - k->out_off) > 0) {
		n = send(k->fd, k->out.p + k->out_off, left, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		}
		if (n <= 0) {
			k->sock_err = 1; /* nobody reads: drop the rest, close */
			n = (ssize_t)left;
		}
		k->out_off += (size_t)n;
		if (k->state == NS_CFWD_OPEN) {
			ns_call_check(f->c->e, NULL, "client", 0, "channel_consumed",
			              ns_channel_consumed(f->c->e, k->id, (size_t)n));
		}
	}
	k->out_off = k->out.len = 0;
}

static int on_data(ns_cfwd *f, ns_cfwd_conn *k, const ns_event *ev)
{
	if (ev->ext != 0 || k->sock_err) {
		ns_call_check(f->c->e, NULL, "client", 0, "channel_consumed",
		              ns_channel_consumed(f->c->e, k->id, ev->data.len));
		return 0;
	}
	if (k->out_off > 0) {
		memmove(k->out.p, k->out.p + k->out_off, k->out.len - k->out_off);
		k->out.len -= k->out_off;
		k->out_off = 0;
	}
	if (k->out.len + ev->data.len > k->out.max) {
		/* more than the window we gave: a broken peer */
		k->sock_err = 1;
		return 0;
	}
	if (ns_client_buf_append(&k->out, ev->data.p, ev->data.len) != 0) {
		k->sock_err = 1;
		return 0;
	}
	write_out(f, k);
	return 0;
}

int ns_cfwd_event(ns_cfwd *f, const ns_event *ev)
{
	ns_cfwd_conn *k;

	if (f == NULL || ev->type < NS_EV_CHANNEL_OPENED || ev->type == NS_EV_WRITABLE ||
	    ev->type == NS_EV_DISCONNECT || (k = by_channel(f, ev->channel)) == NULL) {
		return 0;
	}
	switch (ev->type) {
	case NS_EV_CHANNEL_OPENED: k->state = NS_CFWD_OPEN; break;
	case NS_EV_CHANNEL_OPEN_FAILED:
		notice(f, k, "open failed", ev->message);
		conn_free(f, k);
		break;
	case NS_EV_CHANNEL_DATA: on_data(f, k, ev); break;
	case NS_EV_CHANNEL_EOF: k->peer_eof = 1; break;
	case NS_EV_CHANNEL_CLOSED: k->state = NS_CFWD_GONE; break;
	case NS_EV_CHANNEL_REQUEST:
		if (ev->req.want_reply) {
			ns_call_check(f->c->e, NULL, "client", 0, "channel_reply",
			              ns_channel_reply(f->c->e, k->id, 0));
		}
		break;
	default: break;
	}
	return 1;
}

static void accept_one(ns_cfwd *f, size_t li)
{
	ns_cfwd_conn *k = NULL;
	size_t i;
	int fd;

	for (i = 0; i < NS_CLIENT_FWD_CONN_MAX && k == NULL; i++) {
		k = f->conn[i].fd < 0 ? &f->conn[i] : NULL;
	}
	if (k == NULL) {
		return; /* full: the listener is not polled then */
	}
	if ((fd = accept4(f->lfd[li], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
		return;
	}
	memset(k, 0, sizeof(*k));
	k->fd = fd;
	k->fwd = (int)li;
	k->state = NS_CFWD_WAIT_OPEN;
	k->out.alloc = f->c->alloc;
	k->out.max = NS_DEFAULT_WINDOW;
	f->nconn++;
}

static void try_open(ns_cfwd *f, ns_cfwd_conn *k)
{
	const ns_client_forward *fw = &f->fw[k->fwd];
	int rc = ns_channel_open_direct_tcpip(f->c->e, fw->host, fw->port, "127.0.0.1", 0, &k->id);
	ns_str none = {NULL, 0};

	if (rc == 0) {
		k->state = NS_CFWD_OPENING;
	} else if (rc != NS_ERR_AGAIN) {
		notice(f, k, ns_strerror(rc), none);
		conn_free(f, k);
	}
}

/* Socket bytes into the channel, as far as its window goes. */
static void push_in(ns_cfwd *f, ns_cfwd_conn *k)
{
	size_t acc;

	while (k->in_off < k->in_len) {
		acc = 0;
		if (ns_channel_write(f->c->e, k->id, 0, k->in + k->in_off, k->in_len - k->in_off,
		                     &acc) != 0 ||
		    acc == 0) {
			return;
		}
		k->in_off += acc;
	}
	k->in_off = k->in_len = 0;
}

/* EOFs and the close, in order, once the bytes before them went through. */
static void ends(ns_cfwd *f, ns_cfwd_conn *k)
{
	ns_engine *e = f->c->e;

	if (k->sock_eof && k->in_len == 0 && !k->eof_sent &&
	    ns_channel_eof(e, k->id) != NS_ERR_AGAIN) {
		k->eof_sent = 1;
	}
	if (k->peer_eof && k->out.len == 0 && !k->shut_wr) {
		shutdown(k->fd, SHUT_WR);
		k->shut_wr = 1;
	}
	if (!k->close_sent && (k->sock_err || (k->eof_sent && k->shut_wr)) &&
	    ns_channel_close(e, k->id) != NS_ERR_AGAIN) {
		k->close_sent = 1;
	}
}

void ns_cfwd_pump(ns_cfwd *f)
{
	size_t i;

	if (f == NULL || f->c->gone) {
		return;
	}
	for (i = 0; i < NS_CLIENT_FWD_CONN_MAX; i++) {
		ns_cfwd_conn *k = &f->conn[i];
		if (k->fd < 0) {
			continue;
		}
		if (k->state == NS_CFWD_WAIT_OPEN) {
			try_open(f, k);
		} else if (k->state == NS_CFWD_OPEN) {
			push_in(f, k);
			write_out(f, k);
			ends(f, k);
		} else if (k->state == NS_CFWD_GONE) {
			write_out(f, k); /* what came before the CLOSE is delivered */
			if (k->out.len == 0 || k->sock_err) {
				conn_free(f, k);
			}
		}
	}
}

/* Once each time the limit is reached: new connections wait. */
static void full(ns_cfwd *f)
{
	char line[160];
	int n;

	if (f->fd_err < 0) {
		return;
	}
	n = snprintf(line, sizeof(line),
	             "nullspace: %d forwarded connections open (the limit): new ones wait until "
	             "one ends\n",
	             NS_CLIENT_FWD_CONN_MAX);
	if (n > 0) {
		(void)!write(f->fd_err, line,
		             (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
}

int ns_cfwd_pollfds(ns_cfwd *f, struct pollfd *p)
{
	size_t i;

	for (i = 0; i < NS_CFWD_POLLFDS; i++) {
		p[i].fd = -1;
		p[i].events = p[i].revents = 0;
	}
	if (f == NULL) {
		return 0;
	}
	for (i = 0; i < f->nfw && f->nconn < NS_CLIENT_FWD_CONN_MAX; i++) {
		p[i].fd = f->lfd[i];
		p[i].events = POLLIN;
	}
	if (f->nfw > 0 && f->nconn >= NS_CLIENT_FWD_CONN_MAX && !f->full_told) {
		full(f);
	}
	f->full_told = f->nconn >= NS_CLIENT_FWD_CONN_MAX;
	for (i = 0; i < NS_CLIENT_FWD_CONN_MAX; i++) {
		ns_cfwd_conn *k = &f->conn[i];
		struct pollfd *q = &p[NS_CLIENT_FWD_MAX + i];
		if (k->fd < 0) {
			continue;
		}
		if (k->state == NS_CFWD_OPEN && !k->sock_eof && !k->sock_err && k->in_len == 0 &&
		    ns_channel_writable(f->c->e, k->id) > 0) {
			q->events |= POLLIN;
		}
		if (k->out.len > 0 && !k->sock_err) {
			q->events |= POLLOUT;
		}
		q->fd = q->events != 0 ? k->fd : -1;
	}
	return NS_CFWD_POLLFDS;
}

static void read_in(ns_cfwd *f, ns_cfwd_conn *k)
{
	size_t room = ns_channel_writable(f->c->e, k->id);
	ssize_t n;

	room = room < sizeof(k->in) ? room : sizeof(k->in);
	if (room == 0) {
		return;
	}
	do {
		n = recv(k->fd, k->in, room, 0);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		return;
	}
	if (n <= 0) {
		k->sock_eof = 1;
		k->sock_err = n < 0;
		return;
	}
	k->in_off = 0;
	k->in_len = (size_t)n;
}

void ns_cfwd_after_poll(ns_cfwd *f, const struct pollfd *p)
{
	size_t i;

	if (f == NULL) {
		return;
	}
	for (i = 0; i < NS_CLIENT_FWD_MAX; i++) {
		if (p[i].fd >= 0 && (p[i].revents & POLLIN)) {
			accept_one(f, i);
		}
	}
	for (i = 0; i < NS_CLIENT_FWD_CONN_MAX; i++) {
		const struct pollfd *q = &p[NS_CLIENT_FWD_MAX + i];
		if (q->fd >= 0 && (q->revents & (POLLIN | POLLHUP | POLLERR)) &&
		    (q->events & POLLIN)) {
			read_in(f, &f->conn[i]);
		}
	}
	ns_cfwd_pump(f);
}

/* ssh -N: events and sockets until the connection ends. */
int ns_cfwd_serve(ns_cfwd *f)
{
	ns_client *c = f->c;
	struct pollfd p[1 + NS_CFWD_POLLFDS];
	ns_event ev = NS_EVENT_INIT;
	int rc;

	for (;;) {
		while ((rc = ns_cio_event(c, &ev)) == 0 && ev.type != NS_EV_NONE) {
			if (ev.type == NS_EV_DISCONNECT) {
				return ns_cio_disconnected(c, &ev);
			}
			ns_cfwd_event(f, &ev);
		}
		if (rc != 0) {
			return ns_cio_fail(c, rc, "SSH engine: %s", ns_strerror(rc));
		}
		ns_cfwd_pump(f);
		ns_cio_flush(c);
		ns_cfwd_pollfds(f, p + 1);
		if ((rc = ns_cio_wait(c, p, 1 + NS_CFWD_POLLFDS, UINT64_MAX)) != 0) {
			return rc;
		}
		ns_cfwd_after_poll(f, p + 1);
	}
}
