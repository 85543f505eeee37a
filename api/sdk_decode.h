/* Decoders of the API's response bodies: pure, used by the SDK calls
 * (api/sdk.c) and by the tests and fuzzers; not part of the public API. */
#ifndef NS_API_SDK_DECODE_H
#define NS_API_SDK_DECODE_H

#include <stddef.h>

#include "nullspace/sdk.h"

/* why (may be NULL) names what was wrong. */
int ns_api_decode_sandbox(const char *body, size_t len, ns_sandbox_info *out, const char **why);
int ns_api_decode_sandbox_list(const char *body, size_t len, ns_sandbox_info *out, size_t cap,
                               size_t *n, const char **why);
int ns_api_decode_access(const char *body, size_t len, ns_ssh_access *out, const char **why);
/* The "error" member of an error body into msg; 0, or NS_ERR_FORMAT. */
int ns_api_decode_error(const char *body, size_t len, char *msg, size_t cap);

#endif
