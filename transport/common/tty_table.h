/* The one table of RFC 4254 section 8 terminal modes (with RFC 8160's
 * IUTF8): opcode, termios field and bit, and the speeds. The client encodes
 * its terminal with it (tty_modes.c), the agent applies a pty-req with it
 * (session_modes.c). */
#ifndef NS_TRANSPORT_TTY_TABLE_H
#define NS_TRANSPORT_TTY_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#define NS_TTY_OP_END 0
#define NS_TTY_OP_ARG_LIMIT 160 /* 1..159 take a uint32; 160+ stop parsing */
#define NS_TTY_OP_ISPEED 128
#define NS_TTY_OP_OSPEED 129
#define NS_TTY_VDISABLE 255 /* what OpenSSH sends for a disabled character */
#define NS_TTY_SPEED_DEFAULT 38400

/* CC: bit is the c_cc index; SIZE: bit is a CSIZE value (CS7, CS8). */
enum ns_tty_field {
	NS_TTY_CC,
	NS_TTY_IFLAG,
	NS_TTY_LFLAG,
	NS_TTY_OFLAG,
	NS_TTY_CFLAG,
	NS_TTY_SIZE
};

typedef struct ns_tty_mode {
	uint8_t op;
	uint8_t field; /* enum ns_tty_field */
	tcflag_t bit;
} ns_tty_mode;

/* The modes this platform has, in opcode order. */
extern const ns_tty_mode ns_tty_modes[];
extern const size_t ns_tty_nmodes;

/* The speed code for bps (0 when there is none); the bps of a code
 * (NS_TTY_SPEED_DEFAULT when unknown). */
speed_t ns_tty_speed_code(uint32_t bps, int *found);
uint32_t ns_tty_speed_bps(speed_t code);
/* The mode's value in t: a character (NS_TTY_VDISABLE when disabled) or 0/1. */
uint32_t ns_tty_mode_get(const struct termios *t, const ns_tty_mode *m);
/* Set the mode in t from its argument. */
void ns_tty_mode_set(struct termios *t, const ns_tty_mode *m, uint32_t arg);

#endif
