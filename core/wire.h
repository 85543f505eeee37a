/* Reader for SSH wire data (RFC 4251 section 5) over a borrowed byte range.
 * Every getter returns 0 or a negative NS_ERR_*, zeroes its out-parameter
 * first, and the first failure poisons the reader so a missed check fails
 * closed. Strings are zero-copy views valid while the underlying bytes are. */
#ifndef NS_CORE_WIRE_H
#define NS_CORE_WIRE_H

#include "nullspace/types.h"

typedef struct ns_rd {
	const uint8_t *p;
	size_t len;
	size_t off;
	int err;
} ns_rd;

void ns_rd_init(ns_rd *r, const void *p, size_t len);
int ns_rd_u8(ns_rd *r, uint8_t *v);
int ns_rd_u32(ns_rd *r, uint32_t *v);
int ns_rd_u64(ns_rd *r, uint64_t *v);
int ns_rd_bool(ns_rd *r, int *v);
int ns_rd_bytes(ns_rd *r, size_t n, const uint8_t **v);
int ns_rd_string(ns_rd *r, ns_str *v);
/* A string of at most max bytes (NS_ERR_TOOBIG beyond). */
int ns_rd_string_max(ns_rd *r, size_t max, ns_str *v);
/* A name or name-list: printable US-ASCII, no NUL, at most max bytes. */
int ns_rd_name(ns_rd *r, size_t max, ns_str *v);
/* 0 when everything was consumed and no read failed. */
int ns_rd_end(ns_rd *r);
size_t ns_rd_left(const ns_rd *r);

/* Helpers over views. */
int ns_str_eq(ns_str s, const char *lit);
/* Is name an element of the comma-separated list? */
int ns_namelist_has(ns_str list, const char *name);
/* Copy into a NUL-terminated C buffer; NS_ERR_TOOBIG when it does not fit. */
int ns_str_copy(ns_str s, char *out, size_t cap);

static inline uint32_t ns_load32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void ns_store32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
static inline void ns_store64(uint8_t *p, uint64_t v)
{
	ns_store32(p, (uint32_t)(v >> 32));
	ns_store32(p + 4, (uint32_t)v);
}

#endif
