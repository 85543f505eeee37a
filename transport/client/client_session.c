/* One session channel of the built-in client: open, pty-req and exec/shell
 * with their replies, exit-status/exit-signal, FAILURE for any other
 * want_reply request (sshd's keepalive@openssh.com), until CHANNEL_CLOSED. */
#include <stdio.h>
#include <string.h>

#include "client_util.h"
#include "client_fwd.h"
#include "client_int.h"

static ns_str cstr(const char *s)
{
	ns_str r = {(const uint8_t *)s, s != NULL ? strlen(s) : 0};
	return r;
}

int ns_sess_start(ns_sess *s, ns_client *c, ns_sess_data_fn data, void *ud)
{
	int rc;

	s->c = c;
	s->data = data;
	s->ud = ud;
	s->state = NS_SESS_OPENING;
	s->replies_due = 0;
	s->pty_refused = 0;
	s->peer_eof = 0;
	s->want_close = 0;
	s->exit_status = -1;
	s->signame[0] = '\0';
	c->err[0] = '\0';
	if (c->gone || ns_engine_closed(c->e)) {
		s->state = NS_SESS_CLOSED;
		return ns_cio_fail(c, NS_ERR_CLOSED, "the connection to %s is closed", c->host);
	}
	if ((rc = ns_channel_open_session(c->e, &s->id)) != 0) {
		s->state = NS_SESS_CLOSED;
		return ns_cio_fail(c, rc, "cannot open a session channel: %s", ns_strerror(rc));
	}
	return 0;
}

static int send_requests(ns_sess *s)
{
	ns_chan_request r;
	int rc;

	if (s->want_pty) {
		r = s->pty;
		r.type = cstr("pty-req");
		r.want_reply = 1;
		if ((rc = ns_channel_request(s->c->e, s->id, &r)) != 0) {
			return ns_cio_fail(s->c, rc, "cannot request a PTY: %s", ns_strerror(rc));
		}
		s->replies_due++;
	}
	memset(&r, 0, sizeof(r));
	r.want_reply = 1;
	r.type = cstr(s->command != NULL ? "exec" : "shell");
	r.command = cstr(s->command);
	if ((rc = ns_channel_request(s->c->e, s->id, &r)) != 0) {
		return ns_cio_fail(s->c, rc, "cannot start the command: %s", ns_strerror(rc));
	}
	s->replies_due++;
	s->state = NS_SESS_STARTING;
	return 0;
}

static int on_reply(ns_sess *s, int ok)
{
	if (s->state != NS_SESS_STARTING || s->replies_due == 0) {
		return 0;
	}
	s->replies_due--;
	if (s->want_pty && s->replies_due == 1) {
		s->pty_refused = !ok;
		return 0;
	}
	if (!ok) {
		s->want_close = 1;
		ns_sess_retry(s);
		return ns_cio_fail(s->c, NS_ERR_STATE, "%s refused to run %s", s->c->host,
		                   s->command != NULL ? "the command" : "a shell");
	}
	s->state = NS_SESS_RUNNING;
	return 0;
}

static int on_request(ns_sess *s, const ns_chan_request *req)
{
	size_t n;

	if (req->type.len == 11 && memcmp(req->type.p, "exit-status", 11) == 0) {
		s->exit_status = (int)(req->exit_status & 0x7fffffff);
		return 0;
	}
	if (req->type.len == 11 && memcmp(req->type.p, "exit-signal", 11) == 0) {
		n = req->signal.len < sizeof(s->signame) - 1 ? req->signal.len
		                                             : sizeof(s->signame) - 1;
		memcpy(s->signame, req->signal.p, n);
		s->signame[n] = '\0';
		return 0;
	}
	if (req->want_reply) {
		/* e.g. keepalive@openssh.com; always queued (never NS_ERR_AGAIN) */
		ns_call_check(s->c->e, NULL, "client", 0, "channel_reply",
		              ns_channel_reply(s->c->e, s->id, 0));
	}
	return 0;
}

void ns_sess_retry(ns_sess *s)
{
	ns_engine *e = s->c->e;

	if (s->state == NS_SESS_OPENING || s->state == NS_SESS_CLOSED || s->c->gone) {
		return;
	}
	if (s->want_close && ns_channel_close(e, s->id) != NS_ERR_AGAIN) {
		s->want_close = 0;
	}
	ns_call_check(e, NULL, "client", 0, "channel_consumed", ns_channel_consumed(e, s->id, 0));
}

static int open_failed(ns_sess *s, const ns_event *ev)
{
	s->state = NS_SESS_CLOSED;
	return ns_cio_fail(s->c, NS_ERR_STATE, "%s refused the session channel: %.*s (reason %u)",
	                   s->c->host, (int)(ev->message.len > 200 ? 200 : ev->message.len),
	                   (const char *)ev->message.p, ev->reason);
}

int ns_sess_handle(ns_sess *s, const ns_event *ev)
{
	if (ev->type == NS_EV_DISCONNECT) {
		if (s->state == NS_SESS_CLOSED) {
			return 0; /* the session ended first: its result stands */
		}
		s->state = NS_SESS_CLOSED;
		return ns_cio_disconnected(s->c, ev);
	}
	if (ev->channel != s->id || s->state == NS_SESS_CLOSED) {
		return 0; /* global events, other channels */
	}
	switch (ev->type) {
	case NS_EV_CHANNEL_OPENED: return send_requests(s);
	case NS_EV_CHANNEL_OPEN_FAILED: return open_failed(s, ev);
	case NS_EV_CHANNEL_REPLY: return on_reply(s, ev->ok);
	case NS_EV_CHANNEL_REQUEST: return on_request(s, &ev->req);
	case NS_EV_CHANNEL_DATA:
		if (ev->data.len == 0) {
			return 0;
		}
		return s->data(s, ev->ext, ev->data.p, ev->data.len);
	case NS_EV_CHANNEL_EOF: s->peer_eof = 1; return 0;
	case NS_EV_CHANNEL_CLOSED: s->state = NS_SESS_CLOSED; return 0;
	default: return 0;
	}
}

int ns_sess_events(ns_sess *s)
{
	ns_event ev = NS_EVENT_INIT;
	int rc, first = 0;

	for (;;) {
		if ((rc = ns_cio_event(s->c, &ev)) != 0) {
			return ns_cio_fail(s->c, rc, "SSH engine: %s", ns_strerror(rc));
		}
		if (ev.type == NS_EV_NONE) {
			return first;
		}
		if (ns_cfwd_event(s->c->fwd, &ev)) {
			continue; /* a forwarded connection's channel */
		}
		rc = ns_sess_handle(s, &ev);
		if (rc != 0 && first == 0) {
			first = rc; /* keep going: the close must still come */
		}
	}
}

int ns_sess_exit_code(const ns_sess *s)
{
	int n;

	if (s->signame[0] != '\0') {
		n = ns_client_signal_number(s->signame, strlen(s->signame));
		return n > 0 ? 128 + n : 255;
	}
	if (s->exit_status >= 0) {
		return s->exit_status & 0xff;
	}
	return 255;
}
