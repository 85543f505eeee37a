/* Gathered writes (iov.h): the agent writes the data of many SSH packets
 * bound for one child's stdin with one writev instead of a write each,
 * which woke the reading child once per 32 KiB packet. */
#include "iov.h"

#include <errno.h>
#include <stdint.h>

#include "nullspace/error.h"

int ns_iov_add(ns_iov *b, const void *p, size_t len)
{
	if (b->n >= NS_IOV_MAX) {
		return NS_ERR_LIMIT;
	}
	b->v[b->n].iov_base = (void *)(uintptr_t)p; /* writev does not write to it */
	b->v[b->n].iov_len = len;
	b->n++;
	b->len += len;
	return 0;
}

void ns_iov_advance(ns_iov *b, size_t n)
{
	int i = 0, k;

	n = n < b->len ? n : b->len;
	b->len -= n;
	while (i < b->n && n >= b->v[i].iov_len) {
		n -= b->v[i].iov_len;
		i++;
	}
	if (i < b->n) {
		b->v[i].iov_base = (char *)b->v[i].iov_base + n;
		b->v[i].iov_len -= n;
	}
	for (k = 0; i + k < b->n; k++) {
		b->v[k] = b->v[i + k];
	}
	b->n = k;
}

int ns_iov_write(int fd, ns_iov *b, size_t *took)
{
	ssize_t n;

	*took = 0;
	if (b->n == 0) {
		return 0;
	}
	while ((n = writev(fd, b->v, b->n)) < 0 && errno == EINTR) {
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		return 0;
	}
	if (n < 0) {
		return NS_ERR_IO;
	}
	*took = (size_t)n;
	ns_iov_advance(b, (size_t)n);
	return 0;
}
