/* Certificate revocation list in a small text format (docs/certificates.md):
 * serials and serial ranges, key ids, and public keys of any type (a certificate's
 * key or a CA key). A malformed line invalidates the whole list, so that a
 * typo can never silently un-revoke anything: the check then refuses. */
#include "nullspace/cert.h"

#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "wire.h"

/* "key: " and a public key line with a comment, or "id: " and a key id */
#define REVOKED_LINE_MAX (NS_KEY_LINE_MAX + NS_CERT_KEY_ID_MAX)
#define U64_DIGITS_MAX 20

enum kind { R_NONE, R_SERIAL, R_ID, R_KEY };

typedef struct entry {
	int kind;
	uint64_t lo, hi; /* R_SERIAL: lo..hi inclusive */
	ns_str id;       /* R_ID */
	ns_pubkey key;   /* R_KEY: any key type */
} entry;

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trim whitespace at both ends of s[0..*n); returns the new start. */
static const char *trim(const char *s, size_t *n)
{
	while (*n > 0 && is_space(s[0])) {
		s++;
		(*n)--;
	}
	while (*n > 0 && is_space(s[*n - 1])) {
		(*n)--;
	}
	return s;
}

/* Decimal, digits only, no overflow. */
static int parse_u64(const char *s, size_t n, uint64_t *v)
{
	size_t i;
	unsigned d;

	*v = 0;
	if (n == 0 || n > U64_DIGITS_MAX) {
		return NS_ERR_FORMAT;
	}
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return NS_ERR_FORMAT;
		}
		d = (unsigned)(s[i] - '0');
		if (*v > (UINT64_MAX - d) / 10) {
			return NS_ERR_FORMAT;
		}
		*v = *v * 10 + d;
	}
	return 0;
}

/* "42" or "100-200". Serial 0 means "no serial" (ssh-keygen's default), so
 * it cannot be revoked by serial: revoke such certificates by id or key. */
static int parse_serials(const char *s, size_t n, entry *e)
{
	const char *dash = memchr(s, '-', n);
	size_t k = dash != NULL ? (size_t)(dash - s) : n;

	if (parse_u64(s, k, &e->lo) != 0) {
		return NS_ERR_FORMAT;
	}
	e->hi = e->lo;
	if (dash != NULL && parse_u64(dash + 1, n - k - 1, &e->hi) != 0) {
		return NS_ERR_FORMAT;
	}
	if (e->lo == 0 || e->lo > e->hi) {
		return NS_ERR_FORMAT;
	}
	e->kind = R_SERIAL;
	return 0;
}

static int keyword(const char *s, size_t n, const char *kw, const char **val, size_t *vlen)
{
	size_t k = strlen(kw);

	if (n <= k || memcmp(s, kw, k) != 0 || s[k] != ':') {
		return 0;
	}
	*vlen = n - k - 1;
	*val = trim(s + k + 1, vlen);
	return 1;
}

static int parse_line(const char *line, size_t len, entry *e)
{
	const char *v;
	size_t n;

	memset(e, 0, sizeof(*e));
	if (len > REVOKED_LINE_MAX) {
		return NS_ERR_FORMAT;
	}
	line = trim(line, &len);
	if (len > 0 && (memchr(line, '\0', len) != NULL || memchr(line, '\n', len) != NULL ||
	                memchr(line, '\r', len) != NULL)) {
		return NS_ERR_FORMAT; /* one line, no NUL */
	}
	if (len == 0 || line[0] == '#') {
		return 0; /* blank or comment */
	}
	if (keyword(line, len, "serial", &v, &n)) {
		return parse_serials(v, n, e);
	}
	if (keyword(line, len, "id", &v, &n)) {
		if (n == 0 || n > NS_CERT_KEY_ID_MAX) {
			return NS_ERR_FORMAT;
		}
		e->id.p = (const uint8_t *)v;
		e->id.len = n;
		e->kind = R_ID;
		return 0;
	}
	if (keyword(line, len, "key", &v, &n)) {
		e->kind = R_KEY;
		return n > 0 && ns_pubkey_from_line(v, n, &e->key, NULL) == 0 ? 0 : NS_ERR_FORMAT;
	}
	return NS_ERR_FORMAT;
}

int ns_revoked_line_parse(const char *line, size_t len)
{
	entry e;

	return parse_line(line, len, &e);
}

/* The certificate's own key or its CA key (public keys: no constant time). */
static int key_revoked(const ns_pubkey *k, const ns_cert *c)
{
	ns_pubkey other;

	return (ns_cert_pubkey(c, &other) == 0 && ns_pubkey_equal(k, &other)) ||
	       (ns_cert_ca_pubkey(c, &other) == 0 && ns_pubkey_equal(k, &other));
}

static int revokes(const entry *e, const ns_cert *c)
{
	switch (e->kind) {
	case R_SERIAL:
		return c->serial >= e->lo && c->serial <= e->hi ? NS_CERT_REVOKED_SERIAL
		                                                : NS_CERT_OK;
	case R_ID:
		return e->id.len == c->key_id.len && memcmp(e->id.p, c->key_id.p, e->id.len) == 0
		           ? NS_CERT_REVOKED_KEY_ID
		           : NS_CERT_OK;
	case R_KEY: return key_revoked(&e->key, c) ? NS_CERT_REVOKED_KEY : NS_CERT_OK;
	default: return NS_CERT_OK;
	}
}

int ns_revoked_check(const char *text, size_t len, const ns_cert *c, int *reason)
{
	const char *nl;
	size_t i = 0, end;
	entry e;
	int why = NS_CERT_OK;

	while (i < len) {
		nl = memchr(text + i, '\n', len - i);
		end = nl != NULL ? (size_t)(nl - text) : len;
		if (parse_line(text + i, end - i, &e) != 0) {
			why = NS_CERT_MALFORMED; /* the whole list is void: refuse */
			break;
		}
		if (why == NS_CERT_OK) {
			why = revokes(&e, c);
		}
		i = end + 1;
	}
	if (reason != NULL) {
		*reason = why;
	}
	return why == NS_CERT_OK ? 0 : NS_ERR_AUTH;
}
