/* Tokenizer helpers shared by the line parsers of core/ and cert/ (text.h). */
#include "text.h"

#include <string.h>

#include "nullspace/error.h"

size_t ns_text_skip_blanks(const char *s, size_t n, size_t i)
{
	while (i < n && ns_text_blank(s[i])) {
		i++;
	}
	return i;
}

size_t ns_text_token_len(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && !ns_text_blank(s[i])) {
		i++;
	}
	return i;
}

size_t ns_text_trim_end(const char *s, size_t len)
{
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n' || ns_text_blank(s[len - 1]))) {
		len--;
	}
	return len;
}

int ns_text_printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			return 0;
		}
	}
	return 1;
}

static ns_text_span span(const char *p, size_t len)
{
	ns_text_span v;

	v.p = p;
	v.len = len;
	return v;
}

int ns_text_key_line(const char *line, size_t len, ns_text_span *type, ns_text_span *b64,
                     ns_text_span *comment)
{
	size_t i, t;

	*type = *b64 = *comment = span(line, 0);
	if (len == 0 || memchr(line, '\0', len) != NULL) {
		return NS_ERR_FORMAT;
	}
	len = ns_text_trim_end(line, len);
	if (memchr(line, '\n', len) != NULL || memchr(line, '\r', len) != NULL) {
		return NS_ERR_FORMAT; /* one line only */
	}
	i = ns_text_skip_blanks(line, len, 0);
	t = ns_text_token_len(line + i, len - i);
	*type = span(line + i, t); /* key type */
	i = ns_text_skip_blanks(line, len, i + t);
	t = ns_text_token_len(line + i, len - i);
	*b64 = span(line + i, t); /* base64 blob */
	i = ns_text_skip_blanks(line, len, i + t);
	*comment = span(line + i, len - i); /* comment: the rest of the line */
	return type->len > 0 ? 0 : NS_ERR_FORMAT;
}
