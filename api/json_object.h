/* A request or response body as one JSON object (jansson), for the API's
 * request parser (api/request.c) and the SDK's decoders (api/sdk_decode.c),
 * each of which words its own messages for a body that is not one. */
#ifndef NS_API_JSON_OBJECT_H
#define NS_API_JSON_OBJECT_H

#include <jansson.h>
#include <stddef.h>

/* The len bytes of body as a JSON object with no member repeated (free it
 * with json_decref), or NULL with *why set to not_object when it is JSON
 * of another type, to not_json when it is not JSON or repeats a member. */
json_t *ns_json_object_load(const char *body, size_t len, const char *not_json,
                            const char *not_object, const char **why);

#endif
