/* Pure helpers of the agent's session runtime (no I/O, unit-tested):
 * RFC 4254 section 8 terminal modes applied to a struct termios, the env
 * allowlist, and signal names as SSH spells them (without "SIG"). */
#ifndef NS_TRANSPORT_SESSION_UTIL_H
#define NS_TRANSPORT_SESSION_UTIL_H

#include <stddef.h>
#include <termios.h>

#include "nullspace/types.h"

/* Limits on what a client may set in a session. */
#define NS_SESSION_ENV_MAX 32         /* env requests kept per session */
#define NS_SESSION_ENV_NAME_MAX 64    /* bytes of a variable name */
#define NS_SESSION_ENV_VALUE_MAX 1024 /* bytes of a value */

/* Apply encoded terminal modes to t. Unknown opcodes are skipped; an opcode
 * of 160 or more, or TTY_OP_END, stops. NS_ERR_SHORT when an argument is cut
 * off (the modes before it are applied). */
int ns_session_modes_apply(ns_str modes, struct termios *t);

/* 1 when an env request for name=value is allowed: LANG, LC_* and TERM with
 * a sane name and a value without NUL bytes, within the limits above. */
int ns_session_env_allowed(ns_str name, ns_str value);

/* Signal number for an SSH signal name ("TERM"), or 0 when not allowed. */
int ns_session_signal_number(ns_str name);
/* SSH name of a signal number ("TERM"), or NULL when it has none. */
const char *ns_session_signal_name(int sig);

#endif
