/* Fuzzes the Files API's readers of a request: a signed URL's query
 * (ns_files_url_parse_query, then ns_files_url_verify against a fixed
 * secret: a forged URL must never verify) and the path check
 * (ns_files_path_check: an accepted path has no ".." component, no NUL and
 * is relative). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "files_path.h"
#include "files_url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	return 0;
}
