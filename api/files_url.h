/* Signed Files API URLs: a bearer credential for one method (GET or PUT) on
 * one path of one sandbox until an expiry, usable without an API key:
 *   http://HOST:PORT/v1/files/signed?sandbox=SB&method=GET&exp=UNIX&path=P&sig=HEX
 * sig = HMAC-SHA256(secret, "nullspace-files-v1\n" SB "\n" METHOD "\n" EXP
 * "\n" PATH). Pure functions: the secret and the clock come from the caller;
 * never log a URL or its sig. */
#ifndef NS_API_FILES_URL_H
#define NS_API_FILES_URL_H

#include <stddef.h>
#include <stdint.h>

#include "files_path.h"
#include "registry.h"

#define NS_FILES_URL_CONTEXT "nullspace-files-v1\n"
#define NS_FILES_SIG_LEN 32        /* HMAC-SHA256 */
#define NS_FILES_SECRET_LEN 32     /* bytes of the server's secret */
#define NS_FILES_URL_MINUTES_MIN 1 /* expires_in_minutes accepted by the API */
#define NS_FILES_URL_MINUTES_MAX 1440
#define NS_FILES_URL_MINUTES_DEFAULT 10
/* The furthest ahead an exp may lie when checked (the API mints at most a
 * day): a URL signed for longer is refused. */
#define NS_FILES_URL_LIFETIME_MAX (24 * 3600)
#define NS_FILES_URL_MAX (3 * NS_FILES_PATH_MAX + 512) /* a whole URL */
#define NS_FILES_QUERY_MAX (3 * NS_FILES_PATH_MAX + 256)

typedef struct ns_files_url {
	char sandbox[NS_SANDBOX_ID_MAX + 1];
	char method[4]; /* "GET" or "PUT" */
	uint64_t exp;
	char path[NS_FILES_PATH_MAX + 1]; /* as signed (NUL-free) */
	uint8_t sig[NS_FILES_SIG_LEN];
	unsigned have; /* bit per field set */
} ns_files_url;

/* Why a signed URL is refused: a one-line reason and an HTTP status. */
typedef enum ns_files_refusal {
	NS_FILES_URL_OK = 0,
	NS_FILES_URL_MALFORMED, /* 400: a field missing, repeated or bad */
	NS_FILES_URL_BAD_SIG,   /* 403: the HMAC does not match */
	NS_FILES_URL_EXPIRED,   /* 403: exp is in the past */
	NS_FILES_URL_TOO_LONG,  /* 403: exp is over NS_FILES_URL_LIFETIME_MAX ahead */
	NS_FILES_URL_METHOD,    /* 403: signed for another method */
} ns_files_refusal;

int ns_files_refusal_status(ns_files_refusal r);
/* "expired", "bad-signature", ...: the log's reason= and the error text. */
const char *ns_files_refusal_name(ns_files_refusal r);
const char *ns_files_refusal_message(ns_files_refusal r);

/* One query field (key, decoded value of vlen bytes): 0, or NS_ERR_FORMAT
 * for a bad or repeated value; unknown keys are ignored. */
int ns_files_url_field(ns_files_url *u, const char *key, const char *val, size_t vlen);
/* A raw query string ("a=b&c=d", percent-encoded): 0 or NS_ERR_FORMAT. */
int ns_files_url_parse_query(const char *q, size_t len, ns_files_url *u);

/* The signature of (sandbox, method, exp, path): 0 or NS_ERR_INVALID. */
int ns_files_url_sign(const uint8_t secret[NS_FILES_SECRET_LEN], const char *sandbox,
                      const char *method, uint64_t exp, const char *path,
                      uint8_t sig[NS_FILES_SIG_LEN]);
/* Check a parsed URL for a request of method at now (constant-time compare). */
ns_files_refusal ns_files_url_verify(const ns_files_url *u,
                                     const uint8_t secret[NS_FILES_SECRET_LEN], const char *method,
                                     uint64_t now);
/* base ("http://HOST:PORT") + the signed route and query for these fields:
 * 0 or NS_ERR_TOOBIG / NS_ERR_INVALID. */
int ns_files_url_format(const char *base, const uint8_t secret[NS_FILES_SECRET_LEN],
                        const char *sandbox, const char *method, uint64_t exp, const char *path,
                        char *out, size_t cap);

#endif
