/* Gathered writes: a list of byte ranges written with one writev, the list
 * moved past what the fd took (a pipe or socket may take part of it). */
#ifndef NS_TRANSPORT_IOV_H
#define NS_TRANSPORT_IOV_H

#include <stddef.h>
#include <sys/uio.h>

/* Ranges in one batch, at most: 16 packets of 32 KiB, 512 KiB a writev. */
#define NS_IOV_MAX 16

typedef struct ns_iov {
	struct iovec v[NS_IOV_MAX];
	int n;      /* ranges in v */
	size_t len; /* bytes in them */
} ns_iov;

/* Appends p[0..len); NS_ERR_LIMIT when the list is full (nothing added). */
int ns_iov_add(ns_iov *b, const void *p, size_t len);
/* Drops the first n bytes of the list. */
void ns_iov_advance(ns_iov *b, size_t n);
/* One writev of the list (retried on EINTR), the list advanced past what
 * fd took: *took is that count (0 when fd is full, EAGAIN). 0, or
 * NS_ERR_IO when fd failed (the reader is gone: EPIPE, or another error;
 * the list is kept). */
int ns_iov_write(int fd, ns_iov *b, size_t *took);

#endif
