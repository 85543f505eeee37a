/* Growable, capped byte buffer and the SSH wire writers over it (buf.h).
 * Memory comes only from the caller's allocator or the caller's storage. */
#include "buf.h"

#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"

#define BUF_MIN_ALLOC 256

void ns_buf_init(ns_buf *b, const ns_allocator *a, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->a = a;
	b->max = max;
}

void ns_buf_init_fixed(ns_buf *b, uint8_t *storage, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->p = storage;
	b->cap = cap;
	b->max = cap;
}

static int grow(ns_buf *b, size_t need)
{
	size_t ncap;
	uint8_t *np;

	if (b->a == NULL || need > b->max) {
		return NS_ERR_NOMEM;
	}
	ncap = b->cap ? b->cap : BUF_MIN_ALLOC;
	while (ncap < need) {
		ncap = ncap > b->max / 2 ? b->max : ncap * 2;
	}
	np = b->a->realloc(b->a->ctx, NULL, ncap);
	if (np == NULL) {
		return NS_ERR_NOMEM;
	}
	if (b->len) {
		memcpy(np, b->p, b->len);
	}
	if (b->p) {
		sodium_memzero(b->p, b->cap);
		b->a->realloc(b->a->ctx, b->p, 0);
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

int ns_buf_reserve(ns_buf *b, size_t extra, uint8_t **space)
{
	int rc;

	*space = NULL;
	if (b->err) {
		return b->err;
	}
	if (extra > b->max || b->len > b->max - extra) {
		b->err = NS_ERR_NOMEM;
		return b->err;
	}
	if (b->len + extra > b->cap && (rc = grow(b, b->len + extra)) != 0) {
		b->err = rc;
		return rc;
	}
	*space = b->p + b->len;
	return 0;
}

void ns_buf_consume(ns_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

void ns_buf_shrink_dirty(ns_buf *b, size_t dirty)
{
	if (b->a != NULL && b->len == 0 && b->p != NULL) {
		sodium_memzero(b->p, dirty < b->cap ? dirty : b->cap);
		b->a->realloc(b->a->ctx, b->p, 0);
		b->p = NULL;
		b->cap = 0;
	}
}

void ns_buf_shrink(ns_buf *b)
{
	ns_buf_shrink_dirty(b, b->cap);
}

void ns_buf_reset(ns_buf *b)
{
	if (b->p) {
		sodium_memzero(b->p, b->len);
	}
	b->len = 0;
	b->err = 0;
}

void ns_buf_free(ns_buf *b)
{
	if (b->p) {
		sodium_memzero(b->p, b->cap);
		if (b->a) {
			b->a->realloc(b->a->ctx, b->p, 0);
		}
	}
	b->p = NULL;
	b->len = b->cap = 0;
}

int ns_wr_bytes(ns_buf *b, const void *p, size_t n)
{
	uint8_t *s;
	int rc;

	if ((rc = ns_buf_reserve(b, n, &s)) != 0) {
		return rc;
	}
	if (n) {
		memcpy(s, p, n);
	}
	b->len += n;
	return 0;
}

int ns_wr_u8(ns_buf *b, uint8_t v)
{
	return ns_wr_bytes(b, &v, 1);
}

int ns_wr_u32(ns_buf *b, uint32_t v)
{
	uint8_t t[4];

	t[0] = (uint8_t)(v >> 24);
	t[1] = (uint8_t)(v >> 16);
	t[2] = (uint8_t)(v >> 8);
	t[3] = (uint8_t)v;
	return ns_wr_bytes(b, t, 4);
}

int ns_wr_u64(ns_buf *b, uint64_t v)
{
	int rc = ns_wr_u32(b, (uint32_t)(v >> 32));

	return rc ? rc : ns_wr_u32(b, (uint32_t)v);
}

int ns_wr_bool(ns_buf *b, int v)
{
	return ns_wr_u8(b, v ? 1 : 0);
}

int ns_wr_string(ns_buf *b, const void *p, size_t n)
{
	int rc;

	if (n > UINT32_MAX) {
		b->err = NS_ERR_TOOBIG;
		return b->err;
	}
	rc = ns_wr_u32(b, (uint32_t)n);
	return rc ? rc : ns_wr_bytes(b, p, n);
}

int ns_wr_cstr(ns_buf *b, const char *s)
{
	return ns_wr_string(b, s, strlen(s));
}

int ns_wr_str(ns_buf *b, ns_str s)
{
	return ns_wr_string(b, s.p, s.len);
}

int ns_wr_mpint(ns_buf *b, const uint8_t *p, size_t n)
{
	int rc;

	while (n > 0 && p[0] == 0) {
		p++;
		n--;
	}
	if (n > 0 && (p[0] & 0x80)) {
		rc = ns_wr_u32(b, (uint32_t)n + 1);
		rc = rc ? rc : ns_wr_u8(b, 0);
	} else {
		rc = ns_wr_u32(b, (uint32_t)n);
	}
	return rc ? rc : ns_wr_bytes(b, p, n);
}
