/* Helpers shared by the built-in client and its front-ends (cli/): pure, no
 * I/O; not part of the public API. */
#ifndef NS_TRANSPORT_CLIENT_UTIL_H
#define NS_TRANSPORT_CLIENT_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <termios.h>

/* "USER@HOST", "USER@HOST:PORT", "USER@[V6]:PORT", "USER@V6"; the last '@'
 * splits. *port is 0 when none is given. */
int ns_client_parse_target(const char *s, char *user, size_t user_cap, char *host, size_t host_cap,
                           unsigned *port);
/* Join words with single spaces, as ssh does with its command words. */
int ns_client_join_words(const char *const *words, int n, char *out, size_t cap);
/* Local signal number for an SSH signal name ("TERM", also "SIGTERM");
 * 0 when unknown. */
int ns_client_signal_number(const char *name, size_t len);
/* RFC 4254 section 8 encoding of t (ends with TTY_OP_END). */
int ns_tty_modes_encode(const struct termios *t, uint8_t *out, size_t cap, size_t *len);

#endif
