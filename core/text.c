/* Tokenizer helpers shared by the line parsers of core/ and cert/ (text.h). */
#include "text.h"

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
