/* authorized_keys text (sshd(8) AUTHORIZED_KEYS FILE FORMAT) for ssh-ed25519
 * keys: line parsing with sshd's options syntax, and lookups over the whole
 * text of a file that the caller has read. known_hosts is cert/known_hosts.c. */
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
	t = ns_text_token_len(line + i, len - i);
	if (!is_known_type(line + i, t)) {
		/* options keytype base64 [comment] */
		if ((o = options_len(line + i, len - i)) == 0) {
			goto out;
		}
		options->p = (const uint8_t *)line + i;
		options->len = o;
		i = ns_text_skip_blanks(line, len, i + o);
		if (!is_known_type(line + i, ns_text_token_len(line + i, len - i))) {
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
