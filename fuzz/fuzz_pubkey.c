/* Fuzzes ns_pubkey_from_blob and ns_pubkey_verify. Input: uint16 key blob
 * length, the key blob, then a signature blob over the fixed data "fuzz".
 * Covers every key type's fields (RSA mpints and size limits, P-256 points,
 * sk application), the signature dispatch, ECDSA mpint r/s conversion, the
 * RSA public operation and the FIDO flags/counter trailer. A key that parses
 * round-trips to the same blob. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/pubkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_pubkey k;
	ns_sig_info info;
	size_t klen;

	if (size < 2) {
		return 0;
	}
	klen = (size_t)data[0] << 8 | data[1];
	if (klen > size - 2) {
		klen = size - 2;
	}
	if (ns_pubkey_from_blob(data + 2, klen, &k, NULL) != 0) {
		return 0;
	}
	if (k.blob_len != klen || memcmp(k.blob, data + 2, klen) != 0) {
		abort();
	}
	(void)ns_pubkey_verify(&k, NULL, data + 2 + klen, size - 2 - klen, (const uint8_t *)"fuzz",
	                       4, &info);
	return 0;
}
