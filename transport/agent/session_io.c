/* Moving a session's bytes under flow control: channel data goes straight
 * to the child's stdin, the rest is held (at most our window) until the
 * pipe takes it, and only then reported consumed; child output is read
 * only while the channel can take it. Buffers exist only while bytes wait.
 * Once the child is reaped and its output drained: exit status, EOF, CLOSE. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "session_int.h"

#define READS_PER_WAKEUP 4
#define READ_IOV_MAX 16 /* packets one read of the child fills (NS_SESSION_CHUNK) */
#define NO_MEMORY_MSG                                                                              \
	"nullspace agent: out of memory: the session is closed, its input was cut off\r\n"

/* which: 0 stdin, 1 stdout, 2 stderr. Best effort: a PTY, or a user over
 * the kernel's pipe limits, keeps the size it has. */
static void grow_pipe(ns_session *s, int which, int fd)
{
	if (!s->pty && !s->grown[which] && fd >= 0) {
		s->grown[which] = 1;
		(void)fcntl(fd, F_SETPIPE_SZ, NS_SESSION_PIPE_BULK);
	}
}

static void free_pending(ns_session *s)
{
	free(s->pend);
	s->pend = NULL;
	s->pend_cap = s->pend_off = s->pend_len = 0;
}

static void discard_pending(ns_session *s)
{
	if (s->pend_len > 0) {
		ns_call_check(s->h->e, s->h->log, "agent", s->h->conn_id, "channel_consumed",
		              ns_channel_consumed(s->h->e, s->channel, s->pend_len));
	}
	free_pending(s);
}

/* The child stopped reading for good: drop what comes. */
static void stdin_gone(ns_session *s)
{
	discard_pending(s);
	ns_watch_close(s->h->epfd, &s->in);
}

/* Up to len bytes to the child's stdin: how many it took (0: full), or
 * -1 when it is gone. */
static ssize_t to_child(ns_session *s, const uint8_t *p, size_t len)
{
	ssize_t n;

	while ((n = write(s->in.fd, p, len)) < 0 && errno == EINTR) {
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		return 0;
	}
	if (n <= 0) {
		return -1;
	}
	s->bytes_in += (uint64_t)n;
	ns_call_check(s->h->e, s->h->log, "agent", s->h->conn_id, "channel_consumed",
	              ns_channel_consumed(s->h->e, s->channel, (size_t)n));
	return n;
}

void ns_session_io_stdin(ns_session *s)
{
	ssize_t n;

	if (s->h->batch_owner == s) {
		ns_session_input_flush(s->h); /* gathered bytes go first */
	}

	while (s->in.fd >= 0 && s->pend_len > 0) {
		if ((n = to_child(s, s->pend + s->pend_off, s->pend_len)) < 0) {
			stdin_gone(s);
			break;
		}
		if (n == 0) {
			grow_pipe(s, 0, s->in.fd); /* a full pipe: bulk */
			break;
		}
		/* An offset, not a memmove: a pipe takes 64 KiB at a time out of a
		 * pending window of up to 2 MiB. */
		s->pend_off += (size_t)n;
		s->pend_len -= (size_t)n;
	}
	if (s->pend_len == 0 && s->pend != NULL) {
		free_pending(s); /* nothing waits: no buffer kept */
	}
	if (s->kind != NULL && s->in.fd < 0) {
		discard_pending(s);
	}
	/* Channel EOF closes a pipe stdin; a PTY stays open (the line
	 * discipline, not the transport, says when input ends). */
	if (s->client_eof && s->pend_len == 0 && !s->pty && s->in.fd >= 0) {
		if (s->fwd != NULL) {
			(void)shutdown(s->in.fd, SHUT_WR); /* a dup of the socket: FIN */
		}
		ns_watch_close(s->h->epfd, &s->in);
	}
}

/* Keep data.len bytes for the child; 0, or -1 when memory ran out. */
static int keep(ns_session *s, ns_str data)
{
	size_t cap;
	uint8_t *p;

	if (s->pend_off > 0 && s->pend_off + s->pend_len + data.len > s->pend_cap) {
		memmove(s->pend, s->pend + s->pend_off, s->pend_len);
		s->pend_off = 0;
	}
	if (s->pend_len + data.len > s->pend_cap) {
		cap = s->pend_cap ? s->pend_cap : NS_SESSION_CHUNK;
		while (cap < s->pend_len + data.len) {
			cap *= 2;
		}
		/* never past our window: the engine does not let a peer exceed it */
		if (cap > NS_SESSION_PEND_MAX && s->pend_len + data.len <= NS_SESSION_PEND_MAX) {
			cap = NS_SESSION_PEND_MAX;
		}
		p = s->h->pend_realloc != NULL ? s->h->pend_realloc(s->pend, cap)
		                               : realloc(s->pend, cap);
		if (p == NULL) {
			return -1;
		}
		s->pend = p;
		s->pend_cap = cap;
	}
	memcpy(s->pend + s->pend_off + s->pend_len, data.p, data.len);
	s->pend_len += data.len;
	return 0;
}

/* Memory ran out for bytes taken from the channel: never reported as taken
 * while lost without a word: the command's input ends here, and the user
 * is told why. */
static void keep_failed(ns_session *s, size_t lost)
{
	size_t took = 0;

	/* never report bytes as taken that are lost: the channel fails (no
	 * exit status, so a cut input never passes for a whole one), the user
	 * told why on stderr */
	(void)lost;
	fprintf(s->h->log,
	        "agent event=session-error conn=%u channel=%u reason=no-memory action=close\n",
	        s->h->conn_id, s->channel);
	/* best effort: the stderr window may be shut; the log says it */
	(void)!ns_channel_write(s->h->e, s->channel, 1, (const uint8_t *)NO_MEMORY_MSG,
	                        sizeof(NO_MEMORY_MSG) - 1, &took);
	ns_session_fail(s);
}

void ns_session_input_flush(ns_session_host *h)
{
	ns_session *s = h->batch_owner;
	ns_iov *b = &h->batch;
	size_t took = 0, rest;
	ns_str v;
	int i;

	h->batch_owner = NULL;
	if (s == NULL || b->len == 0) {
		memset(b, 0, sizeof(*b));
		return;
	}
	if (s->in.fd < 0 || ns_iov_write(s->in.fd, b, &took) != 0) {
		/* the reader is gone */
		ns_call_check(h->e, h->log, "agent", h->conn_id, "channel_consumed",
		              ns_channel_consumed(h->e, s->channel, b->len));
		memset(b, 0, sizeof(*b));
		stdin_gone(s);
		return;
	}
	if (took > 0) {
		s->bytes_in += took;
		ns_call_check(h->e, h->log, "agent", h->conn_id, "channel_consumed",
		              ns_channel_consumed(h->e, s->channel, took));
	}
	if (b->len > 0) {
		grow_pipe(s, 0, s->in.fd); /* a full pipe: bulk */
	}
	for (i = 0, rest = b->len; i < b->n; i++, rest -= v.len) {
		v.p = b->v[i].iov_base;
		v.len = b->v[i].iov_len;
		if (keep(s, v) != 0) {
			keep_failed(s, rest);
			break;
		}
	}
	memset(b, 0, sizeof(*b));
}

void ns_session_data(ns_session *s, uint32_t ext, ns_str data)
{
	ns_session_host *h = s->h;

	if (ext != 0 || (s->kind != NULL && s->in.fd < 0) || data.len == 0) {
		ns_call_check(h->e, h->log, "agent", h->conn_id, "channel_consumed",
		              ns_channel_consumed(h->e, s->channel, data.len));
		return;
	}
	if (h->batch_owner != NULL && h->batch_owner != s) {
		ns_session_input_flush(h); /* another session's: in order, one fd a batch */
	}
	/* gathered for the pipe while nothing waits before it: no copy */
	if (s->pend_len == 0 && s->in.fd >= 0) {
		if (h->batch.n == NS_IOV_MAX) {
			ns_session_input_flush(h);
		}
		if (s->pend_len == 0 && s->in.fd >= 0 &&
		    ns_iov_add(&h->batch, data.p, data.len) == 0) {
			h->batch_owner = s;
			return;
		}
	}
	if (s->kind != NULL && s->in.fd < 0) {
		/* gone meanwhile */
		ns_call_check(h->e, h->log, "agent", h->conn_id, "channel_consumed",
		              ns_channel_consumed(h->e, s->channel, data.len));
		return;
	}
	if (keep(s, data) != 0) {
		keep_failed(s, data.len);
		return;
	}
	ns_session_io_stdin(s);
}

static void read_eof(ns_session *s, int which)
{
	ns_watch_close(s->h->epfd, which ? &s->err : &s->out);
	if (which) {
		s->err_eof = 1;
	} else {
		s->out_eof = 1;
	}
}

/* At most NS_SESSION_CHUNK of the room in v[0..k): how many spans. */
static int clip(struct iovec *v, int k)
{
	size_t total = 0;
	int i;

	for (i = 0; i < k; i++) {
		if (total + v[i].iov_len >= NS_SESSION_CHUNK) {
			v[i].iov_len = NS_SESSION_CHUNK - total;
			return i + 1;
		}
		total += v[i].iov_len;
	}
	return k;
}

/* The child's output goes straight into the packets' places in the
 * engine's output (ns_channel_write_iov), sealed there: no copy, no
 * buffer of ours. */
void ns_session_io_read(ns_session *s, int which)
{
	ns_watch *w = which ? &s->err : &s->out;
	struct iovec v[READ_IOV_MAX];
	ssize_t n;
	int i, k;

	for (i = 0; i < READS_PER_WAKEUP && w->fd >= 0; i++) {
		k = ns_channel_write_iov(s->h->e, s->channel, (uint32_t)which, v, READ_IOV_MAX);
		if (k <= 0) {
			return; /* not writable: the child waits (its pipe fills) */
		}
		n = readv(w->fd, v, clip(v, k));
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return; /* the room is not used: nothing to undo */
		}
		if (n <= 0) {
			/* EOF, or EIO on a PTY master once every slave is closed */
			read_eof(s, which);
			return;
		}
		ns_call_check(
		    s->h->e, s->h->log, "agent", s->h->conn_id, "channel_write_commit",
		    ns_channel_write_commit(s->h->e, s->channel, (uint32_t)which, (size_t)n));
		s->bytes_out += (uint64_t)n;
		if ((size_t)n >= NS_SESSION_PIPE_IDLE) {
			grow_pipe(s, 1 + which, w->fd); /* a full pipe: bulk */
		}
	}
}

static int send_exit(ns_session *s)
{
	const char *name;
	char other[32];
	int st = s->status;

	if (WIFSIGNALED(st)) {
		name = ns_session_signal_name(WTERMSIG(st));
		if (name == NULL) {
			snprintf(other, sizeof(other), "SIG%d@openssh.com", WTERMSIG(st));
			name = other;
		}
		return ns_channel_exit_signal(s->h->e, s->channel, name, WCOREDUMP(st) ? 1 : 0, "");
	}
	return ns_channel_exit_status(s->h->e, s->channel, (uint32_t)WEXITSTATUS(st));
}

static void log_end(const ns_session *s)
{
	char what[48];
	int st = s->status;

	if (WIFSIGNALED(st)) {
		const char *name = ns_session_signal_name(WTERMSIG(st));
		snprintf(what, sizeof(what), "signal=%s", name != NULL ? name : "other");
	} else {
		snprintf(what, sizeof(what), "exit=%d", WEXITSTATUS(st));
	}
	fprintf(s->h->log,
	        "agent event=session-end conn=%u channel=%u kind=%s %s bytes_in=%llu "
	        "bytes_out=%llu%s\n",
	        s->h->conn_id, s->channel, s->kind, what, (unsigned long long)s->bytes_in,
	        (unsigned long long)s->bytes_out, s->who);
}

void ns_session_io_finish(ns_session *s)
{
	if (s->kind == NULL || !s->reaped || !s->out_eof || !s->err_eof) {
		return;
	}
	if (!s->exit_sent) {
		if (send_exit(s) != 0) {
			return; /* the send buffer is full: next time */
		}
		s->exit_sent = 1;
	}
	if (!s->eof_sent) {
		if (ns_channel_eof(s->h->e, s->channel) != 0) {
			return;
		}
		s->eof_sent = 1;
	}
	if (s->fwd != NULL && s->in.fd >= 0) {
		return; /* a forward half-closed: the other side still sends */
	}
	if (ns_channel_close(s->h->e, s->channel) != 0) {
		return;
	}
	s->close_sent = 1;
	if (s->fwd != NULL) {
		ns_session_fwd_log_end(s, "closed");
	} else {
		log_end(s);
	}
	ns_watch_close(s->h->epfd, &s->in);
	discard_pending(s);
}

void ns_session_io_interest(ns_session *s)
{
	int open = ns_channel_writable(s->h->e, s->channel) > 0;
	int epfd = s->h->epfd;

	ns_watch_set(epfd, &s->out, open ? EPOLLIN : 0);
	ns_watch_set(epfd, &s->err, open ? EPOLLIN : 0);
	ns_watch_set(epfd, &s->in, s->pend_len > 0 ? EPOLLOUT : 0);
}
