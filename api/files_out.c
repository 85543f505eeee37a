/* Reading what a sandbox sends back (files_out.h): bytes made valid UTF-8
 * for JSON, the helper's listing records, a download's size line. Every
 * field is checked; nothing here trusts the sandbox. */
#include <stdlib.h>
#include <string.h>

#include "files_out.h"
#include "nullspace/error.h"

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if invalid. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
	uint8_t c = p[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80) {
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len) {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
		return 0;
	}
	return len;
}

json_t *ns_files_text(const uint8_t *p, size_t n)
{
	size_t i = 0, k = 0, l;
	char *q;
	json_t *j;

	if (n > (SIZE_MAX - 1) / 3 || (q = malloc(3 * n + 1)) == NULL) {
		return NULL;
	}
	while (i < n) {
		if ((l = utf8_len(p + i, n - i)) == 0) {
			memcpy(q + k, "\xef\xbf\xbd", 3); /* U+FFFD */
			k += 3;
			i++;
			continue;
		}
		memcpy(q + k, p + i, l);
		k += l;
		i += l;
	}
	j = json_stringn(q, k);
	free(q);
	return j;
}

static int number(const uint8_t *p, size_t n, int base, uint64_t *v)
{
	size_t i;
	unsigned d;

	*v = 0;
	if (n == 0 || n > 20) {
		return NS_ERR_FORMAT;
	}
	for (i = 0; i < n; i++) {
		d = (unsigned)(p[i] - '0');
		if (p[i] < '0' || d >= (unsigned)base || *v > (UINT64_MAX - d) / (uint64_t)base) {
			return NS_ERR_FORMAT;
		}
		*v = *v * (uint64_t)base + d;
	}
	return 0;
}

static const char *type_name(uint8_t t)
{
	switch (t) {
	case 'f': return "file";
	case 'd': return "dir";
	case 'l': return "symlink";
	case 'o': return "other";
	default: return NULL;
	}
}

/* One record (no NUL inside, len bytes) appended to arr. */
static int record(const uint8_t *p, size_t len, json_t *arr)
{
	const uint8_t *s1, *s2, *s3;
	const char *type;
	uint64_t size, mode;
	json_t *e;

	if (len < 7 || p[1] != ' ' || (type = type_name(p[0])) == NULL ||
	    (s2 = memchr(p + 2, ' ', len - 2)) == NULL) {
		return NS_ERR_FORMAT;
	}
	s1 = p + 1;
	if ((s3 = memchr(s2 + 1, ' ', len - (size_t)(s2 + 1 - p))) == NULL ||
	    number(s1 + 1, (size_t)(s2 - s1 - 1), 10, &size) != 0 ||
	    number(s2 + 1, (size_t)(s3 - s2 - 1), 8, &mode) != 0 || mode > 07777 ||
	    s3 + 1 == p + len || size > INT64_MAX) {
		return NS_ERR_FORMAT;
	}
	e = json_pack("{s:o,s:s,s:I,s:I}", "name",
	              ns_files_text(s3 + 1, (size_t)(p + len - s3 - 1)), "type", type, "size",
	              (json_int_t)size, "mode", (json_int_t)mode);
	if (e == NULL || json_array_append_new(arr, e) != 0) {
		return NS_ERR_NOMEM;
	}
	return 0;
}

int ns_files_list_parse(const uint8_t *p, size_t n, json_t **out)
{
	json_t *arr = json_array();
	const uint8_t *end;
	size_t i = 0;
	int rc = 0;

	*out = NULL;
	if (arr == NULL) {
		return NS_ERR_NOMEM;
	}
	while (i < n && rc == 0) {
		if ((end = memchr(p + i, '\0', n - i)) == NULL) {
			rc = NS_ERR_FORMAT;
			break;
		}
		rc = record(p + i, (size_t)(end - (p + i)), arr);
		i = (size_t)(end - p) + 1;
	}
	if (rc != 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

int ns_files_head_parse(const char *p, size_t n, uint64_t max, uint64_t *size, size_t *used)
{
	const char *nl = memchr(p, '\n', n < NS_FILES_HEAD_MAX ? n : NS_FILES_HEAD_MAX);

	*size = 0;
	*used = 0;
	if (nl == NULL) {
		return n < NS_FILES_HEAD_MAX ? NS_ERR_AGAIN : NS_ERR_FORMAT;
	}
	if ((nl - p > 1 && p[0] == '0') ||
	    number((const uint8_t *)p, (size_t)(nl - p), 10, size) != 0 || *size > max) {
		return NS_ERR_FORMAT;
	}
	*used = (size_t)(nl - p) + 1;
	return 0;
}
