/* Fuzzes what the API reads from a sandbox (untrusted): the helper's
 * listing records (ns_files_list_parse), a download's size line
 * (ns_files_head_parse: a size never over the max) and any bytes made a
 * JSON string (ns_files_text: always valid UTF-8 for jansson). */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "files_out.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *arr = NULL, *t;
	uint64_t n;
	size_t used;

	if (ns_files_list_parse(data, size, &arr) == 0) {
		json_decref(arr);
	}
	if (ns_files_head_parse((const char *)data, size, 1000000, &n, &used) == 0 &&
	    (n > 1000000 || used > size)) {
		abort();
	}
	if (size < 4096) {
		if ((t = ns_files_text(data, size)) == NULL) {
			abort(); /* jansson refused: not valid UTF-8 */
		}
		json_decref(t);
	}
	return 0;
}
