/* Growable byte buffer with a hard cap, over a caller-supplied allocator, or
 * over fixed caller storage (alloc NULL). Writers (ns_wr_*) append to it and
 * keep a sticky error: the first failure poisons the buffer. */
#ifndef NS_CORE_BUF_H
#define NS_CORE_BUF_H

#include "nullspace/types.h"

typedef struct ns_buf {
	uint8_t *p;
	size_t len;            /* bytes in use */
	size_t cap;            /* bytes allocated */
	size_t max;            /* never grow past this */
	const ns_allocator *a; /* NULL: fixed storage */
	int err;               /* sticky writer error */
} ns_buf;

void ns_buf_init(ns_buf *b, const ns_allocator *a, size_t max);
void ns_buf_init_fixed(ns_buf *b, uint8_t *storage, size_t cap);
/* Make room for extra more bytes; returns a pointer to the free space. */
int ns_buf_reserve(ns_buf *b, size_t extra, uint8_t **space);
/* Drop the first n bytes. */
void ns_buf_consume(ns_buf *b, size_t n);
/* Release memory when empty (idle connections stay small). */
void ns_buf_shrink(ns_buf *b);
/* The same, wiping only the first dirty bytes: for a large buffer whose
 * caller knows no byte past them was ever written (the wipe would fault in
 * every untouched page of it). */
void ns_buf_shrink_dirty(ns_buf *b, size_t dirty);
/* Wipe and free. */
void ns_buf_free(ns_buf *b);
void ns_buf_reset(ns_buf *b); /* len = 0, err = 0, wipes content */

/* Writers: append SSH wire encodings (RFC 4251 section 5). */
int ns_wr_u8(ns_buf *b, uint8_t v);
int ns_wr_u32(ns_buf *b, uint32_t v);
int ns_wr_u64(ns_buf *b, uint64_t v);
int ns_wr_bool(ns_buf *b, int v);
int ns_wr_bytes(ns_buf *b, const void *p, size_t n);
int ns_wr_string(ns_buf *b, const void *p, size_t n);
int ns_wr_cstr(ns_buf *b, const char *s);
int ns_wr_str(ns_buf *b, ns_str s);
/* mpint from an unsigned big-endian magnitude. */
int ns_wr_mpint(ns_buf *b, const uint8_t *p, size_t n);

#endif
