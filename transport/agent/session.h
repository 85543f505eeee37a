/* The agent's session runtime: one ns_session per accepted "session"
 * channel. It answers the channel requests (pty-req, env, exec, shell,
 * window-change, signal, subsystem), runs the child in its own process group
 * on a PTY or three pipes, and moves bytes both ways under the channel's
 * flow control. The connection driver feeds it events and fd readiness. */
#ifndef NS_TRANSPORT_SESSION_H
#define NS_TRANSPORT_SESSION_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "nullspace/engine.h"

/* What a session needs from its connection; owned by the connection and
 * outliving its sessions. */
typedef struct ns_session_host {
	ns_engine *e;
	int epfd;
	uint32_t slot, gen; /* watch token parts of the connection */
	unsigned conn_id;   /* for log lines */
	FILE *log;
	const char *home; /* HOME and working folder of children; NULL: passwd's */
	char peer[64];    /* peer address, for SSH_CONNECTION-free logs */
	/* "PEER_IP PEER_PORT LOCAL_IP LOCAL_PORT" of the connection
	 * (ns_net_conn_addr), the base of SSH_CONNECTION and SSH_CLIENT. */
	char conn_addr[2 * 64 + 16];
	/* Restrictions from the login's certificate. */
	char *force_command; /* replaces every exec/shell request (malloc'd) */
	int no_pty;          /* the certificate lacks permit-pty */
	/* Logged in with a plain key of --authorized-keys, where the relay's
	 * --client-key goes (users come with certificates): the sessions' own
	 * nullspace-session@nullspace.dev requests are logged; from any other
	 * login they are refused. Log fields only, never a decision. */
	int relay_login;
} ns_session_host;

typedef struct ns_session ns_session;

/* A session on our channel id (after the open was accepted). */
int ns_session_new(ns_session_host *h, uint32_t channel, ns_session **out);
/* The channel is gone (closed, or the connection dropped): SIGHUP the
 * process group if the child still runs, close every fd, free. */
void ns_session_free(ns_session *s);

/* NS_EV_CHANNEL_REQUEST, NS_EV_CHANNEL_DATA, NS_EV_CHANNEL_EOF. */
/* info: the fields of a NS_CHAN_SESSION_INFO request (ns_event.info). */
void ns_session_request(ns_session *s, const ns_chan_request *req, const ns_session_info *info);
void ns_session_data(ns_session *s, uint32_t ext, ns_str data);
void ns_session_eof(ns_session *s);
/* NS_EV_CHANNEL_REPLY: the client answered a request of ours. */
void ns_session_reply(ns_session *s, int ok);
/* Readiness of one of the session's fds (NS_WATCH_CHILD_*). */
void ns_session_io(ns_session *s, unsigned kind, uint32_t events);
/* waitpid() reported pid: 1 when it was this session's child. */
int ns_session_reaped(ns_session *s, pid_t pid, int status);
/* After any engine activity: move pending bytes, send the exit status, EOF
 * and CLOSE once the child is reaped and its output drained, and set the
 * epoll interest of the child fds from the channel's window. */
void ns_session_sync(ns_session *s);

#endif
