/* RFC 4254 section 8 encoded terminal modes (pty-req) applied to a struct
 * termios by the shared table (tty_table.c): control characters, flags, the
 * character size and the two speeds. Opcodes the platform lacks are skipped. */
#include <termios.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "session_util.h"
#include "tty_table.h"
#include "wire.h"

static void apply_one(struct termios *t, uint8_t op, uint32_t arg)
{
	speed_t code;
	size_t i;
	int found;

	if (op == NS_TTY_OP_ISPEED || op == NS_TTY_OP_OSPEED) {
		code = ns_tty_speed_code(arg, &found);
		if (found) {
			(op == NS_TTY_OP_ISPEED ? cfsetispeed : cfsetospeed)(t, code);
		}
		return;
	}
	for (i = 0; i < ns_tty_nmodes; i++) {
		if (ns_tty_modes[i].op == op) {
			ns_tty_mode_set(t, &ns_tty_modes[i], arg);
			return;
		}
	}
}

int ns_session_modes_apply(ns_str modes, struct termios *t)
{
	ns_rd r;
	uint8_t op;
	uint32_t arg;

	ns_rd_init(&r, modes.p, modes.len);
	for (;;) {
		/* byte      opcode */
		if (ns_rd_u8(&r, &op) != 0 || op == NS_TTY_OP_END || op >= NS_TTY_OP_ARG_LIMIT) {
			return 0;
		}
		/* uint32    argument */
		if (ns_rd_u32(&r, &arg) != 0) {
			return NS_ERR_SHORT;
		}
		apply_one(t, op, arg);
	}
}
