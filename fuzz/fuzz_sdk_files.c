/* Fuzzes the SDK's readers of Commands and Files answers (network bytes):
 * the NDJSON stream of a streamed command fed in two pieces
 * (ns_exec_stream_feed), and the exec, listing and URL answers
 * (ns_api_decode_exec/_entries/_url). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sdk_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int sink(void *ud, int fd, const uint8_t *p, size_t n)
{
	(void)ud;
	(void)p;
	return fd == 1 || fd == 2 ? (n > 0 ? 0 : -1) : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_exec_stream s;
	ns_exec_result r;
	ns_file_entry e[4];
	char url[256];
	int64_t exp;
	size_t n, half = size / 2;

	memset(&s, 0, sizeof(s));
	s.out = sink;
	if (ns_exec_stream_feed(&s, (const char *)data, half) == 0) {
		(void)ns_exec_stream_feed(&s, (const char *)data + half, size - half);
	}
	ns_exec_stream_free(&s);
	if (ns_api_decode_exec((const char *)data, size, &r) == 0) {
		if (r.out == NULL || r.err == NULL || r.exit_code < -1 || r.exit_code > 255) {
			abort();
		}
		ns_exec_result_free(&r);
	}
	(void)ns_api_decode_entries((const char *)data, size, e, 4, &n);
	if (ns_api_decode_url((const char *)data, size, url, sizeof(url), &exp) == 0 &&
	    strlen(url) >= sizeof(url)) {
		abort();
	}
	return 0;
}
