/* Channel types beyond "session" (RFC 4254 7.2, OpenSSH PROTOCOL 2.4): the
 * parser of their type-specific open data and of the forwarding global
 * requests' data (ns_global_forward_parse) (direct-tcpip, forwarded-tcpip,
 * direct-streamlocal@openssh.com, forwarded-streamlocal@openssh.com; fuzzed
 * as fuzz_chan_open, with auth-agent@nullspace.dev's), ns_channel_open,
 * which opens one of any type, and ns_channel_open_direct_tcpip and
 * ns_channel_open_agent on top of it. */
#include "chan.h"

#include <string.h>

/* An address or path field: over its limit, NS_ERR_TOOBIG (the open alone
 * is refused); malformed, NS_ERR_FORMAT. */
static int field(ns_rd *r, size_t max, ns_str *v)
{
	if (ns_rd_string(r, v) != 0) {
		return NS_ERR_FORMAT;
	}
	return v->len > max || memchr(v->p, 0, v->len) != NULL ? NS_ERR_TOOBIG : 0;
}

static int port(ns_rd *r, uint32_t *v)
{
	if (ns_rd_u32(r, v) != 0 || *v > 65535) {
		return NS_ERR_FORMAT;
	}
	return 0;
}

static int tcpip(ns_rd *r, ns_chan_open_info *o)
{
	int rc;

	if ((rc = field(r, NS_CHAN_HOST_MAX, &o->host)) !=
	    0) { /* host to connect / address connected */
		return rc;
	}
	if ((rc = port(r, &o->port)) != 0) { /* port to connect / port connected */
		return rc;
	}
	if ((rc = field(r, NS_CHAN_HOST_MAX, &o->orig_host)) != 0) { /* originator IP address */
		return rc;
	}
	return port(r, &o->orig_port); /* originator port */
}

static int streamlocal(ns_rd *r, ns_chan_open_info *o, int direct)
{
	ns_str reserved;
	uint32_t reserved_u32;
	int rc;

	if ((rc = field(r, NS_CHAN_PATH_MAX, &o->host)) != 0) { /* socket path */
		return rc;
	}
	if (ns_rd_string(r, &reserved) != 0) { /* reserved (originator, unused) */
		return NS_ERR_FORMAT;
	}
	if (direct && ns_rd_u32(r, &reserved_u32) != 0) { /* reserved */
		return NS_ERR_FORMAT;
	}
	return 0;
}

int ns_channel_open_parse(ns_str type, ns_str data, ns_chan_open_info *out)
{
	ns_rd r;
	int rc;

	memset(out, 0, sizeof(*out));
	ns_rd_init(&r, data.p, data.len);
	if (ns_str_eq(type, NS_CHAN_DIRECT_TCPIP) || ns_str_eq(type, NS_CHAN_FORWARDED_TCPIP)) {
		rc = tcpip(&r, out);
	} else if (ns_str_eq(type, NS_CHAN_DIRECT_STREAMLOCAL)) {
		rc = streamlocal(&r, out, 1);
	} else if (ns_str_eq(type, NS_CHAN_FORWARDED_STREAMLOCAL)) {
		rc = streamlocal(&r, out, 0);
	} else {
		return NS_ERR_UNSUPPORTED;
	}
	if (rc == 0 && ns_rd_left(&r) != 0) {
		rc = NS_ERR_FORMAT; /* trailing bytes */
	}
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

int ns_channel_open_agent_parse(ns_str data, uint32_t *session)
{
	ns_rd r;

	*session = 0;
	ns_rd_init(&r, data.p, data.len);
	if (ns_rd_u32(&r, session) != 0 || ns_rd_left(&r) != 0) { /* session channel */
		*session = 0;
		return NS_ERR_FORMAT;
	}
	return 0;
}

int ns_channel_open_agent(ns_engine *e, uint32_t session, uint32_t *id)
{
	uint8_t data[4];
	ns_channel *c;
	ns_buf b;
	int rc;

	*id = 0;
	if ((rc = ns_chan_lookup(e, session, &c)) != 0) {
		return rc;
	}
	if (c->state != NS_CH_OPEN) {
		return NS_ERR_CLOSED;
	}
	ns_buf_init_fixed(&b, data, sizeof(data));
	ns_wr_u32(&b, c->remote_id); /* the session channel, as the peer numbers it */
	return ns_channel_open(e, NS_CHAN_AGENT_FWD, data, b.len, id);
}

int ns_channel_open(ns_engine *e, const char *type, const uint8_t *data, size_t len, uint32_t *id)
{
	ns_buf *m;
	uint32_t i;
	int rc;

	*id = 0;
	if (e->phase == NS_PH_CLOSED) {
		return NS_ERR_CLOSED;
	}
	if (!e->auth_done || type == NULL || strlen(type) > NS_NAME_MAX ||
	    len > NS_CHAN_OPEN_DATA_MAX || (len > 0 && data == NULL)) {
		return e->auth_done ? NS_ERR_INVALID : NS_ERR_STATE;
	}
	if (!ns_chan_room_for(e, 64 + len)) {
		return NS_ERR_AGAIN;
	}
	if ((rc = ns_chan_alloc_slot(e, &i)) != 0) {
		return rc;
	}
	m = ns_eng_msg(e, SSH_MSG_CHANNEL_OPEN);
	ns_wr_cstr(m, type);             /* channel type */
	ns_wr_u32(m, i);                 /* sender channel */
	ns_wr_u32(m, e->cfg.window);     /* initial window size */
	ns_wr_u32(m, e->cfg.max_packet); /* maximum packet size */
	if (len > 0) {
		ns_wr_bytes(m, data, len); /* channel type specific data */
	}
	if ((rc = ns_eng_send(e)) != 0) {
		return rc;
	}
	e->chans[i].state = NS_CH_OPENING;
	*id = i;
	return 0;
}

int ns_global_forward_parse(ns_str name, ns_str data, ns_chan_open_info *out)
{
	ns_rd r;
	int rc;

	memset(out, 0, sizeof(*out));
	ns_rd_init(&r, data.p, data.len);
	if (ns_str_eq(name, NS_GLOBAL_TCPIP_FORWARD) ||
	    ns_str_eq(name, NS_GLOBAL_CANCEL_TCPIP_FORWARD)) {
		if ((rc = field(&r, NS_CHAN_HOST_MAX, &out->host)) == 0) { /* address to bind */
			rc = port(&r, &out->port);                         /* port to bind */
		}
	} else if (ns_str_eq(name, NS_GLOBAL_STREAMLOCAL_FORWARD) ||
	           ns_str_eq(name, NS_GLOBAL_CANCEL_STREAMLOCAL_FORWARD)) {
		rc = field(&r, NS_CHAN_PATH_MAX, &out->host); /* socket path */
	} else {
		return NS_ERR_UNSUPPORTED;
	}
	if (rc == 0 && ns_rd_left(&r) != 0) {
		rc = NS_ERR_FORMAT; /* trailing bytes */
	}
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

int ns_channel_open_direct_tcpip(ns_engine *e, const char *host, uint32_t port,
                                 const char *orig_host, uint32_t orig_port, uint32_t *id)
{
	uint8_t data[2 * (4 + NS_CHAN_HOST_MAX) + 8];
	ns_buf w;

	*id = 0;
	if (host == NULL || orig_host == NULL || strlen(host) > NS_CHAN_HOST_MAX ||
	    strlen(orig_host) > NS_CHAN_HOST_MAX || port > 65535 || orig_port > 65535) {
		return NS_ERR_INVALID;
	}
	if (e->phase != NS_PH_CLOSED && e->role != NS_ROLE_CLIENT) {
		return NS_ERR_STATE;
	}
	ns_buf_init_fixed(&w, data, sizeof(data));
	ns_wr_cstr(&w, host);      /* host to connect */
	ns_wr_u32(&w, port);       /* port to connect */
	ns_wr_cstr(&w, orig_host); /* originator IP address */
	ns_wr_u32(&w, orig_port);  /* originator port */
	if (w.err != 0) {
		return NS_ERR_INVALID;
	}
	return ns_channel_open(e, NS_CHAN_DIRECT_TCPIP, data, w.len, id);
}
