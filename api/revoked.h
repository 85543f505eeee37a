/* Accesses revoked through the API (DELETE /v1/sandboxes/ID/ssh-access/ACC),
 * kept in memory as lines of the revocation list format (cert/revoked.c:
 * "id: nullspace:ACC:ID", the key id the access's certificate carries) for
 * as long as such a certificate can be valid, and served to relays as
 * GET /v1/revocations with an ETag that changes with the list; written to a
 * file after each change and read back at start (revoked_file.c), so a
 * restart of the API does not bring a revoked certificate back. No I/O
 * here, the clock from the caller. */
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

/* gen0: the first generation. The server passes the time in microseconds,
 * so that an ETag a relay kept from before a restart never names the list
 * after it. */
int ns_api_revoked_init(ns_api_revoked *rv, uint64_t gen0);
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
/* The list as the API keeps it on disk: "AT LINE\n" per entry, AT the
 * revocation's Unix time, oldest first (malloc'd, NUL-terminated), or NULL. */
char *ns_api_revoked_save_text(const ns_api_revoked *rv, size_t *len);
/* Add the entries of such a text that are still kept at now
 * (NS_API_REVOKED_KEEP_S). A line that is malformed, names a bad id, or is
 * older than the one before it is skipped and counted in *bad. 0, or
 * NS_ERR_LIMIT when the text holds more than NS_API_REVOKED_MAX. */
int ns_api_revoked_load_text(ns_api_revoked *rv, const char *text, size_t len, int64_t now,
                             size_t *bad);
/* Is acc an access id as minting makes them ("acc_" and 24 of [a-z0-9])? */
int ns_api_access_id_valid(const char *acc);

/* revoked_file.c: the list's file (0600, replaced whole through a
 * temporary file). Load: a missing file is an empty list; NS_ERR_IO or
 * NS_ERR_TOOBIG with err saying why. */
#define NS_API_REVOKED_FILE_MAX (NS_API_REVOKED_MAX * (NS_API_REVOKED_LINE_MAX + 24))
int ns_api_revoked_load(ns_api_revoked *rv, const char *path, int64_t now, size_t *bad, char *err,
                        size_t cap);
int ns_api_revoked_save(const ns_api_revoked *rv, const char *path, char *err, size_t cap);

#endif
