/* Untrusted strings as log values for the agent and the relay: one rule for
 * both, so that no peer can forge a field or split a log line (log_str.h). */
#include <stdint.h>

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
