/* Untrusted strings as log values and messages for the agent, the relay,
 * the client and the API server: one rule for all, so that no peer can forge
 * a field or split a log line (log_str.h). */
#include <stdint.h>
#include <string.h>

#include "log_str.h"

void ns_log_str(ns_str s, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < s.len && o + 1 < cap; i++) {
		uint8_t ch = s.p[i];
		out[o++] = (ch > 0x20 && ch < 0x7f && ch != '=' && ch != '"') ? (char)ch : '?';
	}
	out[o] = '\0';
}

void ns_log_cstr(const char *s, char *out, size_t cap)
{
	ns_str v = {(const uint8_t *)s, s != NULL ? strlen(s) : 0};

	ns_log_str(v, out, cap);
}

void ns_log_text(ns_str s, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < s.len && o + 1 < cap; i++) {
		uint8_t ch = s.p[i];
		out[o++] = (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') ? (char)ch : '?';
	}
	if (cap > 0) {
		out[o] = '\0';
	}
}
