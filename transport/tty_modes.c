/* Encoded terminal modes for pty-req (RFC 4254 section 8, RFC 8160): the
 * special characters, the flags and the speeds of a local termios. */
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "client_util.h"
#include "nullspace/client.h"
#include "nullspace/error.h"

enum { TTY_OP_END = 0, TTY_OP_ISPEED = 128, TTY_OP_OSPEED = 129 };
#define VDISABLED_WIRE 255 /* what OpenSSH sends for a disabled character */

static const struct {
	unsigned char op;
	int idx;
} chars[] = {
    {1, VINTR},     {2, VQUIT},    {3, VERASE},  {4, VKILL},     {5, VEOF},
    {6, VEOL},      {7, VEOL2},    {8, VSTART},  {9, VSTOP},     {10, VSUSP},
    {12, VREPRINT}, {13, VWERASE}, {14, VLNEXT}, {18, VDISCARD},
};

/* which: 0 c_iflag, 1 c_lflag, 2 c_oflag, 3 c_cflag */
static const struct {
	unsigned char op;
	unsigned char which;
	tcflag_t bit;
} flags[] = {
    {30, 0, IGNPAR}, {31, 0, PARMRK},  {32, 0, INPCK},  {33, 0, ISTRIP},  {34, 0, INLCR},
    {35, 0, IGNCR},  {36, 0, ICRNL},   {37, 0, IUCLC},  {38, 0, IXON},    {39, 0, IXANY},
    {40, 0, IXOFF},  {41, 0, IMAXBEL}, {42, 0, IUTF8},  {50, 1, ISIG},    {51, 1, ICANON},
    {52, 1, XCASE},  {53, 1, ECHO},    {54, 1, ECHOE},  {55, 1, ECHOK},   {56, 1, ECHONL},
    {57, 1, NOFLSH}, {58, 1, TOSTOP},  {59, 1, IEXTEN}, {60, 1, ECHOCTL}, {61, 1, ECHOKE},
    {62, 1, PENDIN}, {70, 2, OPOST},   {71, 2, OLCUC},  {72, 2, ONLCR},   {73, 2, OCRNL},
    {74, 2, ONOCR},  {75, 2, ONLRET},  {90, 3, CS7},    {91, 3, CS8},     {92, 3, PARENB},
    {93, 3, PARODD},
};

static const struct {
	speed_t code;
	unsigned baud;
} speeds[] = {
    {B0, 0},         {B50, 50},       {B75, 75},         {B110, 110},       {B134, 134},
    {B150, 150},     {B200, 200},     {B300, 300},       {B600, 600},       {B1200, 1200},
    {B1800, 1800},   {B2400, 2400},   {B4800, 4800},     {B9600, 9600},     {B19200, 19200},
    {B38400, 38400}, {B57600, 57600}, {B115200, 115200}, {B230400, 230400},
};

static unsigned baud(speed_t s)
{
	size_t i;

	for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
		if (speeds[i].code == s) {
			return speeds[i].baud;
		}
	}
	return 38400;
}

static void put(uint8_t *out, size_t *len, unsigned char op, uint32_t arg)
{
	uint8_t *p = out + *len;

	p[0] = op;                   /* opcode */
	p[1] = (uint8_t)(arg >> 24); /* uint32 argument */
	p[2] = (uint8_t)(arg >> 16);
	p[3] = (uint8_t)(arg >> 8);
	p[4] = (uint8_t)arg;
	*len += 5;
}

static tcflag_t field(const struct termios *t, unsigned which)
{
	switch (which) {
	case 0: return t->c_iflag;
	case 1: return t->c_lflag;
	case 2: return t->c_oflag;
	default: return t->c_cflag;
	}
}

int ns_tty_modes_encode(const struct termios *t, uint8_t *out, size_t cap, size_t *len)
{
	size_t i,
	    need =
	        5 * (2 + sizeof(chars) / sizeof(chars[0]) + sizeof(flags) / sizeof(flags[0])) + 1;
	cc_t ch;

	*len = 0;
	if (t == NULL || out == NULL || cap < need) {
		return NS_ERR_INVALID;
	}
	put(out, len, TTY_OP_ISPEED, baud(cfgetispeed(t)));
	put(out, len, TTY_OP_OSPEED, baud(cfgetospeed(t)));
	for (i = 0; i < sizeof(chars) / sizeof(chars[0]); i++) {
		ch = t->c_cc[chars[i].idx];
		put(out, len, chars[i].op, ch == _POSIX_VDISABLE ? VDISABLED_WIRE : ch);
	}
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		tcflag_t v = field(t, flags[i].which);
		/* CS7/CS8 are values of the CSIZE field, the rest single bits */
		int on = flags[i].which == 3 && (flags[i].bit == CS7 || flags[i].bit == CS8)
		             ? (v & CSIZE) == flags[i].bit
		             : (v & flags[i].bit) != 0;
		put(out, len, flags[i].op, on ? 1 : 0);
	}
	out[(*len)++] = TTY_OP_END;
	return 0;
}
