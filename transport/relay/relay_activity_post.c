/* One keep-awake report for relay_activity.c's thread: POST
 * {"sandboxes": [...]} to --activity-url (the API's /v1/activity) with libcurl, the
 * API key as a Bearer token; 0 on a 200, else an error in err (the key
 * never in it). Only where the binary links libcurl: the static build
 * refuses --activity-url. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "nullspace/error.h"
#include "relay_int.h"

#ifdef NS_NO_API
int ns_relay_activity_post_init(void)
{
	return NS_ERR_INVALID;
}

int ns_relay_activity_post(const char *url, const char *key, const char *body, char *err,
                           size_t cap)
{
	(void)url;
	(void)key;
	(void)body;
	snprintf(err, cap, "not in this build");
	return NS_ERR_INVALID;
}
#else
#include <curl/curl.h>

#define ANSWER_MAX 4096 /* {"extended": N, ...}: read, not kept */

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	size_t *got = ud;

	(void)p;
	*got += size * n;
	return *got > ANSWER_MAX ? 0 : size * n;
}

int ns_relay_activity_post_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : NS_ERR_IO;
}

int ns_relay_activity_post(const char *url, const char *key, const char *body, char *err,
                           size_t cap)
{
	char auth[600];
	struct curl_slist *h = NULL;
	size_t got = 0;
	long status = 0;
	CURLcode cc;
	CURL *e;
	int rc = NS_ERR_IO;

	if ((e = curl_easy_init()) == NULL) {
		snprintf(err, cap, "curl_easy_init failed");
		return NS_ERR_NOMEM;
	}
	if (key != NULL &&
	    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key) < (int)sizeof(auth)) {
		h = curl_slist_append(h, auth);
	}
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)NS_RELAY_ACTIVITY_POST_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &got);
	cc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK) {
		snprintf(err, cap, "%s", curl_easy_strerror(cc));
	} else if (status != 200) {
		snprintf(err, cap, "HTTP %ld", status);
	} else {
		rc = 0;
	}
	curl_slist_free_all(h); /* holds the key: not logged, freed */
	sodium_memzero(auth, sizeof(auth));
	curl_easy_cleanup(e);
	return rc;
}
#endif
