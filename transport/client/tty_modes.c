/* Encoded terminal modes for pty-req (RFC 4254 section 8, RFC 8160): the
 * speeds, then every mode of the shared table (tty_table.c) as a local
 * termios has it. */
#include <string.h>
#include <termios.h>

#include "client_util.h"
#include "nullspace/error.h"
#include "tty_table.h"

static void put(uint8_t *out, size_t *len, uint8_t op, uint32_t arg)
{
	uint8_t *p = out + *len;

	p[0] = op;                   /* byte opcode */
	p[1] = (uint8_t)(arg >> 24); /* uint32 argument */
	p[2] = (uint8_t)(arg >> 16);
	p[3] = (uint8_t)(arg >> 8);
	p[4] = (uint8_t)arg;
	*len += 5;
}

int ns_tty_modes_encode(const struct termios *t, uint8_t *out, size_t cap, size_t *len)
{
	size_t i, need = 5 * (2 + ns_tty_nmodes) + 1;

	*len = 0;
	if (t == NULL || out == NULL || cap < need) {
		return NS_ERR_INVALID;
	}
	put(out, len, NS_TTY_OP_ISPEED, ns_tty_speed_bps(cfgetispeed(t)));
	put(out, len, NS_TTY_OP_OSPEED, ns_tty_speed_bps(cfgetospeed(t)));
	for (i = 0; i < ns_tty_nmodes; i++) {
		put(out, len, ns_tty_modes[i].op, ns_tty_mode_get(t, &ns_tty_modes[i]));
	}
	out[(*len)++] = NS_TTY_OP_END;
	return 0;
}
