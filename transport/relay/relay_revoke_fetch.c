/* One GET of the revocation list for relay_revoke.c's thread: libcurl,
 * If-None-Match with the last ETag, the answer {"revoked": "LINES"} of
 * GET /v1/revocations decoded by jansson. Only where the binary links
 * libcurl (not the static build: there --revocations-url is refused). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "nullspace/error.h"
#include "relay_int.h"

#ifdef NS_NO_API
int ns_relay_revoke_fetch_init(void)
{
	return NS_ERR_INVALID;
}

int ns_relay_revoke_fetch(const char *url, const char *key, unsigned timeout_ms,
                          char etag[NS_RELAY_ETAG_MAX], char **text, size_t *len, char *err,
                          size_t cap)
{
	(void)url;
	(void)key;
	(void)timeout_ms;
	(void)etag;
	*text = NULL;
	*len = 0;
	snprintf(err, cap, "not in this build");
	return NS_ERR_INVALID;
}
#else
#include <curl/curl.h>
#include <jansson.h>

typedef struct body {
	char *p;
	size_t len;
	int too_big;
	char etag[NS_RELAY_ETAG_MAX];
} body;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	body *b = ud;
	size_t k = size * n;
	char *q;

	if (b->len + k > NS_RELAY_FILE_MAX) {
		b->too_big = 1;
		return 0;
	}
	if ((q = realloc(b->p, b->len + k + 1)) == NULL) {
		return 0;
	}
	b->p = q;
	memcpy(b->p + b->len, p, k);
	b->len += k;
	b->p[b->len] = '\0';
	return k;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	body *b = ud;
	size_t k = size * n, v;

	if (k > 5 && strncasecmp(p, "etag:", 5) == 0) {
		for (v = 5; v < k && (p[v] == ' ' || p[v] == '\t'); v++) {
		}
		while (k > v && (p[k - 1] == '\r' || p[k - 1] == '\n' || p[k - 1] == ' ')) {
			k--;
		}
		if (k - v < sizeof(b->etag)) {
			memcpy(b->etag, p + v, k - v);
			b->etag[k - v] = '\0';
		}
	}
	return size * n;
}

int ns_relay_revoke_fetch_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : NS_ERR_IO;
}

/* The "revoked" string of the answer into *text. */
static int decode(const body *b, char **text, size_t *len, char *err, size_t cap)
{
	json_t *j = json_loadb(b->p != NULL ? b->p : "", b->len, 0, NULL);
	json_t *v = json_object_get(j, "revoked");
	int rc = NS_ERR_FORMAT;

	if (json_is_string(v) && (*text = strdup(json_string_value(v))) != NULL) {
		*len = json_string_length(v);
		rc = strlen(*text) == *len ? 0 : NS_ERR_FORMAT; /* no NUL inside */
	}
	if (rc != 0) {
		free(*text);
		*text = NULL;
		snprintf(err, cap, "the answer is not {\"revoked\": \"...\"}");
	}
	json_decref(j);
	return rc;
}

int ns_relay_revoke_fetch(const char *url, const char *key, unsigned timeout_ms,
                          char etag[NS_RELAY_ETAG_MAX], char **text, size_t *len, char *err,
                          size_t cap)
{
	char auth[600], inm[NS_RELAY_ETAG_MAX + 20];
	struct curl_slist *h = NULL;
	body b;
	long status = 0;
	CURLcode cc;
	CURL *e;
	int rc;

	*text = NULL;
	*len = 0;
	memset(&b, 0, sizeof(b));
	if ((e = curl_easy_init()) == NULL) {
		snprintf(err, cap, "curl_easy_init failed");
		return NS_ERR_NOMEM;
	}
	if (key != NULL &&
	    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key) < (int)sizeof(auth)) {
		h = curl_slist_append(h, auth);
	}
	if (etag[0] != '\0') {
		snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
		h = curl_slist_append(h, inm);
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &b);
	cc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK) {
		snprintf(err, cap, "%s",
		         b.too_big ? "the list is over 4 MiB" : curl_easy_strerror(cc));
		rc = NS_ERR_IO;
	} else if (status == 304) {
		rc = 304;
	} else if (status != 200) {
		snprintf(err, cap, "HTTP %ld", status);
		rc = NS_ERR_IO;
	} else if ((rc = decode(&b, text, len, err, cap)) == 0) {
		rc = 200;
		memcpy(etag, b.etag, NS_RELAY_ETAG_MAX); /* "" when none came */
	}
	curl_slist_free_all(h); /* holds the key: not logged, freed */
	sodium_memzero(auth, sizeof(auth));
	free(b.p);
	curl_easy_cleanup(e);
	return rc;
}
#endif
