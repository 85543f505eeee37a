/* RFC 4254 section 8 encoded terminal modes (pty-req) applied to a struct
 * termios: control characters, input/local/output/control flags and the two
 * speeds. Opcodes the platform lacks are skipped. */
#include <termios.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "session_util.h"
#include "wire.h"

#define TTY_OP_END 0
#define TTY_OP_ARG_LIMIT 160 /* 1..159 take a uint32; 160+ stop parsing */
#define TTY_OP_ISPEED 128
#define TTY_OP_OSPEED 129
#define SSH_VDISABLE 255 /* OpenSSH sends 255 for "no character" */

enum field { CC, IFLAG, LFLAG, OFLAG, CFLAG };

static const struct mode {
	uint8_t op;
	uint8_t field;
	tcflag_t bit; /* flag bit, or the c_cc index for CC */
} modes_table[] = {
    {1, CC, VINTR},       {2, CC, VQUIT},      {3, CC, VERASE},     {4, CC, VKILL},
    {5, CC, VEOF},        {6, CC, VEOL},       {7, CC, VEOL2},      {8, CC, VSTART},
    {9, CC, VSTOP},       {10, CC, VSUSP},
#ifdef VDSUSP
    {11, CC, VDSUSP},
#endif
    {12, CC, VREPRINT},   {13, CC, VWERASE},   {14, CC, VLNEXT},
#ifdef VFLUSH
    {15, CC, VFLUSH},
#endif
#ifdef VSWTCH
    {16, CC, VSWTCH},
#elif defined(VSWTC)
    {16, CC, VSWTC},
#endif
#ifdef VSTATUS
    {17, CC, VSTATUS},
#endif
    {18, CC, VDISCARD},   {30, IFLAG, IGNPAR}, {31, IFLAG, PARMRK}, {32, IFLAG, INPCK},
    {33, IFLAG, ISTRIP},  {34, IFLAG, INLCR},  {35, IFLAG, IGNCR},  {36, IFLAG, ICRNL},
#ifdef IUCLC
    {37, IFLAG, IUCLC},
#endif
    {38, IFLAG, IXON},    {39, IFLAG, IXANY},  {40, IFLAG, IXOFF},
#ifdef IMAXBEL
    {41, IFLAG, IMAXBEL},
#endif
#ifdef IUTF8
    {42, IFLAG, IUTF8},
#endif
    {50, LFLAG, ISIG},    {51, LFLAG, ICANON},
#ifdef XCASE
    {52, LFLAG, XCASE},
#endif
    {53, LFLAG, ECHO},    {54, LFLAG, ECHOE},  {55, LFLAG, ECHOK},  {56, LFLAG, ECHONL},
    {57, LFLAG, NOFLSH},  {58, LFLAG, TOSTOP}, {59, LFLAG, IEXTEN},
#ifdef ECHOCTL
    {60, LFLAG, ECHOCTL},
#endif
#ifdef ECHOKE
    {61, LFLAG, ECHOKE},
#endif
#ifdef PENDIN
    {62, LFLAG, PENDIN},
#endif
    {70, OFLAG, OPOST},
#ifdef OLCUC
    {71, OFLAG, OLCUC},
#endif
    {72, OFLAG, ONLCR},   {73, OFLAG, OCRNL},  {74, OFLAG, ONOCR},  {75, OFLAG, ONLRET},
    {92, CFLAG, PARENB},  {93, CFLAG, PARODD},
};

static const struct {
	uint32_t bps;
	speed_t code;
} speeds[] = {
    {0, B0},         {50, B50},       {75, B75},         {110, B110},       {134, B134},
    {150, B150},     {200, B200},     {300, B300},       {600, B600},       {1200, B1200},
    {1800, B1800},   {2400, B2400},   {4800, B4800},     {9600, B9600},     {19200, B19200},
    {38400, B38400}, {57600, B57600}, {115200, B115200}, {230400, B230400},
};

static void set_speed(struct termios *t, uint8_t op, uint32_t bps)
{
	size_t i;

	for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
		if (speeds[i].bps == bps) {
			if (op == TTY_OP_ISPEED) {
				cfsetispeed(t, speeds[i].code);
			} else {
				cfsetospeed(t, speeds[i].code);
			}
			return;
		}
	}
}

static void set_flag(tcflag_t *f, tcflag_t bit, uint32_t on)
{
	if (on) {
		*f |= bit;
	} else {
		*f &= ~bit;
	}
}

/* CS7 (90) and CS8 (91) select the character size. */
static void set_size(struct termios *t, uint8_t op, uint32_t on)
{
	if (on) {
		t->c_cflag = (t->c_cflag & ~(tcflag_t)CSIZE) | (op == 90 ? CS7 : CS8);
	}
}

static void apply_one(struct termios *t, uint8_t op, uint32_t arg)
{
	size_t i;

	if (op == TTY_OP_ISPEED || op == TTY_OP_OSPEED) {
		set_speed(t, op, arg);
		return;
	}
	if (op == 90 || op == 91) {
		set_size(t, op, arg);
		return;
	}
	for (i = 0; i < sizeof(modes_table) / sizeof(modes_table[0]); i++) {
		const struct mode *m = &modes_table[i];
		if (m->op != op) {
			continue;
		}
		switch (m->field) {
		case CC: t->c_cc[m->bit] = arg == SSH_VDISABLE ? _POSIX_VDISABLE : (cc_t)arg; break;
		case IFLAG: set_flag(&t->c_iflag, m->bit, arg); break;
		case LFLAG: set_flag(&t->c_lflag, m->bit, arg); break;
		case OFLAG: set_flag(&t->c_oflag, m->bit, arg); break;
		default: set_flag(&t->c_cflag, m->bit, arg); break;
		}
		return;
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
		if (ns_rd_u8(&r, &op) != 0 || op == TTY_OP_END || op >= TTY_OP_ARG_LIMIT) {
			return 0;
		}
		/* uint32    argument */
		if (ns_rd_u32(&r, &arg) != 0) {
			return NS_ERR_SHORT;
		}
		apply_one(t, op, arg);
	}
}
