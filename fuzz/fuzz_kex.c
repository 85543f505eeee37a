/* KEX_ECDH_INIT / KEX_ECDH_REPLY bodies; the first byte picks which. */
#include "kex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_str k_s, q, sig;
	ns_rd r;

	if (size < 1) {
		return 0;
	}
	ns_rd_init(&r, data + 1, size - 1);
	if (data[0] & 1) {
		ns_kex_ecdh_reply_parse(&r, &k_s, &q, &sig);
	} else {
		ns_kex_ecdh_init_parse(&r, &q);
	}
	return 0;
}
