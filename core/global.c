/* Global requests (RFC 4254 4): the peer's are answered here (FAILURE to all
 * but no-more-sessions@openssh.com; no forwarding is offered); ours are
 * keepalive@openssh.com probes, whose replies prove the peer alive. */
#include "chan.h"

static int send_answer(ns_engine *e, int ok)
{
	ns_eng_msg(e, ok ? SSH_MSG_REQUEST_SUCCESS : SSH_MSG_REQUEST_FAILURE);
	return ns_eng_send(e);
}

int ns_global_on_request(ns_engine *e, ns_rd *r)
{
	ns_str name;
	int want_reply, ok = 0;

	if (ns_global_request_parse(r, &name, &want_reply) != 0) {
		return ns_eng_fail(e, NS_ERR_FORMAT, NS_DISC_PROTOCOL_ERROR,
		                   "malformed GLOBAL_REQUEST");
	}
	if (ns_str_eq(name, "no-more-sessions@openssh.com")) {
		e->no_more_sessions = 1; /* a later session open disconnects */
		ok = 1;
	}
	/* keepalive@openssh.com, tcpip-forward, cancel-tcpip-forward,
	 * streamlocal-forward@openssh.com, hostkeys-00@openssh.com, ...:
	 * refused (replies go out in request order, as each arrives). */
	return want_reply ? send_answer(e, ok) : 0;
}

int ns_global_on_reply(ns_engine *e, ns_rd *r)
{
	(void)r; /* REQUEST_SUCCESS may carry request-specific data: unused */
	if (e->global_out == 0) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "global request reply without a request");
	}
	e->global_out--;
	e->keepalive_out = 0; /* the peer is alive */
	return 0;
}

int ns_global_keepalive(ns_engine *e)
{
	ns_buf *m = ns_eng_msg(e, SSH_MSG_GLOBAL_REQUEST);
	int rc;

	ns_wr_cstr(m, "keepalive@openssh.com"); /* request name */
	ns_wr_bool(m, 1);                       /* want reply */
	if ((rc = ns_eng_send(e)) == 0) {
		e->global_out++;
	}
	return rc;
}
