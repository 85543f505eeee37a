/* known_hosts lines (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT) for the key types
 * of nullspace/pubkey.h (the pk[32] forms are for ssh-ed25519 keys): plain, [host]:port and hashed
 * (|1|salt|hash) host patterns with wildcards and negation, and the @cert-authority and @revoked
 * markers. Parsing is pure: the caller reads the file and passes its text. */
#ifndef NULLSPACE_KNOWN_HOSTS_H
#define NULLSPACE_KNOWN_HOSTS_H

#include "nullspace/decls.h"

#include <stddef.h>
#include <stdint.h>

#include "nullspace/keys.h"
#include "nullspace/pubkey.h"

NS_BEGIN_DECLS

/* Longer lines are skipped by the lookups, as is the rest of such a line. */
#define NS_KNOWN_HOSTS_LINE_MAX 8192
/* Hashed names: "|1|" base64(salt) "|" base64(HMAC-SHA1(salt, name)). */
#define NS_KNOWN_HOSTS_SALT_LEN 20
#define NS_KNOWN_HOSTS_HASH_LEN 20
#define NS_KNOWN_HOSTS_HASHED_MAX (3 + 28 + 1 + 28 + 1) /* with the NUL */

/* The marker that starts a line, if any. */
enum {
	NS_KNOWN_HOSTS_PLAIN = 0,          /* host key line */
	NS_KNOWN_HOSTS_CERT_AUTHORITY = 1, /* @cert-authority: a CA for host certificates */
	NS_KNOWN_HOSTS_REVOKED = 2,        /* @revoked: never accept this key */
};

typedef struct ns_known_hosts_entry {
	int marker;                    /* NS_KNOWN_HOSTS_* */
	ns_str patterns;               /* the host pattern field: a view into the line */
	uint8_t pk[NS_ED25519_PK_LEN]; /* the key when it is ssh-ed25519 */
	ns_pubkey key;                 /* the key, any type */
} ns_known_hosts_entry;

/* One line: [@marker] hostpatterns keytype base64 [comment].
 * Blank and comment lines give NS_ERR_NOTFOUND, key types we do not take
 * (RSA under 2048 bits included) NS_ERR_KEYTYPE, unknown markers and malformed lines NS_ERR_FORMAT.
 */
int ns_known_hosts_entry_parse(const char *line, size_t len, ns_known_hosts_entry *e);
/* The same for ssh-ed25519 host key lines only: marker lines give
 * NS_ERR_UNSUPPORTED, other key types NS_ERR_KEYTYPE. */
int ns_known_hosts_line_parse(const char *line, size_t len, ns_str *patterns,
                              uint8_t pk[NS_ED25519_PK_LEN]);

/* Does host (with port; 0 or 22 means the bare name) match the pattern list?
 * 1 or 0. Port 22 is looked up as "host", others as "[host]:port" only.
 * Supports * and ? wildcards, !negation (wins), and hashed names; the host is
 * compared in lower case, as ssh does. Unlike OpenSSH, which only knows a
 * hashed name as the whole field, a hashed name may also be a list element,
 * and be negated. */
int ns_known_hosts_match(ns_str patterns, const char *host, unsigned port);

/* Look the host key pk up for host in known_hosts text. NS_ERR_REVOKED when a
 * matching @revoked line lists pk (even if it is also listed plainly);
 * else 0 when a host key line lists pk; NS_ERR_HOSTKEY_CHANGED when host key
 * lines list only other ed25519 keys for it; else NS_ERR_HOSTKEY_UNKNOWN.
 * @cert-authority lines never make a host key known. */
int ns_known_hosts_check(const char *text, size_t len, const char *host, unsigned port,
                         const uint8_t pk[NS_ED25519_PK_LEN]);
/* The same for a key of any type; "changed" means lines of its type list
 * only other keys (a key of another type is unknown, not changed). */
int ns_known_hosts_check_key(const char *text, size_t len, const char *host, unsigned port,
                             const ns_pubkey *key);
int ns_known_hosts_check_ca_key(const char *text, size_t len, const char *host, unsigned port,
                                const ns_pubkey *ca);
int ns_known_hosts_revoked_key(const char *text, size_t len, const char *host, unsigned port,
                               const ns_pubkey *key);
/* Is ca_pk a certificate authority for host's certificates? 0 when a matching
 * @cert-authority line lists it, NS_ERR_REVOKED when a matching @revoked line
 * does (that wins), NS_ERR_NOTFOUND otherwise. */
int ns_known_hosts_check_ca(const char *text, size_t len, const char *host, unsigned port,
                            const uint8_t ca_pk[NS_ED25519_PK_LEN]);
/* NS_ERR_REVOKED when a matching @revoked line lists pk, else 0 (for the key
 * inside a host certificate, next to ns_known_hosts_check_ca for its CA). */
int ns_known_hosts_revoked(const char *text, size_t len, const char *host, unsigned port,
                           const uint8_t pk[NS_ED25519_PK_LEN]);

/* The line to append for host:port: "host ssh-ed25519 AAAA..." or
 * "[host]:port ssh-ed25519 AAAA...", host in lower case; NUL-terminated, no
 * newline. NS_ERR_INVALID for names that would be patterns or split the
 * line, NS_ERR_NOMEM when cap is too small. */
int ns_known_hosts_line(const char *host, unsigned port, const uint8_t pk[NS_ED25519_PK_LEN],
                        char *out, size_t cap);
int ns_known_hosts_line_key(const char *host, unsigned port, const ns_pubkey *key, char *out,
                            size_t cap);
/* The same with the name hashed, as `ssh-keygen -H` writes it. salt is
 * NS_KNOWN_HOSTS_SALT_LEN bytes, or NULL for a random one. */
int ns_known_hosts_line_hashed(const char *host, unsigned port, const uint8_t pk[NS_ED25519_PK_LEN],
                               const uint8_t *salt, char *out, size_t cap);
/* "@cert-authority patterns ssh-ed25519 AAAA..." (or @revoked, or no marker
 * for NS_KNOWN_HOSTS_PLAIN), patterns as given, e.g. "*.example.com" or
 * "[*.example.com]:*". NS_ERR_INVALID for an unknown marker or patterns that
 * are empty, hold blanks or control bytes, or start with '#' or '@'. */
int ns_known_hosts_marker_line(int marker, const char *patterns,
                               const uint8_t pk[NS_ED25519_PK_LEN], char *out, size_t cap);

/* Hashed names (cert/known_hosts_hash.c). */

/* "|1|salt|hash" for a lookup name ("host" or "[host]:port", hashed as
 * given), NUL-terminated. salt as above, or NULL for a random one. */
int ns_known_hosts_hash_name(const char *name, size_t len, const uint8_t *salt,
                             char out[NS_KNOWN_HOSTS_HASHED_MAX]);
/* Is pattern (a whole "|1|salt|hash") the hash of name? 1 or 0; malformed
 * patterns (salt not 20 bytes, bad base64) never match. */
int ns_known_hosts_hash_match(const char *pattern, size_t plen, const char *name, size_t nlen);

NS_END_DECLS

#endif
