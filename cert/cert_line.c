/* Text form of a certificate, as in ssh-keygen's -cert.pub files and
 * authorized_keys/known_hosts: "ssh-ed25519-cert-v01@openssh.com BASE64
 * [comment]". Reading decodes the blob only; ns_cert_parse judges it. */
#include "nullspace/cert.h"

#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "text.h"

#define ALG_LEN (sizeof(NS_CERT_ALG) - 1)

static int is_trailing_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t token_end(const char *s, size_t n, size_t i)
{
	while (i < n && !ns_text_blank(s[i])) {
		i++;
	}
	return i;
}

int ns_cert_from_line(const char *line, size_t len, uint8_t *blob, size_t cap, size_t *bloblen)
{
	size_t i, e;
	int rc = NS_ERR_FORMAT;

	*bloblen = 0;
	if (len > NS_CERT_LINE_MAX) {
		rc = NS_ERR_TOOBIG;
		goto out;
	}
	if (len == 0 || memchr(line, '\0', len) != NULL) {
		goto out;
	}
	while (len > 0 && is_trailing_space(line[len - 1])) {
		len--;
	}
	if (memchr(line, '\n', len) != NULL || memchr(line, '\r', len) != NULL) {
		goto out; /* one line only */
	}
	i = ns_text_skip_blanks(line, len, 0);
	e = token_end(line, len, i); /* key type */
	if (e - i != ALG_LEN || memcmp(line + i, NS_CERT_ALG, ALG_LEN) != 0) {
		rc = e > i ? NS_ERR_KEYTYPE : NS_ERR_FORMAT;
		goto out;
	}
	i = ns_text_skip_blanks(line, len, e);
	e = token_end(line, len, i); /* base64 blob; the rest is a comment */
	if (e == i || sodium_base642bin(blob, cap, line + i, e - i, NULL, bloblen, NULL,
	                                sodium_base64_VARIANT_ORIGINAL) != 0) {
		*bloblen = 0;
		goto out;
	}
	rc = 0;
out:
	return rc;
}

static int comment_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			return 0;
		}
	}
	return 1;
}

int ns_cert_to_line(const uint8_t *blob, size_t len, const char *comment, char *out, size_t cap)
{
	size_t clen = comment != NULL ? strlen(comment) : 0;
	size_t b64 = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL); /* with NUL */
	char *p = out;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (len == 0 || len > NS_CERT_BLOB_MAX || !comment_ok(comment, clen)) {
		return NS_ERR_INVALID;
	}
	if (ALG_LEN + 1 + b64 + (clen ? 1 + clen : 0) > cap) {
		return NS_ERR_NOMEM;
	}
	memcpy(p, NS_CERT_ALG " ", ALG_LEN + 1);
	p += ALG_LEN + 1;
	sodium_bin2base64(p, b64, blob, len, sodium_base64_VARIANT_ORIGINAL);
	p += b64 - 1;
	if (clen) {
		*p++ = ' ';
		memcpy(p, comment, clen);
		p += clen;
	}
	*p = '\0';
	return 0;
}
