/* Accesses revoked through the API (DELETE /v1/sandboxes/ID/ssh-access/ACC),
 * kept in memory as lines of the revocation list format (cert/revoked.c:
 * "id: nullspace:ACC:ID", the key id the access's certificate carries) for
 * as long as such a certificate can be valid, and served to relays as
 * GET /v1/revocations with an ETag that changes with the list. No I/O, the
 * clock from the caller. */
#ifndef NS_API_REVOKED_H
#define NS_API_REVOKED_H

#include <stddef.h>
#include <stdint.h>

#define NS_API_REVOKED_MAX 4096 /* revoked accesses kept at once */
/* Kept this long after the revocation: longer than any access lives (60
 * minutes, backdated by one, docs/api.md), so the certificate has expired
 * by the time its line goes. */
#define NS_API_REVOKED_KEEP_S (62 * 60)
#define NS_API_REVOKED_LINE_MAX 128 /* "id: nullspace:" + access id + ":" + sandbox id */
#define NS_API_ETAG_MAX 32

typedef struct ns_api_revoked_entry {
	char line[NS_API_REVOKED_LINE_MAX];
	int64_t at;
} ns_api_revoked_entry;

typedef struct ns_api_revoked {
	ns_api_revoked_entry *e; /* NS_API_REVOKED_MAX entries, oldest first */
	size_t n;
	uint64_t gen; /* changes with the list: the ETag */
} ns_api_revoked;

int ns_api_revoked_init(ns_api_revoked *rv);
void ns_api_revoked_free(ns_api_revoked *rv);
/* Revoke access acc of sandbox sb: 0 (also when it was already), NS_ERR_LIMIT
 * when NS_API_REVOKED_MAX are kept, NS_ERR_INVALID for a malformed id. */
int ns_api_revoked_add(ns_api_revoked *rv, const char *sb, const char *acc, int64_t now);
/* Drop lines older than NS_API_REVOKED_KEEP_S (the generation moves). */
void ns_api_revoked_prune(ns_api_revoked *rv, int64_t now);
/* The list's text (malloc'd, NUL-terminated; "" when empty), or NULL. */
char *ns_api_revoked_text(const ns_api_revoked *rv, size_t *len);
/* The ETag, quoted: "\"rv-GEN\"". */
void ns_api_revoked_etag(const ns_api_revoked *rv, char out[NS_API_ETAG_MAX]);
/* Is acc an access id as minting makes them ("acc_" and 24 of [a-z0-9])? */
int ns_api_access_id_valid(const char *acc);

#endif
