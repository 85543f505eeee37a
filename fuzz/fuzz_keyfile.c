/* Fuzzes ns_keyfile_parse: armour, base64 wrapping, the openssh-key-v1
 * fields, check ints, padding, the comment. A file that parses is written
 * again with ns_keyfile_write and must parse to the same key. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/keys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[NS_KEYFILE_MAX];
	ns_key k, k2;
	size_t len;

	if (ns_keyfile_parse((const char *)data, size, &k) != 0) {
		return 0;
	}
	if (ns_keyfile_write(&k, text, sizeof(text), &len) != 0 ||
	    ns_keyfile_parse(text, len, &k2) != 0 || memcmp(k.sk, k2.sk, sizeof(k.sk)) != 0 ||
	    strcmp(k.comment, k2.comment) != 0) {
		abort();
	}
	ns_key_wipe(&k);
	ns_key_wipe(&k2);
	return 0;
}
