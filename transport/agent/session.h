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

#include "iov.h"
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
	int no_port_fwd;     /* ... permit-port-forwarding */
	int no_agent_fwd;    /* ... permit-agent-forwarding */
	/* Logged in with a plain key of --authorized-keys, where the relay's
	 * --client-key goes (users come with certificates): the sessions' own
	 * nullspace-session@nullspace.dev requests are logged; from any other
	 * login they are refused. Beside the log it decides one thing: agent
	 * forwarding opens auth-agent@nullspace.dev (which names the session
	 * to the relay) rather than auth-agent@openssh.com; the relay decides
	 * whether any user gets it (session_agentfwd.c). */
	int relay_login;
	/* Channel data bound for one session's stdin, gathered over the
	 * packets of one read and written with one writev (ns_session_data,
	 * ns_session_input_flush): views into the engine's input, valid until
	 * the connection next asks it for input space. */
	ns_iov batch;
	struct ns_session *batch_owner; /* whose stdin; NULL when empty */
	/* The realloc of the bytes kept for a command's stdin (NULL: libc's;
	 * what it returns is freed with free()). Tests make it fail. */
	void *(*pend_realloc)(void *ptr, size_t size);
	/* Take a session made here for a channel opened here (an agent
	 * forwarding connection, session_agentfwd.c): 0, or an NS_ERR_* (the
	 * connection holds its most sessions) and the caller frees it. */
	int (*adopt)(struct ns_session_host *h, uint32_t id, struct ns_session *s);
} ns_session_host;

typedef struct ns_session ns_session;

/* A session on our channel id (after the open was accepted). */
int ns_session_new(ns_session_host *h, uint32_t channel, ns_session **out);
/* A forwarding channel's open (session_fwd.c): direct-tcpip (TCP to host
 * and port) or direct-streamlocal@openssh.com (a Unix socket path),
 * connected from inside the sandbox without blocking. 0 with *out: the
 * connect is under way or done (the session accepts or refuses the channel
 * itself; ns_session_dead() then says to drop it); otherwise (an NS_ERR_*)
 * the open is to be refused with *reason and msg (the refusal is logged). */
int ns_session_fwd_new(ns_session_host *h, uint32_t channel, const ns_event *ev, ns_session **out,
                       uint32_t *reason, char *msg, size_t cap);
/* A connection accepted by a remote forward's listener (agent_rfwd.c):
 * opens a channel of kind (forwarded-tcpip, forwarded-streamlocal) with
 * its open data; the session (owning fd) waits for the peer's answer. 0
 * with *out and *id (the channel), or an NS_ERR_* (fd is the caller's). */
int ns_session_fwd_accepted(ns_session_host *h, int fd, const char *kind, const char *target,
                            const uint8_t *data, size_t len, ns_session **out, uint32_t *id);
/* The part of that after the open: a session for fd on channel id, which
 * the caller opened (kind and target for the log). 0 with *out, or
 * NS_ERR_NOMEM (fd is the caller's). */
int ns_session_fwd_adopt(ns_session_host *h, int fd, const char *kind, const char *target,
                         uint32_t id, ns_session **out);
/* The peer's answer to that open (NS_EV_CHANNEL_OPENED / _OPEN_FAILED). */
void ns_session_fwd_opened(ns_session *s, int ok);
/* 1 when the session is over before it began (a forward's connect failed
 * and its channel was refused): the connection frees it. */
int ns_session_dead(const ns_session *s);
/* The channel is gone (closed, or the connection dropped): SIGHUP the
 * process group if the child still runs, close every fd, free. */
void ns_session_free(ns_session *s);

/* NS_EV_CHANNEL_REQUEST, NS_EV_CHANNEL_DATA, NS_EV_CHANNEL_EOF. */
/* info: the fields of a NS_CHAN_SESSION_INFO request (ns_event.info). */
void ns_session_request(ns_session *s, const ns_chan_request *req, const ns_session_info *info);
/* Data for the child's stdin is gathered in the host's batch while nothing
 * waits before it; the connection calls ns_session_input_flush before it
 * reads the socket again (the views move then) and after each feed. */
void ns_session_data(ns_session *s, uint32_t ext, ns_str data);
/* Writes the gathered data with one writev; what the pipe does not take is
 * kept (copied) for its EPOLLOUT, as before. */
void ns_session_input_flush(ns_session_host *h);
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
