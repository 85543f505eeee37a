/* Terminal modes by opcode (RFC 4254 section 8, RFC 8160), each guarded by
 * whether the platform has it, and how each reads from and writes to a
 * struct termios. */
#include "tty_table.h"

#include <unistd.h>

const ns_tty_mode ns_tty_modes[] = {
    {1, NS_TTY_CC, VINTR},       {2, NS_TTY_CC, VQUIT},      {3, NS_TTY_CC, VERASE},
    {4, NS_TTY_CC, VKILL},       {5, NS_TTY_CC, VEOF},       {6, NS_TTY_CC, VEOL},
    {7, NS_TTY_CC, VEOL2},       {8, NS_TTY_CC, VSTART},     {9, NS_TTY_CC, VSTOP},
    {10, NS_TTY_CC, VSUSP},
#ifdef VDSUSP
    {11, NS_TTY_CC, VDSUSP},
#endif
    {12, NS_TTY_CC, VREPRINT},   {13, NS_TTY_CC, VWERASE},   {14, NS_TTY_CC, VLNEXT},
#ifdef VFLUSH
    {15, NS_TTY_CC, VFLUSH},
#endif
#ifdef VSWTCH
    {16, NS_TTY_CC, VSWTCH},
#endif
#ifdef VSTATUS
    {17, NS_TTY_CC, VSTATUS},
#endif
    {18, NS_TTY_CC, VDISCARD},   {30, NS_TTY_IFLAG, IGNPAR}, {31, NS_TTY_IFLAG, PARMRK},
    {32, NS_TTY_IFLAG, INPCK},   {33, NS_TTY_IFLAG, ISTRIP}, {34, NS_TTY_IFLAG, INLCR},
    {35, NS_TTY_IFLAG, IGNCR},   {36, NS_TTY_IFLAG, ICRNL},
#ifdef IUCLC
    {37, NS_TTY_IFLAG, IUCLC},
#endif
    {38, NS_TTY_IFLAG, IXON},    {39, NS_TTY_IFLAG, IXANY},  {40, NS_TTY_IFLAG, IXOFF},
#ifdef IMAXBEL
    {41, NS_TTY_IFLAG, IMAXBEL},
#endif
#ifdef IUTF8
    {42, NS_TTY_IFLAG, IUTF8},
#endif
    {50, NS_TTY_LFLAG, ISIG},    {51, NS_TTY_LFLAG, ICANON},
#ifdef XCASE
    {52, NS_TTY_LFLAG, XCASE},
#endif
    {53, NS_TTY_LFLAG, ECHO},    {54, NS_TTY_LFLAG, ECHOE},  {55, NS_TTY_LFLAG, ECHOK},
    {56, NS_TTY_LFLAG, ECHONL},  {57, NS_TTY_LFLAG, NOFLSH}, {58, NS_TTY_LFLAG, TOSTOP},
    {59, NS_TTY_LFLAG, IEXTEN},
#ifdef ECHOCTL
    {60, NS_TTY_LFLAG, ECHOCTL},
#endif
#ifdef ECHOKE
    {61, NS_TTY_LFLAG, ECHOKE},
#endif
#ifdef PENDIN
    {62, NS_TTY_LFLAG, PENDIN},
#endif
    {70, NS_TTY_OFLAG, OPOST},
#ifdef OLCUC
    {71, NS_TTY_OFLAG, OLCUC},
#endif
    {72, NS_TTY_OFLAG, ONLCR},   {73, NS_TTY_OFLAG, OCRNL},  {74, NS_TTY_OFLAG, ONOCR},
    {75, NS_TTY_OFLAG, ONLRET},  {90, NS_TTY_SIZE, CS7},     {91, NS_TTY_SIZE, CS8},
    {92, NS_TTY_CFLAG, PARENB},  {93, NS_TTY_CFLAG, PARODD},
};
const size_t ns_tty_nmodes = sizeof(ns_tty_modes) / sizeof(ns_tty_modes[0]);

static const struct {
	uint32_t bps;
	speed_t code;
} speeds[] = {
    {0, B0},         {50, B50},       {75, B75},         {110, B110},       {134, B134},
    {150, B150},     {200, B200},     {300, B300},       {600, B600},       {1200, B1200},
    {1800, B1800},   {2400, B2400},   {4800, B4800},     {9600, B9600},     {19200, B19200},
    {38400, B38400}, {57600, B57600}, {115200, B115200}, {230400, B230400},
};

speed_t ns_tty_speed_code(uint32_t bps, int *found)
{
	size_t i;

	for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
		if (speeds[i].bps == bps) {
			*found = 1;
			return speeds[i].code;
		}
	}
	*found = 0;
	return B0;
}

uint32_t ns_tty_speed_bps(speed_t code)
{
	size_t i;

	for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
		if (speeds[i].code == code) {
			return speeds[i].bps;
		}
	}
	return NS_TTY_SPEED_DEFAULT;
}

static tcflag_t *flags_of(struct termios *t, int field)
{
	switch (field) {
	case NS_TTY_IFLAG: return &t->c_iflag;
	case NS_TTY_LFLAG: return &t->c_lflag;
	case NS_TTY_OFLAG: return &t->c_oflag;
	default: return &t->c_cflag;
	}
}

uint32_t ns_tty_mode_get(const struct termios *t, const ns_tty_mode *m)
{
	tcflag_t v;

	if (m->field == NS_TTY_CC) {
		cc_t ch = t->c_cc[m->bit];
		return ch == _POSIX_VDISABLE ? NS_TTY_VDISABLE : ch;
	}
	v = *flags_of((struct termios *)t, m->field);
	if (m->field == NS_TTY_SIZE) {
		return (v & CSIZE) == m->bit;
	}
	return (v & m->bit) != 0;
}

void ns_tty_mode_set(struct termios *t, const ns_tty_mode *m, uint32_t arg)
{
	tcflag_t *f;

	if (m->field == NS_TTY_CC) {
		t->c_cc[m->bit] = arg == NS_TTY_VDISABLE ? _POSIX_VDISABLE : (cc_t)arg;
		return;
	}
	f = flags_of(t, m->field);
	if (m->field == NS_TTY_SIZE) {
		if (arg) {
			*f = (*f & ~(tcflag_t)CSIZE) | m->bit;
		}
	} else if (arg) {
		*f |= m->bit;
	} else {
		*f &= ~m->bit;
	}
}
