/* Caller-allocated structs of the public API carry their size (set by the
 * *_init functions), so a caller built against an older or newer header
 * keeps working: these copy such a struct in or out across the two sizes. */
#ifndef NS_CORE_ABI_H
#define NS_CORE_ABI_H

#include <stddef.h>

/* The end of a struct's fields as of the release that gave it a size
 * field: no caller may pass less. */
#define NS_ABI_END(type, last) (offsetof(type, last) + sizeof(((type *)0)->last))

/* Copy a caller's struct of src_size bytes into ours (dst, dst_size bytes,
 * zeroed past what the caller has). NS_ERR_INVALID when src_size is below
 * min_size (not set by its *_init) or when a newer caller set a field this
 * library does not know (non-zero bytes past dst_size). */
int ns_abi_copy_in(void *dst, size_t dst_size, const void *src, size_t src_size, size_t min_size);
/* Copy our struct (src_size bytes) out to a caller's of dst_size bytes:
 * what both know is copied, bytes only the caller knows are zeroed, and the
 * caller's leading size field is kept. */
void ns_abi_copy_out(void *dst, size_t dst_size, const void *src, size_t src_size);

#endif
