/* KEX_ECDH_INIT / KEX_ECDH_REPLY bodies; the first byte picks which. The
 * public value found is then checked as a peer's X25519 key and P-256 point
 * (ns_kex_shared: length, prefix, on the curve) with a fixed secret. */
#include "kex.h"
#include "kex_ecdh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_str k_s, q = {0}, sig;
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
	if (q.p != NULL) {
		static const uint8_t secret[NS_KEX_SECRET_LEN] = {7, 7, 7, 7, 7, 7, 7, 7};
		uint8_t kmp[NS_KEX_MPINT_MAX];
		size_t n;

		ns_kex_shared(NS_KEX_X25519, secret, q.p, q.len, kmp, &n);
		ns_kex_shared(NS_KEX_P256, secret, q.p, q.len, kmp, &n);
	}
	return 0;
}
