/* authorized_keys text (sshd(8) AUTHORIZED_KEYS FILE FORMAT) for ssh-ed25519
 * keys and, through ns_pubkey, every key type core/pubkey.c knows: line parsing with sshd's options
 * syntax, and lookups over the whole text of a file that the caller has read. known_hosts is
 * cert/known_hosts.c. */
#include "nullspace/authfile.h"

#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "wire.h"
#include "text.h"

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
	size_t i = ns_text_skip_blanks(line, len, 0);

	*start = i;
	len = ns_text_trim_end(line, len);
	return i >= len || line[i] == '#';
}

/* One line only: no NUL, no line break before the trailing ones. */
static int is_one_line(const char *line, size_t len)
{
	len = ns_text_trim_end(line, len);
	return memchr(line, '\0', len) == NULL && memchr(line, '\n', len) == NULL;
}

/* Length of the options field at s: up to whitespace outside double quotes,
 * with \" not ending a quote (sshkey_advance_past_options). 0 when a quote is
 * left open. */
static size_t options_len(const char *s, size_t n)
{
	size_t i;
	int quoted = 0;

	for (i = 0; i < n && (quoted || !ns_text_blank(s[i])); i++) {
		if (s[i] == '\\' && i + 1 < n && s[i + 1] == '"') {
			i++;
		} else if (s[i] == '"') {
			quoted = !quoted;
		}
	}
	return quoted ? 0 : i;
}

/* Find where the key starts ([options] keytype base64 [comment]); 0 or
 * NS_ERR_NOTFOUND (blank, comment) or NS_ERR_FORMAT. */
static int split_line(const char *line, size_t len, size_t *key_at, ns_str *options)
{
	size_t i, t, o;

	options->p = NULL;
	options->len = 0;
	if (len == 0 || is_blank_or_comment(line, len, &i)) {
		return NS_ERR_NOTFOUND;
	}
	if (!is_one_line(line, len)) {
		return NS_ERR_FORMAT;
	}
	t = ns_text_token_len(line + i, len - i);
	if (!is_known_type(line + i, t)) {
		/* options keytype base64 [comment] */
		if ((o = options_len(line + i, len - i)) == 0) {
			return NS_ERR_FORMAT;
		}
		options->p = (const uint8_t *)line + i;
		options->len = o;
		i = ns_text_skip_blanks(line, len, i + o);
		if (!is_known_type(line + i, ns_text_token_len(line + i, len - i))) {
			options->p = NULL;
			options->len = 0;
			return NS_ERR_FORMAT;
		}
	}
	*key_at = i;
	return 0;
}

int ns_authkeys_line_parse(const char *line, size_t len, uint8_t pk[NS_ED25519_PK_LEN],
                           ns_str *options)
{
	size_t i = 0;
	int rc;

	memset(pk, 0, NS_ED25519_PK_LEN);
	if ((rc = split_line(line, len, &i, options)) == 0 &&
	    (rc = ns_key_from_line(line + i, len - i, pk, NULL)) != 0) {
		options->p = NULL;
		options->len = 0;
	}
	return rc;
}

int ns_authkeys_line_parse_key(const char *line, size_t len, ns_pubkey *key, ns_str *options)
{
	size_t i = 0;
	int rc;

	memset(key, 0, sizeof(*key));
	if ((rc = split_line(line, len, &i, options)) == 0 &&
	    (rc = ns_pubkey_from_line(line + i, len - i, key, NULL)) != 0) {
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

typedef struct find_key {
	const ns_pubkey *key;
	int no_touch; /* the matching line says no-touch-required */
} find_key;

/* Like authkeys_line for a key of any type; the one option taken is
 * no-touch-required alone (FIDO keys without a touch), which the caller
 * enforces: any other options field still fails closed. */
static int authkeys_line_key(const char *line, size_t len, void *ctx)
{
	find_key *f = ctx;
	ns_pubkey k;
	ns_str options;

	if (ns_authkeys_line_parse_key(line, len, &k, &options) != 0 ||
	    !ns_pubkey_equal(&k, f->key)) {
		return 0;
	}
	if (options.len == 0) {
		return 1;
	}
	if (ns_str_eq(options, "no-touch-required")) {
		f->no_touch = 1;
		return 1;
	}
	return 0;
}

int ns_authkeys_find_key(const char *text, size_t len, const ns_pubkey *key, int *no_touch)
{
	find_key f = {key, 0};
	int rc = each_line(text, len, authkeys_line_key, &f) == 1 ? 0 : NS_ERR_NOTFOUND;

	if (no_touch != NULL) {
		*no_touch = rc == 0 && f.no_touch;
	}
	return rc;
}
