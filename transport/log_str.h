/* Untrusted strings (user names, methods, key ids, channel types) made safe
 * to put as a value in a "key=value" log line of the agent or the relay. */
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

#endif
