/* Untrusted strings (user names, methods, key ids, channel types, URLs,
 * peers' messages) made safe to put in a "key=value" log line of the agent,
 * the relay or the API server, or in a message to the user: the one rule. */
#ifndef NS_TRANSPORT_LOG_STR_H
#define NS_TRANSPORT_LOG_STR_H

#include <stddef.h>

#include "nullspace/types.h"

/* Room for a disconnect message in a log line: a failed negotiation names
 * both sides' algorithm lists (core's NS_KEX_FAIL_MSG_MAX). */
#define NS_LOG_MSG_MAX 1024

/* s into out (cap bytes, NUL-terminated, cut short to fit), every byte
 * that is not printable ASCII, or is a space, '=' or '"', as '?'. */
void ns_log_str(ns_str s, char *out, size_t cap);
/* The same for a NUL-terminated string (NULL gives ""). */
void ns_log_cstr(const char *s, char *out, size_t cap);
/* A peer's text for a quoted log field or a message shown to the user
 * (disconnect reasons, banners in errors): printable ASCII with spaces,
 * every other byte and '"' and '\\' as '?'. */
void ns_log_text(ns_str s, char *out, size_t cap);

#endif
