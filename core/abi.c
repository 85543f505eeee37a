/* Copying size-tagged public structs between a caller's layout and ours
 * (the pattern of Linux's copy_struct_from_user): the common part is
 * copied, a newer caller's unknown fields must be zero. */
#include <string.h>

#include "abi.h"
#include "nullspace/error.h"

int ns_abi_copy_in(void *dst, size_t dst_size, const void *src, size_t src_size, size_t min_size)
{
	const unsigned char *extra = (const unsigned char *)src + dst_size;
	size_t i;

	if (src_size < min_size) {
		return NS_ERR_INVALID;
	}
	for (i = 0; src_size > dst_size && i < src_size - dst_size; i++) {
		if (extra[i] != 0) {
			return NS_ERR_INVALID;
		}
	}
	memset(dst, 0, dst_size);
	memcpy(dst, src, src_size < dst_size ? src_size : dst_size);
	return 0;
}

void ns_abi_copy_out(void *dst, size_t dst_size, const void *src, size_t src_size)
{
	size_t keep = sizeof(size_t); /* the leading size field */

	if (dst_size <= keep) {
		return;
	}
	memcpy((unsigned char *)dst + keep, (const unsigned char *)src + keep,
	       (src_size < dst_size ? src_size : dst_size) - keep);
	if (dst_size > src_size) {
		memset((unsigned char *)dst + src_size, 0, dst_size - src_size);
	}
}
