/* Small tokenizer helpers for the one-line text formats (public key lines,
 * authorized_keys, known_hosts, certificates): blanks are space and tab. */
#ifndef NS_CORE_TEXT_H
#define NS_CORE_TEXT_H

#include <stddef.h>

static inline int ns_text_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Index of the first non-blank at or after i. */
size_t ns_text_skip_blanks(const char *s, size_t n, size_t i);
/* Length of the token at s (up to a blank or the end). */
size_t ns_text_token_len(const char *s, size_t n);
/* len without trailing blanks, CR and LF. */
size_t ns_text_trim_end(const char *s, size_t len);

#endif
