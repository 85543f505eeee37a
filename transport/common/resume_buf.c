/* The sending half of a resumable stream (resume_buf.h): a capped buffer
 * of unacknowledged bytes that grows on demand and compacts lazily, the
 * control queue, and the frame in progress, so that a frame is never cut
 * by another and a reconnection starts on a frame boundary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "nullspace/error.h"
#include "resume_buf.h"

#define BUF_MIN 16384 /* first allocation; doubles up to NS_RESUME_UNACKED_MAX */

void ns_resume_tx_init(ns_resume_tx *t)
{
	memset(t, 0, sizeof(*t));
}

void ns_resume_tx_free(ns_resume_tx *t)
{
	if (t->buf != NULL) {
		sodium_memzero(t->buf, t->cap); /* session bytes, still encrypted: tidy */
		free(t->buf);
	}
	ns_resume_tx_init(t);
}

size_t ns_resume_tx_space(const ns_resume_tx *t)
{
	return NS_RESUME_UNACKED_MAX - t->len;
}

/* Room for n more at the end: compact, then grow. */
static int room(ns_resume_tx *t, size_t n)
{
	size_t cap;
	uint8_t *nb;

	if (t->off + t->len + n <= t->cap) {
		return 0;
	}
	if (t->off > 0) {
		memmove(t->buf, t->buf + t->off, t->len);
		t->off = 0;
	}
	if (t->len + n <= t->cap) {
		return 0;
	}
	for (cap = t->cap ? t->cap : BUF_MIN; cap < t->len + n; cap *= 2) {
	}
	cap = cap < NS_RESUME_UNACKED_MAX ? cap : NS_RESUME_UNACKED_MAX;
	if ((nb = realloc(t->buf, cap)) == NULL) {
		return NS_ERR_NOMEM;
	}
	t->buf = nb;
	t->cap = cap;
	return 0;
}

int ns_resume_tx_put(ns_resume_tx *t, const uint8_t *p, size_t n, size_t *taken)
{
	size_t k = n < ns_resume_tx_space(t) ? n : ns_resume_tx_space(t);

	*taken = 0;
	if (k == 0) {
		return 0;
	}
	if (room(t, k) != 0) {
		return NS_ERR_NOMEM;
	}
	memcpy(t->buf + t->off + t->len, p, k);
	t->len += k;
	*taken = k;
	return 0;
}

int ns_resume_tx_ack(ns_resume_tx *t, uint64_t count)
{
	size_t k;

	if (count < t->acked || count - t->acked > t->sent) {
		return NS_ERR_PROTOCOL;
	}
	k = (size_t)(count - t->acked);
	t->off += k;
	t->len -= k;
	t->sent -= k;
	t->acked = count;
	if (t->len == 0) {
		t->off = 0;
		if (t->data_left == 0 && t->buf != NULL) {
			/* all acknowledged: an idle connection keeps no buffer */
			sodium_memzero(t->buf, t->cap);
			free(t->buf);
			t->buf = NULL;
			t->cap = 0;
		}
	}
	return 0;
}

int ns_resume_tx_rewind(ns_resume_tx *t, uint64_t count)
{
	size_t k;

	if (count < t->acked || count - t->acked > t->len) {
		return NS_ERR_PROTOCOL;
	}
	k = (size_t)(count - t->acked);
	t->off += k;
	t->len -= k;
	t->acked = count;
	t->sent = 0;
	t->clen = t->coff = 0;
	t->hoff = t->hend = 0;
	t->data_left = 0;
	t->ack_sent = 0; /* the peer learns our count again */
	t->end_queued = 0;
	return 0;
}

int ns_resume_tx_ctl(ns_resume_tx *t, const uint8_t *frame, size_t n)
{
	if (t->clen + n > sizeof(t->ctl)) {
		return NS_ERR_NOMEM;
	}
	memcpy(t->ctl + t->clen, frame, n);
	t->clen += n;
	return 0;
}

void ns_resume_tx_ack_now(ns_resume_tx *t)
{
	uint8_t f[NS_RESUME_ACK_LEN];

	if (t->recvd > t->ack_sent && ns_resume_tx_ctl(t, f, ns_resume_put_ack(f, t->recvd)) == 0) {
		t->ack_sent = t->recvd;
	}
}

void ns_resume_tx_received(ns_resume_tx *t, size_t n)
{
	t->recvd += n;
	if (t->recvd - t->ack_sent >= NS_RESUME_ACK_EVERY) {
		ns_resume_tx_ack_now(t);
	}
}

void ns_resume_tx_end(ns_resume_tx *t, const char *text)
{
	if (!t->end_due) {
		t->end_due = 1;
		snprintf(t->end_text, sizeof(t->end_text), "%s", text);
	}
}

size_t ns_resume_tx_next(ns_resume_tx *t, const uint8_t **p)
{
	uint32_t n;
	uint8_t f[NS_RESUME_HDR_MAX];

	for (;;) {
		if (t->hoff < t->hend) {
			*p = t->hdr + t->hoff;
			return t->hend - t->hoff;
		}
		if (t->data_left > 0) {
			*p = t->buf + t->off + t->sent;
			return t->data_left;
		}
		if (t->coff < t->clen) {
			*p = t->ctl + t->coff;
			return t->clen - t->coff;
		}
		t->coff = t->clen = 0;
		if (t->sent < t->len) {
			ns_resume_tx_ack_now(t); /* piggybacked: it goes first */
			n = (uint32_t)(t->len - t->sent < NS_RESUME_FRAME_MAX
			                   ? t->len - t->sent
			                   : NS_RESUME_FRAME_MAX);
			t->hend = ns_resume_put_data_hdr(t->hdr, n);
			t->hoff = 0;
			t->data_left = n;
			continue;
		}
		if (t->end_due && !t->end_queued) {
			ns_resume_tx_ack_now(t);
			t->end_queued = 1;
			(void)ns_resume_tx_ctl(t, f, ns_resume_put_text(f, NS_RF_END, t->end_text));
			continue;
		}
		*p = NULL;
		return 0;
	}
}

void ns_resume_tx_wrote(ns_resume_tx *t, size_t k)
{
	if (t->hoff < t->hend) {
		t->hoff += k;
	} else if (t->data_left > 0) {
		t->data_left -= (uint32_t)k;
		t->sent += k;
	} else {
		t->coff += k;
		if (t->coff == t->clen) {
			t->coff = t->clen = 0;
		}
	}
}

size_t ns_resume_tx_pending(const ns_resume_tx *t)
{
	return (t->hend - t->hoff) + (t->clen - t->coff) + (t->len - t->sent) +
	       (t->end_due && !t->end_queued);
}

int ns_resume_tx_ended(const ns_resume_tx *t)
{
	return t->end_queued && t->clen == 0 && t->hoff == t->hend && t->data_left == 0;
}
