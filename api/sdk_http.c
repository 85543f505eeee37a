/* The SDK's HTTP transport over libcurl: one easy handle per ns_api, the API
 * key as a Bearer header wiped after each request (never in a message), a
 * response cap, no redirects, http/https only, statuses mapped to NS_ERR_*
 * with the server's own message. */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdk_decode.h"
#include "nullspace/error.h"
#include "sdk_int.h"

#define AUTH_PREFIX "Authorization: Bearer "
#define URL_CAP (NS_API_URL_MAX + 256)
#define USER_AGENT "nullspace-sdk/0.1"
#define BODY_CHUNK 4096

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

CURL *ns_api_http_handle(void)
{
	pthread_once(&global_once, global_init);
	return global_rc == CURLE_OK ? curl_easy_init() : NULL;
}

void ns_api_set_msg(ns_api *api, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(api->err, sizeof(api->err), fmt, ap);
	va_end(ap);
}

void ns_api_body_free(ns_api_body *b)
{
	if (b->p != NULL) {
		sodium_memzero(b->p, b->cap);
		free(b->p);
	}
	memset(b, 0, sizeof(*b));
}

/* Grown by copying, so no credential lingers in a block realloc gave back. */
static size_t on_data(char *data, size_t size, size_t nmemb, void *ud)
{
	ns_api_body *b = ud;
	size_t n = size * nmemb, cap;
	char *p;

	if (n > NS_API_RESPONSE_MAX - b->len) {
		b->over = 1;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap == 0 ? BODY_CHUNK : b->cap;
		while (cap < b->len + n + 1) {
			cap *= 2;
		}
		if ((p = malloc(cap)) == NULL) {
			return 0;
		}
		if (b->p != NULL) {
			memcpy(p, b->p, b->len);
			sodium_memzero(b->p, b->cap);
			free(b->p);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

/* The write callback of ns_api_http_io: a 2xx body to the sink, any
 * other (an error message) into the capped buffer. */
typedef struct io_ctx {
	ns_api *api;
	const ns_api_io *io;
	ns_api_body *b;
	int status; /* 0 until known */
} io_ctx;

static size_t on_io_data(char *data, size_t size, size_t nmemb, void *ud)
{
	io_ctx *x = ud;
	long st = 0;

	if (x->status == 0) {
		curl_easy_getinfo(x->api->curl, CURLINFO_RESPONSE_CODE, &st);
		x->status = (int)st;
	}
	if (x->io != NULL && x->io->sink != NULL && x->status >= 200 && x->status < 300) {
		return x->io->sink(x->io->sink_ud, data, size * nmemb) == 0 ? size * nmemb : 0;
	}
	return on_data(data, size, nmemb, x->b);
}

static size_t on_read(char *buf, size_t size, size_t nitems, void *ud)
{
	const ns_api_io *io = ud;
	ssize_t n;

	do {
		n = read(io->in_fd, buf, size * nitems);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? CURL_READFUNC_ABORT : (size_t)n;
}

/* NS_ERR_* for a non-2xx status, with a message for people. */
static int status_error(ns_api *api, long status, const ns_api_body *b)
{
	char msg[NS_API_ERR_MAX - 64];
	int have = b->p != NULL && ns_api_decode_error(b->p, b->len, msg, sizeof(msg)) == 0;

	if (!have) {
		snprintf(msg, sizeof(msg), "no error message");
	}
	switch (status) {
	case 401:
		ns_api_set_msg(api, "the API refused the API key (401): %s", msg);
		return NS_ERR_AUTH;
	case 404: ns_api_set_msg(api, "%s (404)", have ? msg : "not found"); return NS_ERR_NOTFOUND;
	case 409: ns_api_set_msg(api, "%s (409)", have ? msg : "conflict"); return NS_ERR_STATE;
	case 400:
	case 413:
		ns_api_set_msg(api, "the API refused the request (%ld): %s", status, msg);
		return NS_ERR_FORMAT;
	default:
		ns_api_set_msg(api, "the API answered %ld: %s", status, msg);
		return NS_ERR_PROTOCOL;
	}
}

static int set_options(ns_api *api, const char *method, const char *url, const char *json,
                       struct curl_slist *headers, io_ctx *x, char *curl_err)
{
	const ns_api_io *io = x->io;
	CURL *c = api->curl;
	int bad = 0;

	curl_easy_reset(c); /* keeps the open connection */
	bad |= curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	                        io != NULL && io->no_timeout ? 0L : (long)NS_API_TIMEOUT_MS) !=
	       CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
#else
	bad |= curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) !=
	       CURLE_OK;
#endif
	bad |= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_io_data) != CURLE_OK;
	bad |= curl_easy_setopt(c, CURLOPT_WRITEDATA, x) != CURLE_OK;
	if (io != NULL && io->in_fd >= 0) {
		bad |= curl_easy_setopt(c, CURLOPT_UPLOAD, 1L) != CURLE_OK;
		bad |= curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read) != CURLE_OK;
		bad |= curl_easy_setopt(c, CURLOPT_READDATA, (void *)io) != CURLE_OK;
		bad |= curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)io->in_size) !=
		       CURLE_OK;
	}
	bad |= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_err) != CURLE_OK;
	if (json != NULL) {
		bad |= curl_easy_setopt(c, CURLOPT_POSTFIELDS, json) != CURLE_OK;
		bad |= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json)) != CURLE_OK;
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) {
		bad |= curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method) != CURLE_OK;
	}
	return bad ? NS_ERR_NOMEM : 0;
}

static void free_headers(struct curl_slist *list)
{
	struct curl_slist *s;

	for (s = list; s != NULL; s = s->next) {
		sodium_memzero(s->data, strlen(s->data)); /* curl's copy of the key */
	}
	curl_slist_free_all(list);
}

/* The request headers; the first holds the key (wiped by free_headers). */
static struct curl_slist *make_headers(const char *auth, int has_body)
{
	const char *lines[3] = {auth, "Accept: application/json",
	                        has_body ? "Content-Type: application/json" : NULL};
	struct curl_slist *list = NULL, *h;
	size_t i;

	for (i = 0; i < 3 && lines[i] != NULL; i++) {
		if ((h = curl_slist_append(list, lines[i])) == NULL) {
			free_headers(list);
			return NULL;
		}
		list = h;
	}
	return list;
}

static int perform(ns_api *api, ns_api_body *b, const char *curl_err)
{
	CURLcode cc = curl_easy_perform(api->curl);
	long status = 0;

	if (cc != CURLE_OK) {
		if (b->over) {
			ns_api_set_msg(api, "the API at %s sent a response over %d bytes", api->url,
			               NS_API_RESPONSE_MAX);
			return NS_ERR_FORMAT;
		}
		ns_api_set_msg(api, "cannot reach the API at %s: %s", api->url,
		               curl_err[0] ? curl_err : curl_easy_strerror(cc));
		return cc == CURLE_OUT_OF_MEMORY ? NS_ERR_NOMEM : NS_ERR_IO;
	}
	curl_easy_getinfo(api->curl, CURLINFO_RESPONSE_CODE, &status);
	api->status = (int)status;
	return status >= 200 && status < 300 ? 0 : status_error(api, status, b);
}

int ns_api_http_call(ns_api *api, const char *method, const char *path, json_t *body,
                     ns_api_body *b)
{
	return ns_api_http_io(api, method, path, body, NULL, b);
}

int ns_api_http_io(ns_api *api, const char *method, const char *path, json_t *body,
                   const ns_api_io *io, ns_api_body *b)
{
	io_ctx x = {api, io, b, 0};
	char url[URL_CAP], auth[sizeof(AUTH_PREFIX) + NS_API_KEY_MAX];
	char curl_err[CURL_ERROR_SIZE];
	struct curl_slist *headers = NULL;
	char *json = NULL;
	int n, rc = NS_ERR_NOMEM;

	memset(b, 0, sizeof(*b));
	curl_err[0] = '\0';
	api->err[0] = '\0';
	api->status = 0;
	n = snprintf(url, sizeof(url), "%s%s", api->url, path);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		rc = NS_ERR_INVALID;
		goto out;
	}
	snprintf(auth, sizeof(auth), "%s%s", AUTH_PREFIX, api->key);
	if (body != NULL && (json = json_dumps(body, JSON_COMPACT)) == NULL) {
		goto out;
	}
	if ((headers = make_headers(auth, json != NULL)) == NULL ||
	    (rc = set_options(api, method, url, json, headers, &x, curl_err)) != 0) {
		goto out;
	}
	rc = perform(api, b, curl_err);
	curl_easy_reset(api->curl); /* nothing may point into this frame after we return */
out:
	free_headers(headers);
	sodium_memzero(auth, sizeof(auth));
	free(json);
	json_decref(body);
	if (rc != 0) {
		if (api->err[0] == '\0') {
			ns_api_set_msg(api, "%s", ns_strerror(rc));
		}
		ns_api_body_free(b);
	}
	return rc;
}
