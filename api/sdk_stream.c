/* The SDK's reader of a streamed command (?stream=1): NDJSON lines of
 * base64 output, then the exit line. Lines are gathered up to
 * NS_API_STREAM_LINE_MAX; every field is checked, since the bytes come
 * from the network. Fuzzed by fuzz/fuzz_sdk_stream.c. */
#include <jansson.h>
#include <stdio.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "sdk_int.h"

static int chunk(ns_exec_stream *s, int fd, json_t *v)
{
	const char *b64 = json_string_value(v);
	size_t n = json_string_length(v), len = 0;
	uint8_t *raw;
	int rc;

	if (b64 == NULL || (raw = malloc(n / 4 * 3 + 3)) == NULL) {
		return b64 == NULL ? NS_ERR_FORMAT : NS_ERR_NOMEM;
	}
	if (sodium_base642bin(raw, n / 4 * 3 + 3, b64, n, NULL, &len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(raw);
		return NS_ERR_FORMAT;
	}
	rc = s->out != NULL && len > 0 ? s->out(s->ud, fd, raw, len) : 0;
	free(raw);
	return rc;
}

static int line(ns_exec_stream *s, const char *p, size_t n)
{
	json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES, NULL), *v;
	int rc = NS_ERR_FORMAT;

	if (!json_is_object(j) || s->ended) {
		goto out;
	}
	if ((v = json_object_get(j, "stdout")) != NULL) {
		rc = chunk(s, 1, v);
	} else if ((v = json_object_get(j, "stderr")) != NULL) {
		rc = chunk(s, 2, v);
	} else if ((v = json_object_get(j, "error")) != NULL && json_is_string(v)) {
		snprintf(s->error, sizeof(s->error), "%s", json_string_value(v));
		s->ended = 1;
		s->exit_code = -1;
		rc = 0;
	} else if ((v = json_object_get(j, "exit_code")) != NULL &&
	           (json_is_null(v) || (json_is_integer(v) && json_integer_value(v) >= 0 &&
	                                json_integer_value(v) <= 255))) {
		s->exit_code = json_is_null(v) ? -1 : (int)json_integer_value(v);
		s->timed_out = json_is_true(json_object_get(j, "timed_out"));
		s->ended = 1;
		rc = 0;
	}
out:
	json_decref(j);
	return rc;
}

int ns_exec_stream_feed(ns_exec_stream *s, const char *p, size_t n)
{
	const char *nl;
	size_t k;
	int rc;

	if (s->line == NULL && (s->line = malloc(NS_API_STREAM_LINE_MAX)) == NULL) {
		return NS_ERR_NOMEM;
	}
	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) : n;
		if (k > NS_API_STREAM_LINE_MAX - s->len) {
			return NS_ERR_FORMAT;
		}
		memcpy(s->line + s->len, p, k);
		s->len += k;
		if (nl == NULL) {
			return 0;
		}
		if ((rc = line(s, s->line, s->len)) != 0) {
			return rc;
		}
		s->len = 0;
		p += k + 1;
		n -= k + 1;
	}
	return 0;
}

void ns_exec_stream_free(ns_exec_stream *s)
{
	free(s->line);
	s->line = NULL;
	s->len = 0;
}
