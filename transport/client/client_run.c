/* ns_client_run: a command or shell on the caller's fds. stdin is read only
 * while the channel can take it; output is written out fully before the
 * window reopens (a slow reader slows the sender); the run ends on
 * CHANNEL_CLOSED, after the last byte reached fd_out/fd_err. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client_fwd.h"
#include "client_int.h"

#define RUN_INBUF (32 * 1024)
/* Output held for a slow reader never exceeds our window; twice that is a
 * peer overrunning it. */
#define RUN_OUTQ_MAX (2 * NS_DEFAULT_WINDOW)

typedef struct outq {
	int fd;
	int big;   /* regular file or O_NONBLOCK: write all, EAGAIN tells */
	int dead;  /* a write failed: discard the rest */
	int ready; /* a write may go now (else poll for POLLOUT first) */
	size_t off;
	ns_client_buf b;
} outq;

typedef struct run {
	ns_sess s;
	ns_client_run_opts o; /* the caller's, in our layout */
	outq q[2];
	uint8_t in[RUN_INBUF];
	size_t in_off, in_len;
	int in_eof, eof_sent;
	uint32_t cols, rows;
} run;

void ns_client_run_opts_init(ns_client_run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->fd_in = 0;
	o->fd_out = 1;
	o->fd_err = 2;
	o->winch_fd = -1;
	o->tty_fd = -1;
}

static int writes_never_block(int fd)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0 && (fl & O_NONBLOCK)) {
		return 1;
	}
	return fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
}

static int on_data(ns_sess *s, uint32_t ext, const uint8_t *p, size_t n)
{
	run *r = s->ud;
	outq *q = &r->q[ext != 0];

	if (q->dead || q->fd < 0) {
		ns_call_check(s->c->e, NULL, "client", 0, "channel_consumed",
		              ns_channel_consumed(s->c->e, s->id, n));
		return 0;
	}
	if (q->off > 0 && (q->off >= RUN_INBUF || q->b.len + n > q->b.cap)) {
		memmove(q->b.p, q->b.p + q->off, q->b.len - q->off);
		q->b.len -= q->off;
		q->off = 0;
	}
	if (q->b.len - q->off + n > RUN_OUTQ_MAX) {
		/* NS_ERR_CLOSED only: then it is closing already */
		(void)!ns_engine_disconnect(s->c->e, NS_DISC_PROTOCOL_ERROR, "window exceeded");
		return ns_cio_fail(s->c, NS_ERR_PROTOCOL, "%s sent more than the window allows",
		                   s->c->host);
	}
	return ns_client_buf_append(&q->b, p, n);
}

/* Is fd still writable right now? */
static int writable_now(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLOUT};

	return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

static void drop_queue(run *r, outq *q)
{
	size_t left = q->b.len - q->off;

	q->dead = 1;
	q->off = q->b.len = 0;
	if (left > 0) {
		ns_call_check(r->s.c->e, NULL, "client", 0, "channel_consumed",
		              ns_channel_consumed(r->s.c->e, r->s.id, left));
	}
	if (q == &r->q[0]) {
		r->s.want_close = 1; /* nobody reads our output */
		ns_sess_retry(&r->s);
	}
}

/* Write what fd takes without blocking; report it consumed. A blocking fd
 * gets at most PIPE_BUF bytes per write, each after poll says POLLOUT. */
static void write_queue(run *r, outq *q)
{
	size_t left, chunk;
	ssize_t n;

	while (!q->dead && (left = q->b.len - q->off) > 0) {
		if (!q->big) {
			q->ready = writable_now(q->fd);
		}
		if (!q->ready) {
			return;
		}
		chunk = q->big || left < PIPE_BUF ? left : PIPE_BUF;
		n = write(q->fd, q->b.p + q->off, chunk);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			q->ready = 0;
			return;
		}
		if (n <= 0) {
			drop_queue(r, q);
			return;
		}
		q->off += (size_t)n;
		ns_call_check(r->s.c->e, NULL, "client", 0, "channel_consumed",
		              ns_channel_consumed(r->s.c->e, r->s.id, (size_t)n));
	}
	if (q->off == q->b.len) {
		q->off = q->b.len = 0;
	}
}

static void push_input(run *r)
{
	ns_engine *e = r->s.c->e;
	size_t acc;

	if (r->s.state != NS_SESS_RUNNING || r->eof_sent) {
		return;
	}
	while (r->in_off < r->in_len) {
		acc = 0;
		if (ns_channel_write(e, r->s.id, 0, r->in + r->in_off, r->in_len - r->in_off,
		                     &acc) != 0 ||
		    acc == 0) {
			return;
		}
		r->in_off += acc;
	}
	r->in_off = r->in_len = 0;
	if (r->in_eof && ns_channel_eof(e, r->s.id) != NS_ERR_AGAIN) {
		r->eof_sent = 1;
	}
}

static void read_input(run *r)
{
	size_t room = ns_channel_writable(r->s.c->e, r->s.id);
	ssize_t n;

	room = room < sizeof(r->in) ? room : sizeof(r->in);
	if (room == 0) {
		return;
	}
	do {
		n = read(r->o.fd_in, r->in, room);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		return;
	}
	if (n <= 0) {
		r->in_eof = 1; /* EOF, or an error such as EIO on a hung-up tty */
		return;
	}
	r->in_off = 0;
	r->in_len = (size_t)n;
}

static void window_change(run *r)
{
	struct winsize ws;
	ns_chan_request req;
	char junk[64];

	while (read(r->o.winch_fd, junk, sizeof(junk)) == (ssize_t)sizeof(junk)) {
	}
	if (r->o.tty_fd < 0 || ioctl(r->o.tty_fd, TIOCGWINSZ, &ws) != 0 ||
	    (ws.ws_col == r->cols && ws.ws_row == r->rows) || r->s.state == NS_SESS_CLOSED) {
		return;
	}
	memset(&req, 0, sizeof(req));
	req.type.p = (const uint8_t *)"window-change";
	req.type.len = 13;
	req.cols = ws.ws_col;
	req.rows = ws.ws_row;
	req.width_px = ws.ws_xpixel;
	req.height_px = ws.ws_ypixel;
	if (ns_channel_request(r->s.c->e, r->s.id, &req) == 0) {
		r->cols = ws.ws_col;
		r->rows = ws.ws_row;
	}
}

static int want_input(const run *r)
{
	return r->o.fd_in >= 0 && r->s.state == NS_SESS_RUNNING && !r->in_eof && r->in_len == 0 &&
	       ns_channel_writable(r->s.c->e, r->s.id) > 0;
}

static int queued(const outq *q)
{
	return !q->dead && q->b.len > q->off;
}

/* Poll once over the socket, stdin, the output fds and the resize pipe. */
static int wait_once(run *r)
{
	struct pollfd f[5 + NS_CFWD_POLLFDS];
	int rc, i;

	memset(f, 0, sizeof(f));
	f[1].fd = want_input(r) ? r->o.fd_in : -1;
	f[1].events = POLLIN;
	for (i = 0; i < 2; i++) {
		f[2 + i].fd = queued(&r->q[i]) && !r->q[i].ready ? r->q[i].fd : -1;
		f[2 + i].events = POLLOUT;
	}
	f[4].fd = r->o.winch_fd;
	f[4].events = POLLIN;
	ns_cfwd_pollfds(r->s.c->fwd, f + 5);
	if ((rc = ns_cio_wait(r->s.c, f, 5 + NS_CFWD_POLLFDS, UINT64_MAX)) != 0) {
		return rc;
	}
	ns_cfwd_after_poll(r->s.c->fwd, f + 5);
	if (f[1].revents != 0) {
		read_input(r);
	}
	for (i = 0; i < 2; i++) {
		if (f[2 + i].revents & (POLLERR | POLLHUP | POLLNVAL)) {
			drop_queue(r, &r->q[i]);
		} else if (f[2 + i].revents & POLLOUT) {
			r->q[i].ready = 1;
		}
	}
	if (f[4].revents != 0) {
		window_change(r);
	}
	return 0;
}

/* Once closed (or the connection is gone) the output left is written out,
 * blocking if need be: nothing received may be lost. */
static void finish_output(run *r)
{
	int i;

	for (i = 0; i < 2; i++) {
		while (queued(&r->q[i])) {
			struct pollfd p = {.fd = r->q[i].fd, .events = POLLOUT};
			if (poll(&p, 1, -1) < 0 && errno != EINTR) {
				break;
			}
			r->q[i].ready = 1;
			write_queue(r, &r->q[i]);
			if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
				drop_queue(r, &r->q[i]);
			}
		}
	}
}

static int run_loop(run *r)
{
	ns_client *c = r->s.c;
	int rc, first = 0;

	for (;;) {
		rc = ns_sess_events(&r->s);
		first = first ? first : rc;
		write_queue(r, &r->q[0]);
		write_queue(r, &r->q[1]);
		if (r->s.state == NS_SESS_CLOSED || c->gone) {
			break;
		}
		if (r->o.fd_in < 0 && r->s.state == NS_SESS_RUNNING) {
			r->in_eof = 1;
		}
		push_input(r);
		ns_cfwd_pump(c->fwd);
		ns_sess_retry(&r->s);
		ns_cio_flush(c);
		if ((rc = wait_once(r)) != 0) {
			first = first ? first : rc;
			break;
		}
	}
	finish_output(r);
	ns_cio_flush(c);
	if (first == 0 && r->s.state != NS_SESS_CLOSED) {
		first = c->gone_err ? c->gone_err : NS_ERR_CLOSED;
	}
	return first;
}

static void setup(run *r, ns_client *c, const ns_client_run_opts *o)
{
	int i;

	r->s.command = o->command;
	r->s.want_pty = o->pty;
	r->s.pty.term.p = (const uint8_t *)(o->term != NULL ? o->term : "dumb");
	r->s.pty.term.len = strlen((const char *)r->s.pty.term.p);
	r->s.pty.cols = r->cols = o->cols;
	r->s.pty.rows = r->rows = o->rows;
	r->s.pty.width_px = o->width_px;
	r->s.pty.height_px = o->height_px;
	r->s.pty.modes.p = o->modes;
	r->s.pty.modes.len = o->modes != NULL ? o->modes_len : 0;
	r->q[0].fd = o->fd_out;
	r->q[1].fd = o->fd_err;
	for (i = 0; i < 2; i++) {
		r->q[i].b.alloc = c->alloc;
		r->q[i].b.max = RUN_OUTQ_MAX;
		r->q[i].big = r->q[i].fd >= 0 && writes_never_block(r->q[i].fd);
		r->q[i].ready = r->q[i].big;
	}
}

/* The -L listeners of a caller whose struct has the fields for them. */
static int start_forwards(ns_client *c, const ns_client_run_opts *o, size_t size)
{
	c->fwd = NULL;
	if (size < NS_CLIENT_RUN_OPTS_SIZE_FWD || (o->nforwards == 0 && !o->no_session)) {
		return 0;
	}
	if (o->nforwards > 0 && o->forwards == NULL) {
		return ns_cio_fail(c, NS_ERR_INVALID, "forwards missing");
	}
	return ns_cfwd_open(c, o->forwards, o->nforwards, o->fd_err, &c->fwd);
}

int ns_client_run(ns_client *c, const ns_client_run_opts *opts)
{
	ns_client_run_opts defaults;
	run *r;
	int rc;

	if (c == NULL) {
		return NS_ERR_INVALID;
	}
	if (opts == NULL) {
		ns_client_run_opts_init(&defaults);
		opts = &defaults;
	}
	if ((r = c->alloc->realloc(c->alloc->ctx, NULL, sizeof(*r))) == NULL) {
		return ns_cio_fail(c, NS_ERR_NOMEM, "out of memory");
	}
	memset(r, 0, sizeof(*r));
	if (ns_abi_copy_in(&r->o, sizeof(r->o), opts, opts->size, NS_CLIENT_RUN_OPTS_SIZE_MIN) !=
	    0) {
		c->alloc->realloc(c->alloc->ctx, r, 0);
		return ns_cio_fail(c, NS_ERR_INVALID,
		                   "run options not set up by ns_client_run_opts_init");
	}
	setup(r, c, &r->o);
	rc = start_forwards(c, &r->o, opts->size);
	if (rc == 0 && r->o.no_session && opts->size >= NS_CLIENT_RUN_OPTS_SIZE_FWD) {
		rc = ns_cfwd_serve(c->fwd);
	} else if (rc == 0 && (rc = ns_sess_start(&r->s, c, on_data, r)) == 0) {
		rc = run_loop(r);
		rc = rc == 0 ? ns_sess_exit_code(&r->s) : rc;
	}
	ns_cfwd_free(c->fwd);
	c->fwd = NULL;
	ns_client_buf_free(&r->q[0].b);
	ns_client_buf_free(&r->q[1].b);
	c->alloc->realloc(c->alloc->ctx, r, 0);
	return rc;
}
