/* known_hosts text (sshd(8) SSH_KNOWN_HOSTS FILE FORMAT) for the key types
 * of core/pubkey.c (ed25519, ecdsa-sha2-nistp256, RSA 2048..8192, sk-*):
 * lines with their @cert-authority/@revoked marker, host pattern matching as
 * OpenSSH's match_hostname does it (plus hashed names), lookups over the whole
 * text of a file that the caller has read, and the lines we write. */
#include "nullspace/known_hosts.h"

#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "nullspace/pubkey.h"
#include "text.h"

#define DEFAULT_PORT 22
#define PORT_MAX 65535
#define HOST_MAX 1025                 /* NI_MAXHOST */
#define HOST_PORT_MAX (HOST_MAX + 16) /* "[" host "]:" port */
#define PATTERN_MAX 1024              /* longer single patterns never match, as in OpenSSH */
#define NMARKERS 3

/* Indexed by NS_KNOWN_HOSTS_*; each is followed by a blank on the line. */
static const char *const markers[NMARKERS] = {"", "@cert-authority", "@revoked"};

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The marker token at s (t bytes): its NS_KNOWN_HOSTS_* or -1. */
static int marker_of(const char *s, size_t t)
{
	int m;

	for (m = 1; m < NMARKERS; m++) {
		if (strlen(markers[m]) == t && memcmp(markers[m], s, t) == 0) {
			return m;
		}
	}
	return -1;
}

int ns_known_hosts_entry_parse(const char *line, size_t len, ns_known_hosts_entry *e)
{
	size_t i, t, end;
	int rc = NS_ERR_NOTFOUND;

	memset(e, 0, sizeof(*e));
	end = ns_text_trim_end(line, len);
	i = ns_text_skip_blanks(line, end, 0);
	if (i >= end || line[i] == '#') {
		goto out;
	}
	rc = NS_ERR_FORMAT;
	if (memchr(line, '\0', end) != NULL || memchr(line, '\n', end) != NULL) {
		goto out; /* one line only */
	}
	if (line[i] == '@') {
		t = ns_text_token_len(line + i, end - i);
		if ((e->marker = marker_of(line + i, t)) < 0) {
			goto out;
		}
		i = ns_text_skip_blanks(line, end, i + t);
	}
	t = ns_text_token_len(line + i, end - i); /* hostpatterns */
	if (t == 0 || i + t >= end) {
		goto out;
	}
	if ((rc = ns_pubkey_from_line(line + i + t, end - i - t, &e->key, NULL)) != 0) {
		rc = rc == NS_ERR_LIMIT ? NS_ERR_KEYTYPE : rc; /* an RSA key we never take */
		goto out;
	}
	if (e->key.type == NS_PK_ED25519) {
		memcpy(e->pk, e->key.blob + e->key.blob_len - NS_ED25519_PK_LEN, NS_ED25519_PK_LEN);
	}
	e->patterns.p = (const uint8_t *)line + i;
	e->patterns.len = t;
out:
	if (rc != 0) {
		memset(e, 0, sizeof(*e));
	}
	return rc;
}

int ns_known_hosts_line_parse(const char *line, size_t len, ns_str *patterns,
                              uint8_t pk[NS_ED25519_PK_LEN])
{
	ns_known_hosts_entry e;
	int rc = ns_known_hosts_entry_parse(line, len, &e);

	if (rc == 0 && e.marker != NS_KNOWN_HOSTS_PLAIN) {
		rc = NS_ERR_UNSUPPORTED;
		memset(&e, 0, sizeof(e));
	}
	if (rc == 0 && e.key.type != NS_PK_ED25519) {
		rc = NS_ERR_KEYTYPE; /* this form gives an ed25519 key only */
		memset(&e, 0, sizeof(e));
	}
	*patterns = e.patterns;
	memcpy(pk, e.pk, NS_ED25519_PK_LEN);
	return rc;
}

/* Glob match of s against pattern p (* and ?), ASCII case-insensitive.
 * Iterative with one backtrack point, so linear in practice and never deep. */
static int glob_match(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;

	while (si < sn) {
		if (pi < pn && p[pi] == '*') {
			star_p = pi++;
			star_s = si;
		} else if (pi < pn && (p[pi] == '?' || lower(p[pi]) == lower(s[si]))) {
			pi++;
			si++;
		} else if (star_p != SIZE_MAX) {
			pi = star_p + 1;
			si = ++star_s;
		} else {
			return 0;
		}
	}
	while (pi < pn && p[pi] == '*') {
		pi++;
	}
	return pi == pn;
}

/* OpenSSH's match_pattern_list over the lower-case lookup name s: 1 on a
 * positive match, -1 when a negated pattern matches (negation wins), 0
 * otherwise. Elements starting with '|' are hashed names. */
static int pattern_list_match(ns_str list, const char *s, size_t sn)
{
	const char *p = (const char *)list.p;
	size_t i = 0, start, n;
	int neg, hit, got = 0;

	while (i < list.len) {
		start = i;
		while (i < list.len && p[i] != ',') {
			i++;
		}
		n = i - start;
		i++;
		neg = n > 0 && p[start] == '!';
		if (neg) {
			start++;
			n--;
		}
		if (n == 0 || n >= PATTERN_MAX) {
			continue;
		}
		hit = p[start] == '|' ? ns_known_hosts_hash_match(p + start, n, s, sn)
		                      : glob_match(p + start, n, s, sn);
		if (hit && neg) {
			return -1;
		}
		got |= hit;
	}
	return got;
}

/* The name ssh looks up, in lower case: host for port 22 (or 0), else
 * "[host]:port". NS_ERR_INVALID for an empty or over-long host or a port
 * over 65535; out has HOST_PORT_MAX bytes. */
static int lookup_name(const char *host, unsigned port, char *out, size_t *outlen)
{
	char digits[8];
	size_t i, n = 0, d = 0, hn = host != NULL ? strnlen(host, HOST_MAX) : 0;

	*outlen = 0;
	if (hn == 0 || hn >= HOST_MAX || port > PORT_MAX) {
		return NS_ERR_INVALID;
	}
	if (port != 0 && port != DEFAULT_PORT) {
		out[n++] = '[';
	}
	for (i = 0; i < hn; i++) {
		out[n++] = lower(host[i]);
	}
	if (port != 0 && port != DEFAULT_PORT) {
		out[n++] = ']';
		out[n++] = ':';
		do {
			digits[d++] = (char)('0' + port % 10);
			port /= 10;
		} while (port != 0);
		while (d > 0) {
			out[n++] = digits[--d];
		}
	}
	*outlen = n;
	return 0;
}

int ns_known_hosts_match(ns_str patterns, const char *host, unsigned port)
{
	char name[HOST_PORT_MAX];
	size_t n;

	if (lookup_name(host, port, name, &n) != 0) {
		return 0;
	}
	return pattern_list_match(patterns, name, n) == 1;
}

/* What the lines matching one host say about one key, by marker. */
typedef struct tally {
	unsigned same[NMARKERS];  /* lines listing the key */
	unsigned other[NMARKERS]; /* lines listing another key of its type */
} tally;

/* Comments, other key types, unknown markers, malformed and over-long lines
 * are skipped, as ssh does. */
static void count_lines(const char *text, size_t len, const char *host, unsigned port,
                        const ns_pubkey *key, tally *t)
{
	ns_known_hosts_entry e;
	char name[HOST_PORT_MAX];
	size_t pos = 0, end, n;

	memset(t, 0, sizeof(*t));
	if (lookup_name(host, port, name, &n) != 0) {
		return;
	}
	while (pos < len) {
		end = pos;
		while (end < len && text[end] != '\n') {
			end++;
		}
		if (end - pos <= NS_KNOWN_HOSTS_LINE_MAX &&
		    ns_known_hosts_entry_parse(text + pos, end - pos, &e) == 0 &&
		    pattern_list_match(e.patterns, name, n) == 1) {
			if (ns_pubkey_equal(&e.key, key)) {
				t->same[e.marker]++;
			} else if (e.key.type == key->type) {
				t->other[e.marker]++;
			}
		}
		pos = end + 1;
	}
}

/* Tally the lines naming host for key; a @revoked line for it wins over
 * everything else (NS_ERR_REVOKED). */
static int tally_unrevoked(const char *text, size_t len, const char *host, unsigned port,
                           const ns_pubkey *key, tally *t)
{
	count_lines(text, len, host, port, key, t);
	return t->same[NS_KNOWN_HOSTS_REVOKED] != 0 ? NS_ERR_REVOKED : 0;
}

/* An ed25519 key as a ns_pubkey (for the pk[32] forms). */
static void ed_key(const uint8_t pk[NS_ED25519_PK_LEN], ns_pubkey *k)
{
	uint8_t blob[NS_KEY_BLOB_LEN];

	ns_key_blob(pk, blob);
	if (ns_pubkey_from_blob(blob, sizeof(blob), k, NULL) != 0) {
		memset(k, 0, sizeof(*k)); /* cannot happen: we wrote the blob */
	}
}

int ns_known_hosts_check_key(const char *text, size_t len, const char *host, unsigned port,
                             const ns_pubkey *key)
{
	tally t;
	int rc;

	if ((rc = tally_unrevoked(text, len, host, port, key, &t)) != 0) {
		return rc;
	}
	if (t.same[NS_KNOWN_HOSTS_PLAIN] != 0) {
		return 0;
	}
	return t.other[NS_KNOWN_HOSTS_PLAIN] != 0 ? NS_ERR_HOSTKEY_CHANGED : NS_ERR_HOSTKEY_UNKNOWN;
}

int ns_known_hosts_check(const char *text, size_t len, const char *host, unsigned port,
                         const uint8_t pk[NS_ED25519_PK_LEN])
{
	ns_pubkey k;

	ed_key(pk, &k);
	return ns_known_hosts_check_key(text, len, host, port, &k);
}

int ns_known_hosts_check_ca_key(const char *text, size_t len, const char *host, unsigned port,
                                const ns_pubkey *ca)
{
	tally t;
	int rc;

	if ((rc = tally_unrevoked(text, len, host, port, ca, &t)) != 0) {
		return rc;
	}
	return t.same[NS_KNOWN_HOSTS_CERT_AUTHORITY] != 0 ? 0 : NS_ERR_NOTFOUND;
}

int ns_known_hosts_check_ca(const char *text, size_t len, const char *host, unsigned port,
                            const uint8_t ca_pk[NS_ED25519_PK_LEN])
{
	ns_pubkey k;

	ed_key(ca_pk, &k);
	return ns_known_hosts_check_ca_key(text, len, host, port, &k);
}

int ns_known_hosts_revoked_key(const char *text, size_t len, const char *host, unsigned port,
                               const ns_pubkey *key)
{
	tally t;

	return tally_unrevoked(text, len, host, port, key, &t);
}

int ns_known_hosts_revoked(const char *text, size_t len, const char *host, unsigned port,
                           const uint8_t pk[NS_ED25519_PK_LEN])
{
	ns_pubkey k;

	ed_key(pk, &k);
	return ns_known_hosts_revoked_key(text, len, host, port, &k);
}

/* A name we can write as a pattern that matches only itself. */
static int host_ok(const char *host)
{
	size_t i, n = host != NULL ? strnlen(host, HOST_MAX) : 0;

	if (n == 0 || n >= HOST_MAX || strchr("#@|!", host[0]) != NULL) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)host[i];

		if (ch <= 0x20 || ch >= 0x7f || strchr(",*?[]\"", ch) != NULL) {
			return 0;
		}
	}
	return 1;
}

/* [marker ' '] patterns ' ' keyline into out; out is "" on failure. */
static int write_line(int marker, const char *pat, size_t pn, const ns_pubkey *key, char *out,
                      size_t cap)
{
	size_t m = marker != NS_KNOWN_HOSTS_PLAIN ? strlen(markers[marker]) + 1 : 0;
	int rc = NS_ERR_NOMEM;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (m + pn + 1 >= cap) {
		goto out;
	}
	memcpy(out, markers[marker], m);
	if (m > 0) {
		out[m - 1] = ' ';
	}
	memcpy(out + m, pat, pn);
	out[m + pn] = ' ';
	if ((rc = ns_pubkey_to_line(key, NULL, out + m + pn + 1, cap - m - pn - 1)) != 0) {
		out[0] = '\0';
	}
out:
	return rc;
}

int ns_known_hosts_line(const char *host, unsigned port, const uint8_t pk[NS_ED25519_PK_LEN],
                        char *out, size_t cap)
{
	ns_pubkey k;

	ed_key(pk, &k);
	return ns_known_hosts_line_key(host, port, &k, out, cap);
}

int ns_known_hosts_line_key(const char *host, unsigned port, const ns_pubkey *key, char *out,
                            size_t cap)
{
	char name[HOST_PORT_MAX];
	size_t n;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (!host_ok(host) || lookup_name(host, port, name, &n) != 0) {
		return NS_ERR_INVALID;
	}
	return write_line(NS_KNOWN_HOSTS_PLAIN, name, n, key, out, cap);
}

int ns_known_hosts_line_hashed(const char *host, unsigned port, const uint8_t pk[NS_ED25519_PK_LEN],
                               const uint8_t *salt, char *out, size_t cap)
{
	char name[HOST_PORT_MAX], hashed[NS_KNOWN_HOSTS_HASHED_MAX];
	ns_pubkey k;
	size_t n;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (!host_ok(host) || lookup_name(host, port, name, &n) != 0 ||
	    ns_known_hosts_hash_name(name, n, salt, hashed) != 0) {
		return NS_ERR_INVALID;
	}
	ed_key(pk, &k);
	return write_line(NS_KNOWN_HOSTS_PLAIN, hashed, strlen(hashed), &k, out, cap);
}

int ns_known_hosts_marker_line(int marker, const char *patterns,
                               const uint8_t pk[NS_ED25519_PK_LEN], char *out, size_t cap)
{
	size_t i, n = patterns != NULL ? strnlen(patterns, NS_KNOWN_HOSTS_LINE_MAX) : 0;
	ns_pubkey k;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (marker < 0 || marker >= NMARKERS || n == 0 || n >= NS_KNOWN_HOSTS_LINE_MAX ||
	    patterns[0] == '#' || patterns[0] == '@') {
		return NS_ERR_INVALID;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)patterns[i] <= 0x20 || (unsigned char)patterns[i] >= 0x7f) {
			return NS_ERR_INVALID;
		}
	}
	ed_key(pk, &k);
	return write_line(marker, patterns, n, &k, out, cap);
}
