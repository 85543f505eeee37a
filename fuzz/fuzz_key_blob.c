/* Fuzzes ns_key_from_blob and ns_key_verify (fixed RFC 8032 key, fixed
 * message) over the same bytes: string parsing, type names, lengths and
 * trailing data. A blob that parses must be canonical; no signature of ours
 * can verify. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t PK[NS_ED25519_PK_LEN] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t pk[NS_ED25519_PK_LEN], blob[NS_KEY_BLOB_LEN];

	if (ns_key_from_blob(data, size, pk) == 0) {
		ns_key_blob(pk, blob);
		if (size != sizeof(blob) || memcmp(blob, data, size) != 0) {
			abort();
		}
	}
	if (ns_key_verify(PK, data, size, (const uint8_t *)"fuzz", 4) == 0) {
		abort();
	}
	return 0;
}
