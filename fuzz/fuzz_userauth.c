/* USERAUTH_REQUEST body parser, and the signed data built from what it found. */
#include "auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sid[32];
	uint8_t storage[NS_AUTH_SIGNED_MAX];
	ns_userauth_req q;
	ns_buf b;
	ns_rd r;

	ns_rd_init(&r, data, size);
	if (ns_userauth_request_parse(&r, &q) == 0 && q.has_sig) {
		ns_buf_init_fixed(&b, storage, sizeof(storage));
		ns_auth_signed_data(sid, sizeof(sid), q.user, q.service, q.alg, q.blob, &b);
	}
	return 0;
}
