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

/* A string field the message carries in full: over max, it is still read
 * (the message stays well-formed) and *over set, so the request alone is
 * refused (NS_ERR_TOOBIG), not the connection. */
static int field(ns_rd *r, size_t max, ns_str *v, int *over)
{
	if (ns_rd_string(r, v) == 0 && v->len > max) {
		*over = 1;
	}
	return r->err;
}

static int pty_req(ns_rd *r, ns_chan_request *q, int *over)
{
	field(r, NS_CHAN_TERM_MAX, &q->term, over);   /* TERM environment variable value */
	ns_rd_u32(r, &q->cols);                       /* terminal width, characters */
	ns_rd_u32(r, &q->rows);                       /* terminal height, rows */
	ns_rd_u32(r, &q->width_px);                   /* terminal width, pixels */
	ns_rd_u32(r, &q->height_px);                  /* terminal height, pixels */
	field(r, NS_CHAN_MODES_MAX, &q->modes, over); /* encoded terminal modes */
	if (r->err || *over) {
		return r->err;
	}
	return ns_chan_modes_check(q->modes);
}

static int x11_req(ns_rd *r, ns_chan_request *q, int *over)
{
	ns_str proto, cookie;
	uint32_t screen;
	int single;

	(void)q;                /* checked, not reported: X11 forwarding is not offered */
	ns_rd_bool(r, &single); /* single connection */
	field(r, NS_NAME_MAX, &proto, over);  /* x11 authentication protocol */
	field(r, NS_TEXT_MAX, &cookie, over); /* x11 authentication cookie */
	return ns_rd_u32(r, &screen);         /* x11 screen number */
}

static int env(ns_rd *r, ns_chan_request *q, int *over)
{
	field(r, NS_CHAN_ENV_NAME_MAX, &q->name, over);          /* variable name */
	return field(r, NS_CHAN_ENV_VALUE_MAX, &q->value, over); /* variable value */
}

static int command(ns_rd *r, ns_chan_request *q, int *over)
{
	/* exec: command; subsystem: subsystem name */
	return field(r, NS_CHAN_COMMAND_MAX, &q->command, over);
}

static int window_change(ns_rd *r, ns_chan_request *q, int *over)
{
	(void)over;
	ns_rd_u32(r, &q->cols);             /* terminal width, columns */
	ns_rd_u32(r, &q->rows);             /* terminal height, rows */
	ns_rd_u32(r, &q->width_px);         /* terminal width, pixels */
	return ns_rd_u32(r, &q->height_px); /* terminal height, pixels */
}

static int xon_xoff(ns_rd *r, ns_chan_request *q, int *over)
{
	(void)over;
	return ns_rd_bool(r, &q->client_can_do);
}

static int signal_req(ns_rd *r, ns_chan_request *q, int *over)
{
	(void)over;
	return ns_rd_name(r, NS_NAME_MAX, &q->signal); /* signal name (without the "SIG") */
}

static int exit_status(ns_rd *r, ns_chan_request *q, int *over)
{
	(void)over;
	return ns_rd_u32(r, &q->exit_status); /* exit status */
}

static int exit_signal(ns_rd *r, ns_chan_request *q, int *over)
{
	ns_str lang;

	ns_rd_name(r, NS_NAME_MAX, &q->signal);    /* signal name (without the "SIG") */
	ns_rd_bool(r, &q->core_dumped);            /* core dumped */
	field(r, NS_TEXT_MAX, &q->message, over);  /* error message (UTF-8) */
	return field(r, NS_NAME_MAX, &lang, over); /* language tag */
}

/* NS_CHAN_SESSION_INFO (ours, docs/relay.md). */
static int session_info(ns_rd *r, ns_session_info *q, int *over)
{
	field(r, NS_CHAN_KEY_ID_MAX, &q->key_id, over);        /* certificate key id */
	ns_rd_u64(r, &q->serial);                              /* certificate serial */
	return field(r, NS_CHAN_SOURCE_MAX, &q->source, over); /* user's source address */
}

static int no_fields(ns_rd *r, ns_chan_request *q, int *over)
{
	(void)q;
	(void)over;
	return r->err;
}

static const struct {
	const char *type;
	int (*parse)(ns_rd *r, ns_chan_request *q, int *over);
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

/* Keep what names the request (type, want reply), drop every field. */
static int refused(ns_chan_request *out)
{
	ns_str type = out->type;
	int want_reply = out->want_reply;

	memset(out, 0, sizeof(*out));
	out->type = type;
	out->want_reply = want_reply;
	return NS_ERR_TOOBIG;
}

/* The type-specific data of a known type, its end checked: 0, NS_ERR_TOOBIG
 * (a field over its limit) or NS_ERR_FORMAT; 0 for any other type (its data
 * is not looked at). */
static int type_data(ns_rd *r, ns_chan_request *out, ns_session_info *info)
{
	size_t i;
	int rc = 0, over = 0, known = 0;

	if (ns_str_eq(out->type, NS_CHAN_SESSION_INFO)) {
		known = 1;
		rc = session_info(r, info, &over);
	}
	for (i = 0; !known && i < sizeof(requests) / sizeof(requests[0]); i++) {
		if (ns_str_eq(out->type, requests[i].type)) {
			known = 1;
			rc = requests[i].parse(r, out, &over);
		}
	}
	if (!known) {
		return 0;
	}
	if (rc == 0) {
		rc = ns_rd_end(r);
	}
	if (rc != 0) {
		return NS_ERR_FORMAT;
	}
	return over ? NS_ERR_TOOBIG : 0;
}

int ns_chan_request_parse(ns_rd *r, ns_chan_request *out, ns_session_info *info)
{
	ns_session_info scratch;
	int rc;

	memset(out, 0, sizeof(*out));
	if (info == NULL) {
		info = &scratch;
	}
	memset(info, 0, sizeof(*info));
	ns_rd_name(r, NS_NAME_MAX, &out->type); /* request type */
	ns_rd_bool(r, &out->want_reply);        /* want reply */
	if (r->err) {
		return NS_ERR_FORMAT;
	}
	rc = type_data(r, out, info);
	if (rc != 0) {
		memset(info, 0, sizeof(*info));
	}
	return rc == NS_ERR_TOOBIG ? refused(out) : rc;
}

int ns_global_request_parse(ns_rd *r, ns_str *name, int *want_reply)
{
	ns_rd_name(r, NS_NAME_MAX, name); /* request name */
	ns_rd_bool(r, want_reply);        /* want reply */
	/* ... request-specific data follows: not needed for any we answer */
	return r->err;
}
