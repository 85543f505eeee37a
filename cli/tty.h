/* The local terminal of `nullspace connect`: raw mode restored on every
 * exit path (return, exit, fatal signals) and SIGWINCH as a readable fd. */
#ifndef NS_CLI_TTY_H
#define NS_CLI_TTY_H

#include <termios.h>

/* Save fd's modes into *saved and put it in raw mode (as ssh does); the
 * saved modes come back on ns_tty_restore(), exit() and fatal signals. */
int ns_tty_raw(int fd, struct termios *saved);
/* Restore the saved modes (idempotent; fine without ns_tty_raw). */
void ns_tty_restore(void);
/* A non-blocking fd that turns readable on SIGWINCH; -1 on failure. */
int ns_tty_winch_fd(void);

#endif
