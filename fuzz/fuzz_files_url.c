/* Fuzzes the Files API's readers of a request: a signed URL's query
 * (ns_files_url_parse_query, then ns_files_url_verify against a fixed
 * secret: a forged URL must never verify) and the path check
 * (ns_files_path_check: an accepted path has no ".." component, no NUL and
 * is relative), and the mode of an upload (ns_files_mode_parse: an
 * accepted mode is at most 07777 and written in octal parses back the
 * same). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files_path.h"
#include "files_url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string (cut at 15 bytes: a mode is at most 5). */
static void mode_check(const uint8_t *data, size_t size)
{
	char s[16], back[16];
	unsigned mode, mode2;

	memcpy(s, data, size < 15 ? size : 15);
	s[size < 15 ? size : 15] = '\0';
	if (ns_files_mode_parse(s, &mode) != 0) {
		if (mode != 0) {
			abort(); /* a refusal leaves 0 */
		}
		return;
	}
	snprintf(back, sizeof(back), "%o", mode);
	if (mode > 07777 || ns_files_mode_parse(back, &mode2) != 0 || mode2 != mode) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t secret[NS_FILES_SECRET_LEN] = {7};
	char out[NS_FILES_PATH_MAX + 1];
	const char *why = NULL, *p;
	ns_files_url u;

	if (ns_files_url_parse_query((const char *)data, size, &u) == 0 &&
	    ns_files_url_verify(&u, secret, "GET", 1) == NS_FILES_URL_OK) {
		abort(); /* the fuzzer cannot know the HMAC */
	}
	if (ns_files_path_check((const char *)data, size, "/home/user", out, sizeof(out), &why) ==
	    0) {
		if (out[0] == '/' || strlen(out) == 0) {
			abort();
		}
		for (p = out; p != NULL; p = strchr(p, '/')) {
			p += *p == '/';
			if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0')) {
				abort();
			}
		}
	}
	mode_check(data, size);
	return 0;
}
