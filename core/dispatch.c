/* Routes each decrypted packet by message number and connection phase
 * (RFC 4253 7.1 and 11, strict kex): transport messages here, key exchange,
 * user auth and connection messages to their layers; anything else gets
 * SSH_MSG_UNIMPLEMENTED. */
#include "engine_int.h"
#include "kex.h"

static int on_disconnect(ns_engine *e, ns_rd *r)
{
	uint32_t reason;
	ns_str desc, lang;

	ns_rd_u32(r, &reason);                   /* reason code */
	ns_rd_string_max(r, NS_TEXT_MAX, &desc); /* description */
	ns_rd_string_max(r, NS_TEXT_MAX, &lang); /* language tag */
	if (r->err) {
		/* Still a disconnect: report it without the text. */
		desc.p = NULL;
		desc.len = 0;
	}
	return ns_eng_peer_disconnected(e, reason, desc);
}

static int send_unimplemented(ns_engine *e)
{
	ns_buf *m = ns_eng_msg(e, SSH_MSG_UNIMPLEMENTED);

	ns_wr_u32(m, e->rx_seq_cur); /* packet sequence number of rejected message */
	return ns_eng_send(e);
}

static int is_kex_message(uint8_t type)
{
	return type == SSH_MSG_KEXINIT || type == SSH_MSG_NEWKEYS ||
	       (type >= SSH_MSG_KEX_ECDH_INIT && type <= 49);
}

/* Strict kex: during the initial exchange only kex messages and DISCONNECT. */
static int strict_violation(const ns_engine *e, uint8_t type)
{
	return e->strict && !e->kex_first_done && !is_kex_message(type) &&
	       type != SSH_MSG_DISCONNECT;
}

static int transport_message(ns_engine *e, uint8_t type, ns_rd *r, ns_str payload)
{
	switch (type) {
	case SSH_MSG_DISCONNECT: return on_disconnect(e, r);
	case SSH_MSG_IGNORE:
	case SSH_MSG_DEBUG:
	case SSH_MSG_UNIMPLEMENTED: return 0;
	default: return ns_kex_dispatch(e, type, r, payload);
	}
}

int ns_eng_dispatch(ns_engine *e, ns_str payload)
{
	uint8_t type = payload.p[0];
	ns_rd r;

	ns_rd_init(&r, payload.p + 1, payload.len - 1);
	if (strict_violation(e, type)) {
		return ns_eng_fail(
		    e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		    "strict KEX violation: unexpected message during initial key exchange");
	}
	if ((type >= SSH_MSG_DISCONNECT && type <= SSH_MSG_DEBUG) || is_kex_message(type)) {
		return transport_message(e, type, &r, payload);
	}
	/* The first exchange carries only kex messages. A re-exchange may
	 * carry the peer's other messages too: RFC 4253 7.1 tells a sender
	 * not to send them between its KEXINIT and its NEWKEYS, but OpenSSH
	 * processes them as usual and asyncssh sends what it had queued, so
	 * they are taken (what we answer waits in e->deferred). */
	if (!e->kex_first_done || e->phase == NS_PH_KEX) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "unexpected message during key exchange");
	}
	if ((type >= SSH_MSG_SERVICE_REQUEST && type <= SSH_MSG_EXT_INFO) ||
	    (type >= SSH_MSG_USERAUTH_REQUEST && type <= 79)) {
		return e->role == NS_ROLE_SERVER ? ns_auth_server_dispatch(e, type, &r)
		                                 : ns_auth_client_dispatch(e, type, &r);
	}
	if (type >= SSH_MSG_GLOBAL_REQUEST && type <= 127) {
		if (!e->auth_done) {
			return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
			                   "connection message before authentication");
		}
		return ns_conn_dispatch(e, type, &r);
	}
	return send_unimplemented(e);
}
