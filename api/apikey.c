/* API keys of the control plane: generating "nsk_..." keys, the store of
 * their SHA-256 digests (one hex digest a line, mode 0600, appended to), and
 * the constant-time check of a presented key against every stored digest. */
#include "apikey.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "nullspace/error.h"

#define RAW_LEN 32 /* 256 random bits */
#define HEX_LEN (NS_APIKEY_HASH_LEN * 2)

void ns_apikey_generate(char out[NS_APIKEY_LEN + 1])
{
	uint8_t raw[RAW_LEN];
	size_t plen = sizeof(NS_APIKEY_PREFIX) - 1;

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, NS_APIKEY_PREFIX, plen);
	sodium_bin2base64(out + plen, NS_APIKEY_LEN + 1 - plen, raw, sizeof(raw),
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

void ns_apikey_hash(const char *key, size_t len, uint8_t out[NS_APIKEY_HASH_LEN])
{
	crypto_hash_sha256(out, (const unsigned char *)key, len);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* One line without its '\n': blank/comment (0, nothing added), a digest
 * (1, written to h) or bad (NS_ERR_FORMAT). */
static int parse_line(const char *p, size_t len, uint8_t h[NS_APIKEY_HASH_LEN])
{
	size_t i = 0, n;

	while (i < len && is_blank(p[i])) {
		i++;
	}
	while (len > i && is_blank(p[len - 1])) {
		len--;
	}
	if (i == len || p[i] == '#') {
		return 0;
	}
	for (n = i; n < len; n++) {
		if (!is_hex(p[n])) {
			return NS_ERR_FORMAT;
		}
	}
	if (len - i != HEX_LEN ||
	    sodium_hex2bin(h, NS_APIKEY_HASH_LEN, p + i, HEX_LEN, NULL, NULL, NULL) != 0) {
		return NS_ERR_FORMAT;
	}
	return 1;
}

/* Append a digest to ks, growing its array. */
static int push(ns_apikeys *ks, const uint8_t h[NS_APIKEY_HASH_LEN])
{
	uint8_t(*p)[NS_APIKEY_HASH_LEN];

	if (ks->n >= NS_APIKEY_MAX_KEYS) {
		return NS_ERR_TOOBIG;
	}
	p = realloc(ks->hash, (ks->n + 1) * sizeof(*p));
	if (p == NULL) {
		return NS_ERR_NOMEM;
	}
	ks->hash = p;
	memcpy(ks->hash[ks->n], h, NS_APIKEY_HASH_LEN);
	ks->n++;
	return 0;
}

int ns_apikeys_parse(const char *text, size_t len, ns_apikeys *out, int *line)
{
	uint8_t h[NS_APIKEY_HASH_LEN];
	size_t pos = 0, end;
	int rc = 0, lineno = 0;

	out->hash = NULL;
	out->n = 0;
	*line = 0;
	if (len > NS_APIKEY_FILE_MAX) {
		return NS_ERR_TOOBIG;
	}
	if (len > 0 && memchr(text, '\0', len) != NULL) {
		return NS_ERR_FORMAT;
	}
	while (pos < len) {
		lineno++;
		end = pos;
		while (end < len && text[end] != '\n') {
			end++;
		}
		rc = parse_line(text + pos, end - pos, h);
		if (rc == 1) {
			rc = push(out, h);
		}
		if (rc != 0) {
			*line = lineno;
			goto out;
		}
		pos = end + 1;
	}
out:
	if (rc != 0) {
		ns_apikeys_free(out);
	}
	return rc;
}

int ns_apikeys_load(const char *path, ns_apikeys *out, char *err, size_t cap)
{
	char *text = NULL;
	size_t len = 0;
	int rc, line = 0;

	out->hash = NULL;
	out->n = 0;
	rc = ns_file_read(path, NS_APIKEY_FILE_MAX, &text, &len);
	if (rc == NS_ERR_NOTFOUND) {
		rc = 0; /* no keys yet */
		goto out;
	}
	if (rc != 0) {
		snprintf(err, cap, "cannot read %s: %s", path, ns_strerror(rc));
		goto out;
	}
	if ((rc = ns_apikeys_parse(text, len, out, &line)) != 0) {
		snprintf(err, cap, "%s:%d: not a SHA-256 hex digest (%s)", path, line,
		         ns_strerror(rc));
	}
out:
	free(text);
	return rc;
}

/* Is key "nsk_" + 43 base64url characters? */
static int key_valid(const char *key)
{
	size_t plen = sizeof(NS_APIKEY_PREFIX) - 1, i;

	if (strlen(key) != NS_APIKEY_LEN || memcmp(key, NS_APIKEY_PREFIX, plen) != 0) {
		return 0;
	}
	for (i = plen; i < NS_APIKEY_LEN; i++) {
		char c = key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_')) {
			return 0;
		}
	}
	return 1;
}

/* Write all of buf to fd, retrying short writes. */
/* Does the file end without a newline (so our line needs one first)? */
static int needs_newline(int fd)
{
	struct stat st;
	char last = '\n';

	if (fstat(fd, &st) != 0 || st.st_size == 0) {
		return 0;
	}
	if (pread(fd, &last, 1, st.st_size - 1) != 1) {
		return 0;
	}
	return last != '\n';
}

int ns_apikeys_add(const char *path, ns_apikeys *ks, const char *key, char *err, size_t cap)
{
	uint8_t h[NS_APIKEY_HASH_LEN];
	char line[HEX_LEN + 3];
	size_t off = 0;
	int fd = -1, rc = NS_ERR_INVALID;

	if (!key_valid(key)) {
		snprintf(err, cap, "not an API key (nsk_ and 43 base64url characters)");
		goto out;
	}
	if (ks->n >= NS_APIKEY_MAX_KEYS) {
		rc = NS_ERR_TOOBIG;
		snprintf(err, cap, "%s: too many API keys (%d)", path, NS_APIKEY_MAX_KEYS);
		goto out;
	}
	ns_apikey_hash(key, strlen(key), h);
	fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = NS_ERR_IO;
		snprintf(err, cap, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	(void)fchmod(fd, 0600); /* an older file with wider rights is narrowed */
	if (needs_newline(fd)) {
		line[off++] = '\n';
	}
	sodium_bin2hex(line + off, sizeof(line) - off, h, sizeof(h));
	off += HEX_LEN;
	line[off++] = '\n';
	if (ns_file_write_all(fd, line, off) != 0 || fsync(fd) != 0) {
		rc = NS_ERR_IO;
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	if ((rc = push(ks, h)) != 0) {
		snprintf(err, cap, "cannot add the API key: %s", ns_strerror(rc));
	}
out:
	if (fd >= 0) {
		close(fd);
	}
	return rc;
}

int ns_apikeys_add_mem(ns_apikeys *ks, const char *key)
{
	uint8_t h[NS_APIKEY_HASH_LEN];
	int rc;

	if (!key_valid(key)) {
		return NS_ERR_INVALID;
	}
	ns_apikey_hash(key, strlen(key), h);
	rc = push(ks, h);
	sodium_memzero(h, sizeof(h));
	return rc;
}

int ns_apikeys_check(const ns_apikeys *ks, const char *key, size_t len)
{
	uint8_t h[NS_APIKEY_HASH_LEN];
	size_t i;
	int found = 0;

	if (ks == NULL || key == NULL) {
		return 0;
	}
	ns_apikey_hash(key, len, h);
	for (i = 0; i < ks->n; i++) {
		found |= sodium_memcmp(h, ks->hash[i], NS_APIKEY_HASH_LEN) == 0;
	}
	sodium_memzero(h, sizeof(h));
	return found;
}

void ns_apikeys_free(ns_apikeys *ks)
{
	if (ks == NULL) {
		return;
	}
	free(ks->hash);
	ks->hash = NULL;
	ks->n = 0;
}
