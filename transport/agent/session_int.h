/* Inside the session runtime: the session record shared by session.c
 * (requests and lifecycle), session_io.c (byte moving) and session_spawn.c
 * (fork and exec). */
#ifndef NS_TRANSPORT_SESSION_INT_H
#define NS_TRANSPORT_SESSION_INT_H

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "watch.h"
#include "call_check.h"
#include "session.h"
#include "session_util.h"

/* Bytes read from a child at a time, at most (4 reads a wakeup). Picked by
 * measurement (1 GiB `head -c` from ssh straight to the agent, best of 3,
 * agent CPU-s per GiB, on a loaded 2-core machine): 16 KiB 1.89, 64 KiB
 * 1.79, 256 KiB 2.03. 64 KiB reads once stalled streams (issue 10): they
 * filled the connection's output in one wakeup, and the pump judged the
 * session's watch before sending that output (fixed in agent_conn.c;
 * interop/agent_wakeup.sh). */
#define NS_SESSION_CHUNK 65536
/* A pipe to or from a child grows to this once bulk data flows through it
 * (a full pipe, a full read): fewer wakeups and context switches. Idle
 * sessions keep the kernel's default, since pipe capacity counts against
 * the user's limit (fs.pipe-user-pages-soft) even while empty. */
#define NS_SESSION_PIPE_BULK (1024 * 1024)
/* ... and until then a pipe holds this much: 2 pages, the least the kernel
 * itself gives a user over fs.pipe-user-pages-soft (16384 pages). At the
 * kernel's default of 16 pages, 3 pipes a session, an unprivileged sandbox
 * user passed that limit at 341 idle sessions, and every later session got
 * 2-page pipes that could never grow; at 2 pages it passes it at 2730. */
#define NS_SESSION_PIPE_IDLE 8192
#define NS_SESSION_TERM_MAX 64 /* TERM from pty-req */
/* " key_id=K serial=N src=A" from the relay's nullspace-session request:
 * a key id of up to 64 characters and an IPv6 address fit. */
#define NS_SESSION_WHO_MAX 160
#define NS_SESSION_PEND_MAX NS_DEFAULT_WINDOW /* stdin bytes held: our window */
#define NS_SESSION_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define NS_SESSION_ADDR_MAX (NS_CHAN_SOURCE_MAX + 1) /* an address as text */
#define NS_SESSION_SHELL "/bin/sh" /* SHELL without a passwd entry; the fallback */

/* Who a session's child runs as, for its environment (session_login.c). */
typedef struct ns_session_login {
	char user[64];   /* USER, LOGNAME */
	char home[512];  /* HOME and the starting folder */
	char shell[256]; /* SHELL: the passwd entry's, else NS_SESSION_SHELL */
	/* What runs: shell when executable, else NS_SESSION_SHELL when that
	 * is, else "" (no shell in this root: the child says so, exit 127). */
	char run[256];
} ns_session_login;

struct ns_session {
	ns_session_host *h;
	uint32_t channel;
	/* requests */
	int pty;           /* pty-req accepted: master/slave open */
	int master, slave; /* pty ends (the slave closes after fork) */
	char term[NS_SESSION_TERM_MAX];
	char *env[NS_SESSION_ENV_MAX]; /* "NAME=VALUE" from allowed env requests */
	int nenv;
	const char *kind;                 /* "exec" or "shell" once started, else NULL */
	int refusing;                     /* a subsystem: FAILURE after our keepalive */
	int ending;                       /* refused or failed: EOF and CLOSE owed */
	char who[NS_SESSION_WHO_MAX];     /* appended to the session lines, or "" */
	char src_ip[NS_SESSION_ADDR_MAX]; /* the user's address behind the relay, or "" */
	/* the child */
	pid_t pid; /* 0 before the start */
	int reaped, status;
	ns_watch in, out, err; /* the parent's ends */
	int out_eof, err_eof;
	/* client -> child stdin: bytes taken from the channel that the pipe
	 * did not take at once (data goes straight to the pipe while none
	 * waits); allocated only while some wait */
	uint8_t *pend;
	size_t pend_off, pend_len, pend_cap; /* bytes at pend + pend_off */
	int client_eof;
	int grown[3]; /* stdin, stdout, stderr pipe made NS_SESSION_PIPE_BULK */
	/* the end */
	int exit_sent, eof_sent, close_sent;
	uint64_t bytes_in, bytes_out;
	/* a forward (session_fwd.c): in and out are the socket (out the fd,
	 * in a dup of it), no child; or NULL */
	struct ns_session_fwd *fwd;
	int dead; /* the open failed: the connection drops the session */
	/* agent forwarding (session_agentfwd.c): SSH_AUTH_SOCK's folder and
	 * listening socket, or NULL */
	struct ns_session_agentfwd *agent;
};

/* session.c: the channel fails (our failure mid-stream, e.g. no memory
 * for the command's input): EOF and CLOSE, no exit status; the command
 * gets SIGHUP when the channel is freed. */
void ns_session_fail(ns_session *s);

/* session_spawn.c: fork and exec the shell (command NULL) or /bin/sh -c
 * command, on the PTY if one was requested, else on three pipes. */
int ns_session_spawn(ns_session *s, const char *command);
/* The child's user, home and shell: passwd's for our uid, else (a minimal
 * root) root or uidN, $HOME or / and NS_SESSION_SHELL; --home wins. Logs
 * a shell fallback and a missing shell. */
void ns_session_login_get(const ns_session *s, ns_session_login *out);
/* SSH_CONNECTION ("CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT") or, with
 * legacy, SSH_CLIENT ("CLIENT_IP CLIENT_PORT SERVER_PORT"); behind the
 * relay the client is the user (port 0: the relay does not pass it). */
void ns_session_conn_env(const ns_session *s, char *out, size_t cap, int legacy);

/* session_fwd.c */
/* The socket is connected (or failed): the channel is accepted (or
 * refused, and dead set). Called on the out watch while connecting. */
void ns_session_fwd_io(ns_session *s);
/* 1 while the connect is under way (no channel yet: nothing to move). */
int ns_session_fwd_connecting(const ns_session *s);
/* Log the end of the forward (once). */
void ns_session_fwd_log_end(ns_session *s, const char *why);
void ns_session_fwd_free(ns_session *s);

/* session_agentfwd.c */
/* auth-agent-req@openssh.com: 1 when SSH_AUTH_SOCK is there (made now, or
 * before), 0 refused (logged). */
int ns_session_agentfwd_req(ns_session *s);
/* SSH_AUTH_SOCK's value, or NULL. */
const char *ns_session_agentfwd_path(const ns_session *s);
/* The socket is readable: each connection opens a channel back. */
void ns_session_agentfwd_accept(ns_session *s);
/* Close the socket, remove it and its folder. */
void ns_session_agentfwd_free(ns_session *s);

/* session_io.c */
void ns_session_io_stdin(ns_session *s);           /* write pending bytes to the child */
void ns_session_io_read(ns_session *s, int which); /* 0 stdout/pty, 1 stderr */
void ns_session_io_interest(ns_session *s);
void ns_session_io_finish(ns_session *s); /* exit status, EOF, CLOSE when due */

#endif
