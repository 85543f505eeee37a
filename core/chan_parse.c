/* Pure parsers of the connection layer's request messages (RFC 4254 4 and
 * 6.2-6.10, OpenSSH PROTOCOL 2): no engine state, so fuzz_chan_request and
 * fuzz_global_request drive them directly. */
#include "chan.h"

#include <string.h>

#define TTY_OP_END 0
#define TTY_OP_UNDEFINED 160 /* opcodes 160..255: stop parsing (RFC 4254 8) */

int ns_chan_modes_check(ns_str modes)
{
	uint8_t op;
	uint32_t arg;
	ns_rd r;

	ns_rd_init(&r, modes.p, modes.len);
	while (ns_rd_left(&r) > 0) {
		ns_rd_u8(&r, &op); /* opcode */
		if (op == TTY_OP_END || op >= TTY_OP_UNDEFINED) {
			break;
		}
		ns_rd_u32(&r, &arg); /* argument */
	}
	return r.err;
}

static int pty_req(ns_rd *r, ns_chan_request *q)
{
	ns_rd_string_max(r, NS_CHAN_TERM_MAX, &q->term);   /* TERM environment variable value */
	ns_rd_u32(r, &q->cols);                            /* terminal width, characters */
	ns_rd_u32(r, &q->rows);                            /* terminal height, rows */
	ns_rd_u32(r, &q->width_px);                        /* terminal width, pixels */
	ns_rd_u32(r, &q->height_px);                       /* terminal height, pixels */
	ns_rd_string_max(r, NS_CHAN_MODES_MAX, &q->modes); /* encoded terminal modes */
	if (r->err) {
		return r->err;
	}
	return ns_chan_modes_check(q->modes);
}

static int x11_req(ns_rd *r, ns_chan_request *q)
{
	ns_str proto, cookie;
	uint32_t screen;
	int single;

	(void)q;                /* checked, not reported: X11 forwarding is not offered */
	ns_rd_bool(r, &single); /* single connection */
	ns_rd_string_max(r, NS_NAME_MAX, &proto);  /* x11 authentication protocol */
	ns_rd_string_max(r, NS_TEXT_MAX, &cookie); /* x11 authentication cookie */
	return ns_rd_u32(r, &screen);              /* x11 screen number */
}

static int env(ns_rd *r, ns_chan_request *q)
{
	ns_rd_string_max(r, NS_CHAN_ENV_NAME_MAX, &q->name);          /* variable name */
	return ns_rd_string_max(r, NS_CHAN_ENV_VALUE_MAX, &q->value); /* variable value */
}

static int command(ns_rd *r, ns_chan_request *q)
{
	/* exec: command; subsystem: subsystem name */
	return ns_rd_string_max(r, NS_CHAN_COMMAND_MAX, &q->command);
}

static int window_change(ns_rd *r, ns_chan_request *q)
{
	ns_rd_u32(r, &q->cols);             /* terminal width, columns */
	ns_rd_u32(r, &q->rows);             /* terminal height, rows */
	ns_rd_u32(r, &q->width_px);         /* terminal width, pixels */
	return ns_rd_u32(r, &q->height_px); /* terminal height, pixels */
}

static int xon_xoff(ns_rd *r, ns_chan_request *q)
{
	return ns_rd_bool(r, &q->client_can_do);
}

static int signal_req(ns_rd *r, ns_chan_request *q)
{
	return ns_rd_name(r, NS_NAME_MAX, &q->signal); /* signal name (without the "SIG") */
}

static int exit_status(ns_rd *r, ns_chan_request *q)
{
	return ns_rd_u32(r, &q->exit_status); /* exit status */
}

static int exit_signal(ns_rd *r, ns_chan_request *q)
{
	ns_str lang;

	ns_rd_name(r, NS_NAME_MAX, &q->signal);         /* signal name (without the "SIG") */
	ns_rd_bool(r, &q->core_dumped);                 /* core dumped */
	ns_rd_string_max(r, NS_TEXT_MAX, &q->message);  /* error message (UTF-8) */
	return ns_rd_string_max(r, NS_NAME_MAX, &lang); /* language tag */
}

static int no_fields(ns_rd *r, ns_chan_request *q)
{
	(void)q;
	return r->err;
}

static const struct {
	const char *type;
	int (*parse)(ns_rd *r, ns_chan_request *q);
} requests[] = {
    {"pty-req", pty_req},
    {"x11-req", x11_req},
    {"env", env},
    {"shell", no_fields},
    {"exec", command},
    {"subsystem", command},
    {"window-change", window_change},
    {"xon-xoff", xon_xoff},
    {"signal", signal_req},
    {"exit-status", exit_status},
    {"exit-signal", exit_signal},
    {"auth-agent-req@openssh.com", no_fields},
    {"eow@openssh.com", no_fields},
    {"keepalive@openssh.com", no_fields},
};

int ns_chan_request_parse(ns_rd *r, ns_chan_request *out)
{
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	ns_rd_name(r, NS_NAME_MAX, &out->type); /* request type */
	ns_rd_bool(r, &out->want_reply);        /* want reply */
	if (r->err) {
		return r->err;
	}
	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		if (ns_str_eq(out->type, requests[i].type)) {
			rc = requests[i].parse(r, out); /* type-specific data */
			return rc != 0 ? rc : ns_rd_end(r);
		}
	}
	return 0; /* unknown type: its data is not looked at */
}

int ns_global_request_parse(ns_rd *r, ns_str *name, int *want_reply)
{
	ns_rd_name(r, NS_NAME_MAX, name); /* request name */
	ns_rd_bool(r, want_reply);        /* want reply */
	/* ... request-specific data follows: not needed for any we answer */
	return r->err;
}
