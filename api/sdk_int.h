/* Inside the SDK: the handle and the HTTP transport shared by the calls
 * (api/sdk.c) and the libcurl layer (api/sdk_http.c). */
#ifndef NS_API_SDK_INT_H
#define NS_API_SDK_INT_H

#include <curl/curl.h>
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "nullspace/sdk.h"

struct ns_api {
	CURL *curl;
	char url[NS_API_URL_MAX]; /* no trailing '/' */
	char key[NS_API_KEY_MAX];
	char err[NS_API_ERR_MAX];
	int status;
};

/* A response body, NUL-terminated; wiped when freed (it may hold
 * credentials). */
typedef struct ns_api_body {
	char *p;
	size_t len, cap;
	int over; /* went past NS_API_RESPONSE_MAX */
} ns_api_body;

/* curl_global_init once per process; then an easy handle. NULL on failure. */
CURL *ns_api_http_handle(void);
/* One request to api->url + path with an optional JSON body (consumed,
 * even on failure). 0 on a 2xx answer with its body in *b (free it with
 * ns_api_body_free); else NS_ERR_* with the message in api->err. */
int ns_api_http_call(ns_api *api, const char *method, const char *path, json_t *body,
                     ns_api_body *b);
void ns_api_body_free(ns_api_body *b);
/* Streams of a request (ns_api_http_io): the body read from in_fd (-1:
 * none; in_size bytes, sent as Content-Length), a 2xx answer handed to
 * sink as it comes (non-zero stops it) instead of collected, no overall
 * timeout when no_timeout is set (long downloads, streamed commands). */
typedef struct ns_api_io {
	int in_fd;
	uint64_t in_size;
	int (*sink)(void *ud, const char *p, size_t n);
	void *sink_ud;
	int no_timeout;
} ns_api_io;
int ns_api_http_io(ns_api *api, const char *method, const char *path, json_t *body,
                   const ns_api_io *io, ns_api_body *b);
/* api->err from a format. */
void ns_api_set_msg(ns_api *api, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The NDJSON stream of a streamed command, fed as it arrives (fuzzed by
 * fuzz/fuzz_sdk_stream.c): each full line {"stdout": base64} / {"stderr": base64} goes to
 * out/err, the last {"exit_code": N|null, "timed_out": b} ends it. */
typedef struct ns_exec_stream {
	char *line; /* NS_API_STREAM_LINE_MAX bytes, caller's or NULL (allocated) */
	size_t len;
	int (*out)(void *ud, int fd, const uint8_t *p, size_t n); /* fd 1 or 2 */
	void *ud;
	int ended, exit_code, timed_out;
	char error[256]; /* {"error": ...} from the server */
} ns_exec_stream;
/* 0, or NS_ERR_FORMAT for a line we cannot read (or one over the max),
 * or what out returned. */
int ns_exec_stream_feed(ns_exec_stream *s, const char *p, size_t n);
void ns_exec_stream_free(ns_exec_stream *s);

/* sdk_files.c: the answers of the Commands and Files API, read field by
 * field (fuzzed by fuzz/fuzz_sdk_files.c). 0 or NS_ERR_FORMAT/NOMEM. */
int ns_api_decode_exec(const char *p, size_t len, ns_exec_result *r);
int ns_api_decode_entries(const char *p, size_t len, ns_file_entry *out, size_t cap, size_t *n);
int ns_api_decode_url(const char *p, size_t len, char *url, size_t cap, int64_t *expires_at);

#endif
