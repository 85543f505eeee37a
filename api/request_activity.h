/* The body of POST /v1/activity, parsed without I/O (fuzzed by
 * fuzz/fuzz_api_activity.c): {"sandboxes": ["sb_...", ...]}, the sandboxes
 * a relay saw channel bytes for since its last report (docs/api.md,
 * "Keep-awake"). */
#ifndef NS_API_REQUEST_ACTIVITY_H
#define NS_API_REQUEST_ACTIVITY_H

#include <stddef.h>

#include "nullspace/sdk.h"

/* Ids one report may name (a relay with more sends several): 512 ids of
 * NS_API_ID_MAX bytes fit well within NS_API_BODY_MAX. */
#define NS_API_ACTIVITY_MAX 512

typedef struct ns_activity_request {
	char ids[NS_API_ACTIVITY_MAX][NS_API_ID_MAX + 1];
	size_t n;
} ns_activity_request;

/* 0 with out filled (an id named twice is kept once; an empty list is
 * fine), or NS_ERR_FORMAT (not a JSON object, "sandboxes" missing or not an
 * array of strings) or NS_ERR_INVALID (an id that is no sandbox id, more
 * than NS_API_ACTIVITY_MAX), *why a message for the client. */
int ns_api_parse_activity(const char *body, size_t len, ns_activity_request *out, const char **why);

#endif
