/* Channels we open (RFC 4254 5.1): "session" (6.1) and "direct-tcpip"
 * (7.2, ssh -L), client role only, after authentication. The peer's
 * answer arrives as NS_EV_CHANNEL_OPENED or NS_EV_CHANNEL_OPEN_FAILED. */
#include "chan.h"

#include <string.h>

/* CHANNEL_OPEN of type, up to its type-specific data: the slot in *id,
 * the message in *m (the caller writes the rest and sends it). */
static int open_begin(ns_engine *e, const char *type, size_t extra, uint32_t *id, ns_buf **m)
{
	int rc;

	*id = 0;
	if (e->phase == NS_PH_CLOSED) {
		return NS_ERR_CLOSED;
	}
	if (e->role != NS_ROLE_CLIENT || !e->auth_done) {
		return NS_ERR_STATE;
	}
	if (!ns_chan_room_for(e, 64 + extra)) {
		return NS_ERR_AGAIN;
	}
	if ((rc = ns_chan_alloc_slot(e, id)) != 0) {
		return rc;
	}
	*m = ns_eng_msg(e, SSH_MSG_CHANNEL_OPEN);
	ns_wr_cstr(*m, type);             /* channel type */
	ns_wr_u32(*m, *id);               /* sender channel */
	ns_wr_u32(*m, e->cfg.window);     /* initial window size */
	ns_wr_u32(*m, e->cfg.max_packet); /* maximum packet size */
	return 0;
}

static int open_send(ns_engine *e, uint32_t i, uint32_t *id)
{
	int rc;

	if ((rc = ns_eng_send(e)) != 0) {
		*id = 0;
		return rc;
	}
	e->chans[i].state = NS_CH_OPENING;
	*id = i;
	return 0;
}

int ns_channel_open_session(ns_engine *e, uint32_t *id)
{
	ns_buf *m;
	uint32_t i;
	int rc;

	*id = 0;
	if ((rc = open_begin(e, "session", 0, &i, &m)) != 0) {
		return rc;
	}
	return open_send(e, i, id);
}

int ns_channel_open_direct_tcpip(ns_engine *e, const char *host, uint32_t port,
                                 const char *orig_host, uint32_t orig_port, uint32_t *id)
{
	ns_buf *m;
	uint32_t i;
	int rc;

	*id = 0;
	if (host == NULL || orig_host == NULL || strlen(host) > NS_CHAN_HOST_MAX ||
	    strlen(orig_host) > NS_CHAN_HOST_MAX || port > 65535 || orig_port > 65535) {
		return NS_ERR_INVALID;
	}
	if ((rc = open_begin(e, "direct-tcpip", 16 + strlen(host) + strlen(orig_host), &i, &m)) !=
	    0) {
		return rc;
	}
	ns_wr_cstr(m, host);      /* host to connect */
	ns_wr_u32(m, port);       /* port to connect */
	ns_wr_cstr(m, orig_host); /* originator IP address */
	ns_wr_u32(m, orig_port);  /* originator port */
	return open_send(e, i, id);
}
