/* Inside the SDK: the handle and the HTTP transport shared by the calls
 * (api/sdk.c) and the libcurl layer (api/sdk_http.c). */
#ifndef NS_API_SDK_INT_H
#define NS_API_SDK_INT_H

#include <curl/curl.h>
#include <jansson.h>
#include <stddef.h>

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
/* api->err from a format. */
void ns_api_set_msg(ns_api *api, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
