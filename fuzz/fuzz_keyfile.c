/* Fuzzes ns_keyfile_parse: armour, base64 wrapping, the openssh-key-v1
 * fields, check ints, padding, the comment. A file that parses is written
 * again with ns_keyfile_write and must parse to the same key. An encrypted
 * file is opened with the passphrase "x" (and, when that fails, with one
 * taken from the input) under a bcrypt rounds limit of
 * FUZZ_ROUNDS_MAX, so that one input costs a few hashes, not
 * NS_KEYFILE_KDF_ROUNDS_MAX. Seeds: ssh-keygen -N x -a 1 (enc_a1) and -a 2
 * (enc_a2), -N secret (enc_wrong_pass), enc_a2 patched to 3 rounds
 * (enc_rounds_over_limit), malformed kdfoptions (enc_bad_kdfopts), -N -----BEGIN
 * (enc_pass_from_input: its last byte, a newline, takes the ten first bytes
 * as the passphrase). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyfile_int.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"

#define FUZZ_ROUNDS_MAX 2

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A passphrase of the input's own bytes (its head, 0 to 72 bytes long as
 * the last byte says, NULs included): the length and bytes of what a user
 * types vary too. What opens must be the key inspect saw. */
static void other_pass(const uint8_t *data, size_t size, int insp, const ns_keyfile_info *info)
{
	size_t n = data[size - 1] % 73;
	ns_key k;

	if (n > size) {
		n = size;
	}
	if (ns_keyfile_parse_max((const char *)data, size, (const char *)data, n, FUZZ_ROUNDS_MAX,
	                         &k) == 0) {
		if (insp != 0 || memcmp(info->pk, k.pk, sizeof(k.pk)) != 0) {
			abort();
		}
		ns_key_wipe(&k);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[NS_KEYFILE_MAX];
	ns_keyfile_info info;
	ns_key k, k2;
	size_t len;
	int rc, insp;

	rc = ns_keyfile_parse((const char *)data, size, &k);
	if (rc == NS_ERR_ENCRYPTED) {
		/* inspect may still find the kdfoptions malformed */
		insp = ns_keyfile_inspect((const char *)data, size, &info);
		if (insp == 0 && !info.encrypted) {
			abort();
		}
		rc = ns_keyfile_parse_max((const char *)data, size, "x", 1, FUZZ_ROUNDS_MAX, &k);
		if (rc == 0 && (insp != 0 || memcmp(info.pk, k.pk, sizeof(k.pk)) != 0)) {
			abort();
		}
		if (rc != 0) {
			other_pass(data, size, insp, &info);
		}
	}
	if (rc != 0) {
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
