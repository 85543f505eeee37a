/* API keys of the control plane: "nsk_" + 43 base64url characters (256 random
 * bits). The server stores only their SHA-256, one lowercase hex digest a
 * line in a 0600 file, and compares in constant time. */
#ifndef NS_API_APIKEY_H
#define NS_API_APIKEY_H

#include <stddef.h>
#include <stdint.h>

#define NS_APIKEY_PREFIX "nsk_"
#define NS_APIKEY_LEN 47 /* prefix + 43 */
#define NS_APIKEY_HASH_LEN 32
#define NS_APIKEY_MAX_KEYS 1024
#define NS_APIKEY_FILE_MAX (NS_APIKEY_MAX_KEYS * 80)

typedef struct ns_apikeys {
	uint8_t (*hash)[NS_APIKEY_HASH_LEN];
	size_t n;
} ns_apikeys;

/* A new random key, NUL-terminated (out has NS_APIKEY_LEN + 1 bytes). */
void ns_apikey_generate(char out[NS_APIKEY_LEN + 1]);
void ns_apikey_hash(const char *key, size_t len, uint8_t out[NS_APIKEY_HASH_LEN]);
/* Parse the store's text (pure): hex digests, blank lines and '#' comments.
 * NS_ERR_FORMAT with *line the bad line. Free with ns_apikeys_free. */
int ns_apikeys_parse(const char *text, size_t len, ns_apikeys *out, int *line);
/* Load PATH (a missing file is an empty set). */
int ns_apikeys_load(const char *path, ns_apikeys *out, char *err, size_t cap);
/* Append key's digest to PATH (created 0600) and to ks. */
int ns_apikeys_add(const char *path, ns_apikeys *ks, const char *key, char *err, size_t cap);
/* Add key's digest to ks only (no file): a key for this run alone, e.g.
 * the one `nullspace up` gives its relay. 0, NS_ERR_INVALID, _TOOBIG. */
int ns_apikeys_add_mem(ns_apikeys *ks, const char *key);
/* 1 when key (len bytes) is in ks, else 0; constant time per entry. */
int ns_apikeys_check(const ns_apikeys *ks, const char *key, size_t len);
void ns_apikeys_free(ns_apikeys *ks);

#endif
