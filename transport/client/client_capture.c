/* ns_client_exec_capture: run one command with stdin from memory and its
 * stdout/stderr collected into bounded buffers, for programs that want the
 * output rather than a terminal. */
#include <string.h>

#include "client_util.h"
#include "client_int.h"

typedef struct capture {
	ns_sess s;
	ns_client_buf *out, *err;
	const uint8_t *in;
	size_t in_len, in_off;
	int eof_sent;
	int toobig;
} capture;

void ns_client_buf_free(ns_client_buf *b)
{
	if (b == NULL) {
		return;
	}
	if (b->p != NULL) {
		b->alloc->realloc(b->alloc->ctx, b->p, 0);
	}
	b->p = NULL;
	b->len = b->cap = 0;
}

int ns_client_buf_append(ns_client_buf *b, const uint8_t *p, size_t n)
{
	size_t max = b->max ? b->max : NS_CLIENT_CAPTURE_DEFAULT, cap;
	uint8_t *np;
	int rc = 0;

	if (b->alloc == NULL) {
		b->alloc = ns_allocator_libc();
	}
	if (n > max - (b->len < max ? b->len : max)) {
		n = b->len < max ? max - b->len : 0; /* keep what fits */
		rc = NS_ERR_TOOBIG;
	}
	if (b->len + n > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n) {
			cap *= 2;
		}
		if ((np = b->alloc->realloc(b->alloc->ctx, b->p, cap)) == NULL) {
			return NS_ERR_NOMEM;
		}
		b->p = np;
		b->cap = cap;
	}
	if (n > 0) {
		memcpy(b->p + b->len, p, n);
		b->len += n;
	}
	return rc;
}

static int on_data(ns_sess *s, uint32_t ext, const uint8_t *p, size_t n)
{
	capture *k = s->ud;
	ns_client_buf *b = ext != 0 ? k->err : k->out;
	int rc;

	if (b != NULL && (rc = ns_client_buf_append(b, p, n)) != 0 && k->toobig == 0) {
		k->toobig = rc;
	}
	ns_call_check(s->c->e, NULL, "client", 0, "channel_consumed",
	              ns_channel_consumed(s->c->e, s->id, n));
	return 0;
}

static int push_input(capture *k)
{
	ns_engine *e = k->s.c->e;
	size_t acc;
	int rc;

	if (k->s.state != NS_SESS_RUNNING || k->eof_sent) {
		return 0;
	}
	while (k->in_off < k->in_len) {
		acc = 0;
		rc =
		    ns_channel_write(e, k->s.id, 0, k->in + k->in_off, k->in_len - k->in_off, &acc);
		if (rc != 0) {
			return ns_cio_fail(k->s.c, rc, "sending stdin: %s", ns_strerror(rc));
		}
		if (acc == 0) {
			return 0;
		}
		k->in_off += acc;
	}
	rc = ns_channel_eof(e, k->s.id);
	if (rc == NS_ERR_AGAIN) {
		return 0; /* no output room: the next round retries */
	}
	k->eof_sent = 1;
	return rc;
}

static int capture_loop(capture *k)
{
	ns_client *c = k->s.c;
	struct pollfd fds[1];
	int rc, first = 0;

	for (;;) {
		rc = ns_sess_events(&k->s);
		first = first ? first : rc;
		if (k->s.state == NS_SESS_CLOSED || c->gone) {
			break;
		}
		rc = push_input(k);
		first = first ? first : rc;
		ns_sess_retry(&k->s);
		ns_cio_flush(c);
		if ((rc = ns_cio_wait(c, fds, 1, UINT64_MAX)) != 0) {
			return rc;
		}
	}
	ns_cio_flush(c);
	if (first == 0 && k->s.state != NS_SESS_CLOSED) {
		first = c->gone_err ? c->gone_err : NS_ERR_CLOSED;
	}
	return first;
}

int ns_client_exec_capture(ns_client *c, const char *command, const uint8_t *in, size_t in_len,
                           ns_client_buf *out, ns_client_buf *err, int *exit_status,
                           int *exit_signal)
{
	capture k;
	int rc;

	if (exit_status != NULL) {
		*exit_status = -1;
	}
	if (exit_signal != NULL) {
		*exit_signal = 0;
	}
	if (c == NULL || command == NULL || (in == NULL && in_len > 0)) {
		return NS_ERR_INVALID;
	}
	memset(&k, 0, sizeof(k));
	k.s.command = command;
	k.out = out;
	k.err = err;
	k.in = in;
	k.in_len = in_len;
	if ((rc = ns_sess_start(&k.s, c, on_data, &k)) == 0) {
		rc = capture_loop(&k);
	}
	if (exit_status != NULL) {
		*exit_status = k.s.exit_status;
	}
	if (exit_signal != NULL && k.s.signame[0] != '\0') {
		*exit_signal = ns_client_signal_number(k.s.signame, strlen(k.s.signame));
		*exit_signal = *exit_signal > 0 ? *exit_signal : -1;
	}
	if (rc == 0 && k.toobig != 0) {
		rc = ns_cio_fail(c, k.toobig, "output of the command over the capture limit");
	}
	return rc;
}
