/* authorized_keys and known_hosts text (sshd(8) AUTHORIZED_KEYS FILE FORMAT,
 * SSH_KNOWN_HOSTS FILE FORMAT) for ssh-ed25519 keys: line parsing, host
 * pattern matching as OpenSSH's match_hostname does it, and lookups over the
 * whole text of a file that the caller has read. */
#include "nullspace/authfile.h"

#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "wire.h"

#define DEFAULT_PORT 22
#define HOST_MAX 1025                 /* NI_MAXHOST */
#define HOST_PORT_MAX (HOST_MAX + 16) /* "[" host "]:" port */
#define PATTERN_MAX 1024              /* longer single patterns never match, as in OpenSSH */

/* Key type names OpenSSH knows (sshkey.c). A first token that is one of these
 * starts the key; anything else is the options field. */
static const char *const known_types[] = {
    "ssh-ed25519",
    "ssh-ed25519-cert-v01@openssh.com",
    "sk-ssh-ed25519@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
    "ssh-rsa",
    "ssh-rsa-cert-v01@openssh.com",
    "rsa-sha2-256",
    "rsa-sha2-512",
    "rsa-sha2-256-cert-v01@openssh.com",
    "rsa-sha2-512-cert-v01@openssh.com",
    "ssh-dss",
    "ssh-dss-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ssh-xmss@openssh.com",
    "ssh-xmss-cert-v01@openssh.com",
};

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
	while (i < n && is_space(s[i])) {
		i++;
	}
	return i;
}

static size_t token_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && !is_space(s[i])) {
		i++;
	}
	return i;
}

/* len without trailing blanks and line ends. */
static size_t trim_end(const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n' || is_space(s[len - 1]))) {
		len--;
	}
	return len;
}

static int is_known_type(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(known_types) / sizeof(known_types[0]); i++) {
		if (strlen(known_types[i]) == n && memcmp(known_types[i], s, n) == 0) {
			return 1;
		}
	}
	return 0;
}

/* Blank line (only whitespace) or a '#' comment. */
static int is_blank_or_comment(const char *line, size_t len, size_t *start)
{
	size_t i = skip_space(line, len, 0);

	*start = i;
	len = trim_end(line, len);
	return i >= len || line[i] == '#';
}

/* One line only: no NUL, no line break before the trailing ones. */
static int is_one_line(const char *line, size_t len)
{
	len = trim_end(line, len);
	return memchr(line, '\0', len) == NULL && memchr(line, '\n', len) == NULL;
}

/* Length of the options field at s: up to whitespace outside double quotes,
 * with \" not ending a quote (sshkey_advance_past_options). 0 when a quote is
 * left open. */
static size_t options_len(const char *s, size_t n)
{
	size_t i;
	int quoted = 0;

	for (i = 0; i < n && (quoted || !is_space(s[i])); i++) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == '"') {
			i++;
		} else if (s[i] == '"') {
			quoted = !quoted;
		}
	}
	return quoted ? 0 : i;
}

int ns_authkeys_line_parse(const char *line, size_t len, uint8_t pk[NS_ED25519_PK_LEN],
                           ns_str *options)
{
	size_t i, t, o;
	int rc = NS_ERR_NOTFOUND;

	memset(pk, 0, NS_ED25519_PK_LEN);
	options->p = NULL;
	options->len = 0;
	if (len == 0 || is_blank_or_comment(line, len, &i)) {
		goto out;
	}
	rc = NS_ERR_FORMAT;
	if (!is_one_line(line, len)) {
		goto out;
	}
	t = token_len(line + i, len - i);
	if (!is_known_type(line + i, t)) {
		/* options keytype base64 [comment] */
		if ((o = options_len(line + i, len - i)) == 0) {
			goto out;
		}
		options->p = (const uint8_t *)line + i;
		options->len = o;
		i = skip_space(line, len, i + o);
		if (!is_known_type(line + i, token_len(line + i, len - i))) {
			goto out;
		}
	}
	rc = ns_key_from_line(line + i, len - i, pk, NULL);
out:
	if (rc != 0) {
		options->p = NULL;
		options->len = 0;
	}
	return rc;
}

/* Call fn on each line of text that is not over NS_AUTHFILE_LINE_MAX; stop
 * when it returns nonzero and give that back. */
typedef int (*line_fn)(const char *line, size_t len, void *ctx);

static int each_line(const char *text, size_t len, line_fn fn, void *ctx)
{
	size_t pos = 0, end;
	int rc;

	while (pos < len) {
		end = pos;
		while (end < len && text[end] != '\n') {
			end++;
		}
		if (end - pos <= NS_AUTHFILE_LINE_MAX &&
		    (rc = fn(text + pos, end - pos, ctx)) != 0) {
			return rc;
		}
		pos = end + 1;
	}
	return 0;
}

static int authkeys_line(const char *line, size_t len, void *ctx)
{
	uint8_t pk[NS_ED25519_PK_LEN];
	ns_str options;

	if (ns_authkeys_line_parse(line, len, pk, &options) != 0) {
		return 0;
	}
	/* Fail closed: this interface cannot hand the options (from=, command=,
	 * restrict, ...) to the caller to enforce, so a key listed with options
	 * is not accepted here rather than accepted without its restrictions. */
	if (options.len != 0) {
		return 0;
	}
	return sodium_memcmp(pk, ctx, NS_ED25519_PK_LEN) == 0;
}

int ns_authkeys_find(const char *text, size_t len, const uint8_t pk[NS_ED25519_PK_LEN])
{
	return each_line(text, len, authkeys_line, (void *)pk) == 1 ? 0 : NS_ERR_NOTFOUND;
}

/* Marker lines (@cert-authority, @revoked) are not supported yet: they are
 * reported as NS_ERR_UNSUPPORTED and skipped by ns_known_hosts_check. A later
 * change adds them; until then a key listed only as @revoked is not refused
 * on that ground. */
int ns_known_hosts_line_parse(const char *line, size_t len, ns_str *patterns,
                              uint8_t pk[NS_ED25519_PK_LEN])
{
	size_t i, t;
	int rc = NS_ERR_NOTFOUND;

	memset(pk, 0, NS_ED25519_PK_LEN);
	patterns->p = NULL;
	patterns->len = 0;
	if (len == 0 || is_blank_or_comment(line, len, &i)) {
		goto out;
	}
	if (line[i] == '@') {
		rc = NS_ERR_UNSUPPORTED;
		goto out;
	}
	if (!is_one_line(line, len)) {
		rc = NS_ERR_FORMAT;
		goto out;
	}
	t = token_len(line + i, len - i); /* hostpatterns */
	if ((rc = ns_key_from_line(line + i + t, len - i - t, pk, NULL)) != 0) {
		goto out;
	}
	if (t == 0 || !is_space(line[i + t])) {
		rc = NS_ERR_FORMAT;
		memset(pk, 0, NS_ED25519_PK_LEN);
		goto out;
	}
	patterns->p = (const uint8_t *)line + i;
	patterns->len = t;
out:
	return rc;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
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

/* OpenSSH's match_pattern_list: 1 on a positive match, -1 when a negated
 * pattern matches (negation wins), 0 otherwise. Hashed entries (|1|salt|hash)
 * are not supported yet and never match. */
static int pattern_list_match(ns_str list, const char *s, size_t sn)
{
	const char *p = (const char *)list.p;
	size_t i = 0, start, n;
	int neg, got = 0;

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
		if (n == 0 || n >= PATTERN_MAX || p[start] == '|') {
			continue;
		}
		if (glob_match(p + start, n, s, sn)) {
			if (neg) {
				return -1;
			}
			got = 1;
		}
	}
	return got;
}

/* The name ssh looks up: host for port 22 (or 0), else "[host]:port".
 * hn < HOST_MAX; out has HOST_PORT_MAX bytes. Returns the length. */
static size_t lookup_name(const char *host, size_t hn, unsigned port, char *out)
{
	char digits[10];
	size_t n = 0, d = 0;

	if (port == 0 || port == DEFAULT_PORT) {
		memcpy(out, host, hn);
		return hn;
	}
	out[n++] = '[';
	memcpy(out + n, host, hn);
	n += hn;
	out[n++] = ']';
	out[n++] = ':';
	do {
		digits[d++] = (char)('0' + port % 10);
		port /= 10;
	} while (port != 0 && d < sizeof(digits));
	while (d > 0) {
		out[n++] = digits[--d];
	}
	return n;
}

/* Like OpenSSH, port 22 is looked up as the bare name and any other port only
 * as [host]:port. */
int ns_known_hosts_match(ns_str patterns, const char *host, unsigned port)
{
	char name[HOST_PORT_MAX];
	size_t hn = host != NULL ? strnlen(host, HOST_MAX) : 0;

	if (hn == 0 || hn >= HOST_MAX) {
		return 0;
	}
	return pattern_list_match(patterns, name, lookup_name(host, hn, port, name)) == 1;
}

struct kh_ctx {
	const char *host;
	unsigned port;
	const uint8_t *pk;
	int seen_other;
};

static int known_hosts_line(const char *line, size_t len, void *vctx)
{
	struct kh_ctx *c = vctx;
	uint8_t pk[NS_ED25519_PK_LEN];
	ns_str patterns;

	/* Comments, markers, other key types and malformed lines are skipped,
	 * as ssh does. */
	if (ns_known_hosts_line_parse(line, len, &patterns, pk) != 0 ||
	    !ns_known_hosts_match(patterns, c->host, c->port)) {
		return 0;
	}
	if (sodium_memcmp(pk, c->pk, NS_ED25519_PK_LEN) == 0) {
		return 1;
	}
	c->seen_other = 1;
	return 0;
}

int ns_known_hosts_check(const char *text, size_t len, const char *host, unsigned port,
                         const uint8_t pk[NS_ED25519_PK_LEN])
{
	struct kh_ctx c = {host, port, pk, 0};

	if (each_line(text, len, known_hosts_line, &c) == 1) {
		return 0;
	}
	return c.seen_other ? NS_ERR_HOSTKEY_CHANGED : NS_ERR_HOSTKEY_UNKNOWN;
}

/* A name we can write as a pattern that matches only itself. */
static int host_ok(const char *host)
{
	size_t i, n = host != NULL ? strnlen(host, HOST_MAX) : 0;

	if (n == 0 || n >= HOST_MAX || host[0] == '#' || host[0] == '@' || host[0] == '|' ||
	    host[0] == '!') {
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

/* "host ssh-ed25519 AAAA..." or "[host]:port ssh-ed25519 AAAA...", host in
 * lower case as ssh writes it; no trailing newline. */
int ns_known_hosts_line(const char *host, unsigned port, const uint8_t pk[NS_ED25519_PK_LEN],
                        char *out, size_t cap)
{
	char name[HOST_PORT_MAX];
	size_t i, n;
	int rc = NS_ERR_INVALID;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (!host_ok(host) || port > 65535) {
		goto out;
	}
	n = lookup_name(host, strlen(host), port, name);
	for (i = 0; i < n; i++) {
		name[i] = lower(name[i]);
	}
	rc = NS_ERR_NOMEM;
	if (n + 1 >= cap) {
		goto out;
	}
	memcpy(out, name, n);
	out[n] = ' ';
	if ((rc = ns_key_to_line(pk, NULL, out + n + 1, cap - n - 1)) != 0) {
		out[0] = '\0';
	}
out:
	return rc;
}
