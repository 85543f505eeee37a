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
/* 1 when s holds no control characters (comments of key and cert lines). */
int ns_text_printable(const char *s, size_t n);

/* A piece of a line. */
typedef struct ns_text_span {
	const char *p;
	size_t len;
} ns_text_span;

/* The fields of a one-line public key or certificate, "TYPE BASE64
 * [comment]", as views into line: blanks around fields and trailing CR/LF
 * skipped; b64 and comment may be empty. NS_ERR_FORMAT for an empty line,
 * a NUL, a line break inside, or no type. */
int ns_text_key_line(const char *line, size_t len, ns_text_span *type, ns_text_span *b64,
                     ns_text_span *comment);

#endif
