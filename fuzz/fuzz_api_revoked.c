/* Fuzzes ns_api_revoked_load_text, the reader of the API's revoked-access
 * file (api/revoked_file.c) at start: what it keeps, written out again and
 * read back, must give the same list with no line skipped, and every kept
 * line must be one the relays' revocation list format accepts as a key id
 * line of a nullspace access. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "revoked.h"

#define NOW 1800000000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_api_revoked rv, back;
	size_t bad = 0, bad2 = 0, len = 0, i;
	char *text;

	if (ns_api_revoked_init(&rv, 1) != 0 || ns_api_revoked_init(&back, 1) != 0) {
		abort();
	}
	(void)ns_api_revoked_load_text(&rv, (const char *)data, size, NOW, &bad);
	if (rv.n > NS_API_REVOKED_MAX || (text = ns_api_revoked_save_text(&rv, &len)) == NULL) {
		abort();
	}
	if (ns_api_revoked_load_text(&back, text, len, NOW, &bad2) != 0 || bad2 != 0 ||
	    back.n != rv.n) {
		abort();
	}
	for (i = 0; i < rv.n; i++) {
		if (strcmp(rv.e[i].line, back.e[i].line) != 0 || rv.e[i].at != back.e[i].at ||
		    strncmp(rv.e[i].line, "id: nullspace:acc_", 18) != 0 ||
		    strchr(rv.e[i].line, '\n') != NULL) {
			abort();
		}
	}
	free(text);
	ns_api_revoked_free(&back);
	ns_api_revoked_free(&rv);
	return 0;
}
