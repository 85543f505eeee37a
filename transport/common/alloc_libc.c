/* The libc allocator handed to the engine by programs that have no allocator
 * of their own (core/ itself never calls malloc). */
#include <stdlib.h>

#include "nullspace/types.h"

static void *libc_realloc(void *ctx, void *ptr, size_t size)
{
	(void)ctx;
	if (size == 0) {
		free(ptr);
		return NULL;
	}
	return realloc(ptr, size);
}

static const ns_allocator libc_allocator = {libc_realloc, NULL};

const ns_allocator *ns_allocator_libc(void)
{
	return &libc_allocator;
}
