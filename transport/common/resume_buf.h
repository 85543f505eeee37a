/* The sending half of a resumable stream, sans I/O (issue 18): the bytes
 * sent and not yet acknowledged, numbered from 0 and kept (at most
 * NS_RESUME_UNACKED_MAX) so that they can be sent again after a
 * reconnection; the control frames to send; and the frame being written.
 * The relay (transport/relay/relay_resume.c) and the proxy
 * (cli/proxy_resume.c) drive one each. */
#ifndef NS_RESUME_BUF_H
#define NS_RESUME_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "resume_wire.h"

#define NS_RESUME_CTL_MAX 512 /* control frames queued (ACCEPT, ACKs, END) */

typedef struct ns_resume_tx {
	uint8_t *buf; /* kept bytes: [off, off + len) of buf */
	size_t off, len, cap;
	uint64_t acked;    /* stream offset of buf[off]: the peer has everything before */
	size_t sent;       /* kept bytes already framed on this connection */
	uint64_t recvd;    /* bytes of the peer's stream received (the other way) */
	uint64_t ack_sent; /* the last count we acknowledged */
	uint8_t ctl[NS_RESUME_CTL_MAX];
	size_t clen, coff;
	uint8_t hdr[NS_RESUME_DATA_HDR];
	size_t hoff, hend;
	uint32_t data_left; /* payload of the frame being written, from buf */
	int end_due, end_queued;
	char end_text[NS_RESUME_TEXT_MAX + 1];
} ns_resume_tx;

void ns_resume_tx_init(ns_resume_tx *t);
void ns_resume_tx_free(ns_resume_tx *t);
/* Room for more stream bytes. */
size_t ns_resume_tx_space(const ns_resume_tx *t);
/* Keep up to n bytes of p for sending: how many were taken (0 when full),
 * or NS_ERR_NOMEM. */
int ns_resume_tx_put(ns_resume_tx *t, const uint8_t *p, size_t n, size_t *taken);
/* The peer has count bytes: drop them. NS_ERR_PROTOCOL for a count
 * before the last one or past what was sent. */
int ns_resume_tx_ack(ns_resume_tx *t, uint64_t count);
/* A new connection: the peer has count bytes; send again from there, with
 * no frame half-written and the control queue emptied. NS_ERR_PROTOCOL
 * when count is outside what is kept (nothing changed then). */
int ns_resume_tx_rewind(ns_resume_tx *t, uint64_t count);
/* Queue a control frame of n bytes: 0, or NS_ERR_NOMEM when the queue is
 * full (an ACK may be dropped: a later one says more). */
int ns_resume_tx_ctl(ns_resume_tx *t, const uint8_t *frame, size_t n);
/* n more bytes of the peer's stream received: an ACK is queued every
 * NS_RESUME_ACK_EVERY bytes. */
void ns_resume_tx_received(ns_resume_tx *t, size_t n);
/* Queue an ACK now if anything is unacknowledged (timers, idle). */
void ns_resume_tx_ack_now(ns_resume_tx *t);
/* END with text after every kept byte is sent (once). */
void ns_resume_tx_end(ns_resume_tx *t, const char *text);
/* The next bytes to write (a view valid until the next call that changes
 * t): their length, 0 when nothing is due. */
size_t ns_resume_tx_next(ns_resume_tx *t, const uint8_t **p);
/* k bytes of that view were written. */
void ns_resume_tx_wrote(ns_resume_tx *t, size_t k);
/* Bytes still to write on this connection (kept bytes unsent included). */
size_t ns_resume_tx_pending(const ns_resume_tx *t);
/* 1 once the END was written whole. */
int ns_resume_tx_ended(const ns_resume_tx *t);

#endif
