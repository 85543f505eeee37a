/* Small shared types of the public API: byte-string views and the allocator
 * that an embedder hands to the engine (core/ never allocates on its own). */
#ifndef NULLSPACE_TYPES_H
#define NULLSPACE_TYPES_H

#include "nullspace/decls.h"

#include <stddef.h>
#include <stdint.h>

NS_BEGIN_DECLS

/* A view of bytes owned by someone else; not NUL-terminated. */
typedef struct ns_str {
	const uint8_t *p;
	size_t len;
} ns_str;

/* realloc-like: size 0 frees and returns NULL. */
typedef struct ns_allocator {
	void *(*realloc)(void *ctx, void *ptr, size_t size);
	void *ctx;
} ns_allocator;

/* An allocator over libc realloc/free (lives outside core/). */
const ns_allocator *ns_allocator_libc(void);

NS_END_DECLS

#endif
