/* Text form of a certificate, as in ssh-keygen's -cert.pub files and
 * authorized_keys/known_hosts: "ssh-ed25519-cert-v01@openssh.com BASE64
 * [comment]" (or another key type's certificate name, which the blob's own
 * type name gives when writing). Reading decodes the blob only;
 * ns_cert_parse judges it. */
#include "nullspace/cert.h"

#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "text.h"
#include "wire.h"

/* What well-formed base64 of this length decodes to (padding aside). */
static size_t decoded_len(ns_text_span b64)
{
	size_t n = b64.len / 4 * 3;

	for (size_t i = 0; i < 2 && i < b64.len && b64.p[b64.len - 1 - i] == '='; i++) {
		n--;
	}
	return n;
}

int ns_cert_from_line(const char *line, size_t len, uint8_t *blob, size_t cap, size_t *bloblen)
{
	ns_text_span type, b64, comment; /* the comment is not looked at */
	int rc;

	*bloblen = 0;
	if (len > NS_CERT_LINE_MAX) {
		rc = NS_ERR_TOOBIG;
		goto out;
	}
	if ((rc = ns_text_key_line(line, len, &type, &b64, &comment)) != 0) {
		goto out;
	}
	if (ns_pubkey_cert_type_of((ns_str){(const uint8_t *)type.p, type.len}) == NS_PK_NONE) {
		rc = NS_ERR_KEYTYPE;
		goto out;
	}
	if (decoded_len(b64) > cap) {
		rc = NS_ERR_TOOBIG; /* a certificate over the caller's limit, not malformed */
		goto out;
	}
	if (b64.len == 0 || sodium_base642bin(blob, cap, b64.p, b64.len, NULL, bloblen, NULL,
	                                      sodium_base64_VARIANT_ORIGINAL) != 0) {
		*bloblen = 0;
		rc = NS_ERR_FORMAT;
		goto out;
	}
out:
	return rc;
}

int ns_cert_to_line(const uint8_t *blob, size_t len, const char *comment, char *out, size_t cap)
{
	size_t clen = comment != NULL ? strlen(comment) : 0;
	size_t b64 = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL); /* with NUL */
	char *p = out;
	ns_str type;
	ns_rd r;

	if (cap > 0) {
		out[0] = '\0';
	}
	ns_rd_init(&r, blob, len);
	if (len == 0 || len > NS_CERT_BLOB_MAX || !ns_text_printable(comment, clen) ||
	    ns_rd_string(&r, &type) != 0 || ns_pubkey_cert_type_of(type) == NS_PK_NONE) {
		return NS_ERR_INVALID;
	}
	if (type.len + 1 + b64 + (clen ? 1 + clen : 0) > cap) {
		return NS_ERR_NOMEM;
	}
	memcpy(p, type.p, type.len); /* the type name the blob itself carries */
	p[type.len] = ' ';
	p += type.len + 1;
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
