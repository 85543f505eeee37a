/* Session channel requests and lifecycle for the agent: pty-req, env, exec,
 * shell, window-change, signal, eow, auth-agent-req (session_agentfwd.c)
 * and the refused subsystems; creating and
 * freeing a session, and noticing its child's exit. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "log_str.h"
#include "nullspace/error.h"
#include "session_int.h"
#include "log_str.h"
#include "refuse.h"
#include "wire.h"

#define COMMAND_MAX (256 * 1024)

int ns_session_new(ns_session_host *h, uint32_t channel, ns_session **out)
{
	ns_session *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL) {
		return NS_ERR_NOMEM;
	}
	s->h = h;
	s->channel = channel;
	s->master = s->slave = -1;
	ns_watch_init(&s->in, -1, 0);
	ns_watch_init(&s->out, -1, 0);
	ns_watch_init(&s->err, -1, 0);
	*out = s;
	return 0;
}

void ns_session_free(ns_session *s)
{
	int i, fwd;

	if (s == NULL) {
		return;
	}
	if (s->h->batch_owner == s) {
		ns_session_input_flush(s->h); /* what came before the close */
	}
	if (s->pid > 0 && !s->reaped) {
		kill(-s->pid, SIGHUP);
	}
	fwd = s->fwd != NULL;
	ns_session_fwd_free(s); /* logs a forward's end */
	ns_session_agentfwd_free(s);
	if (s->kind != NULL && !s->close_sent && !fwd) {
		fprintf(
		    s->h->log,
		    "agent event=session-end conn=%u channel=%u exit=none reason=channel-closed "
		    "bytes_in=%llu bytes_out=%llu%s\n",
		    s->h->conn_id, s->channel, (unsigned long long)s->bytes_in,
		    (unsigned long long)s->bytes_out, s->who);
	}
	ns_watch_close(s->h->epfd, &s->in);
	ns_watch_close(s->h->epfd, &s->out);
	ns_watch_close(s->h->epfd, &s->err);
	if (s->master >= 0) {
		close(s->master);
	}
	if (s->slave >= 0) {
		close(s->slave);
	}
	for (i = 0; i < s->nenv; i++) {
		free(s->env[i]);
	}
	free(s->pend);
	free(s);
}

int ns_session_reaped(ns_session *s, pid_t pid, int status)
{
	if (s->pid != pid || s->reaped) {
		return 0;
	}
	s->reaped = 1;
	s->status = status;
	return 1;
}

static void reply(ns_session *s, const ns_chan_request *req, int ok)
{
	if (req->want_reply) {
		ns_call_check(s->h->e, s->h->log, "agent", s->h->conn_id, "channel_reply",
		              ns_channel_reply(s->h->e, s->channel, ok));
	}
}

static void set_winsize(int fd, const ns_chan_request *req)
{
	struct winsize ws;

	memset(&ws, 0, sizeof(ws));
	ws.ws_col = (unsigned short)(req->cols > 0xffff ? 0xffff : req->cols);
	ws.ws_row = (unsigned short)(req->rows > 0xffff ? 0xffff : req->rows);
	ws.ws_xpixel = (unsigned short)(req->width_px > 0xffff ? 0xffff : req->width_px);
	ws.ws_ypixel = (unsigned short)(req->height_px > 0xffff ? 0xffff : req->height_px);
	ioctl(fd, TIOCSWINSZ, &ws);
}

static int term_ok(ns_str t)
{
	size_t i;

	for (i = 0; i < t.len; i++) {
		if (t.p[i] <= 0x20 || t.p[i] >= 0x7f) {
			return 0;
		}
	}
	return 1;
}

/* Why a pty-req is refused, or NULL. */
static const char *pty_refusal(const ns_session *s, const ns_chan_request *req)
{
	if (s->h->no_pty) {
		return "no-permit-pty"; /* the certificate has no permit-pty */
	}
	if (s->pty || s->kind != NULL) {
		return "out-of-order";
	}
	if (req->term.len >= NS_SESSION_TERM_MAX) {
		return "term-too-long";
	}
	return term_ok(req->term) ? NULL : "term-invalid";
}

/* No PTY can be opened in this root (no /dev/ptmx, no devpts mounted on
 * /dev/pts, or out of ptys): the reason goes to the log and, on stderr,
 * to the user, whose client then says only that the request failed. */
static int pty_unavailable(ns_session *s, int err)
{
	const char *why = "openpty-failed", *msg = "no PTY could be opened";
	char line[160];
	size_t took = 0;
	int n;

	if (access("/dev/ptmx", F_OK) != 0) {
		why = "no-ptmx";
		msg = "no PTY in this sandbox: /dev/ptmx is missing";
	} else if (access("/dev/pts/ptmx", F_OK) != 0) {
		why = "no-devpts";
		msg = "no PTY in this sandbox: devpts is not mounted on /dev/pts";
	}
	fprintf(s->h->log,
	        "agent event=request-refused conn=%u channel=%u type=pty-req reason=%s "
	        "error=\"%s\"\n",
	        s->h->conn_id, s->channel, why, strerror(err));
	n = snprintf(line, sizeof(line), "nullspace agent: %s (%s)\r\n", msg, strerror(err));
	if (n > 0 && (size_t)n < sizeof(line)) {
		/* best effort: a shut window cuts the message, the refusal stands */
		(void)!ns_channel_write(s->h->e, s->channel, 1, (const uint8_t *)line, (size_t)n,
		                        &took);
	}
	return 0;
}

/* pty-req: open the PTY now, so its modes and size are set before exec. */
static int pty_req(ns_session *s, const ns_chan_request *req)
{
	const char *why = pty_refusal(s, req);
	struct termios t;

	if (why == NULL && openpty(&s->master, &s->slave, NULL, NULL, NULL) != 0) {
		s->master = s->slave = -1;
		return pty_unavailable(s, errno);
	}
	if (why != NULL) {
		fprintf(s->h->log,
		        "agent event=request-refused conn=%u channel=%u type=pty-req reason=%s\n",
		        s->h->conn_id, s->channel, why);
		return 0;
	}
	fcntl(s->master, F_SETFD, FD_CLOEXEC);
	fcntl(s->slave, F_SETFD, FD_CLOEXEC);
	if (tcgetattr(s->slave, &t) == 0) {
		ns_session_modes_apply(req->modes, &t);
		tcsetattr(s->slave, TCSANOW, &t);
	}
	set_winsize(s->master, req);
	ns_str_copy(req->term, s->term, sizeof(s->term));
	s->pty = 1;
	return 1;
}

static int env_req(ns_session *s, const ns_chan_request *req)
{
	char *line;

	if (s->kind != NULL || s->nenv >= NS_SESSION_ENV_MAX ||
	    !ns_session_env_allowed(req->name, req->value)) {
		return 0;
	}
	line = malloc(req->name.len + req->value.len + 2);
	if (line == NULL) {
		return 0;
	}
	memcpy(line, req->name.p, req->name.len);
	line[req->name.len] = '=';
	if (req->value.len > 0) {
		memcpy(line + req->name.len + 1, req->value.p, req->value.len);
	}
	line[req->name.len + 1 + req->value.len] = '\0';
	s->env[s->nenv++] = line;
	return 1;
}

static int start(ns_session *s, const ns_chan_request *req, int exec)
{
	char *cmd = NULL;
	int rc;

	if (s->kind != NULL || (exec && (req->command.len > COMMAND_MAX ||
	                                 (req->command.len > 0 &&
	                                  memchr(req->command.p, 0, req->command.len) != NULL)))) {
		return 0;
	}
	if (s->h->force_command != NULL) {
		/* The certificate's force-command replaces whatever was asked. */
		if ((cmd = strdup(s->h->force_command)) == NULL) {
			return 0;
		}
	} else if (exec) {
		if ((cmd = malloc(req->command.len + 1)) == NULL) {
			return 0;
		}
		if (req->command.len > 0) {
			memcpy(cmd, req->command.p, req->command.len);
		}
		cmd[req->command.len] = '\0';
	}
	rc = ns_session_spawn(s, cmd);
	free(cmd);
	if (rc != 0) {
		return 0;
	}
	s->kind = exec ? "exec" : "shell";
	fprintf(s->h->log, "agent event=session-start conn=%u channel=%u kind=%s pty=%s%s\n",
	        s->h->conn_id, s->channel, s->kind, s->pty ? "yes" : "no", s->who);
	return 1;
}

static int signal_req(ns_session *s, const ns_chan_request *req)
{
	int sig = ns_session_signal_number(req->signal);

	if (sig == 0 || s->pid <= 0 || s->reaped) {
		return 0;
	}
	return kill(-s->pid, sig) == 0;
}

/* eow@openssh.com (OpenSSH PROTOCOL 2.1): the client can take no more
 * output (its reader is gone, as in `ssh host yes | head -1`). As sshd
 * does, close our end of the command's stdout so its next write fails
 * with SIGPIPE, and send nothing more of it; stderr stays. On a PTY the
 * master also carries stdin: left alone. */
static void eow_req(ns_session *s)
{
	if (s->pty || s->out.fd < 0) {
		return;
	}
	ns_watch_close(s->h->epfd, &s->out);
	s->out_eof = 1;
	fprintf(s->h->log, "agent event=eow conn=%u channel=%u\n", s->h->conn_id, s->channel);
}

/* 1 when text is an IPv4 or IPv6 address, nothing else. */
static int is_ip(const char *text)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, text, buf) == 1 || inet_pton(AF_INET6, text, buf) == 1;
}

/* nullspace-session@nullspace.dev: who the relay let in (the user's
 * certificate key id and serial, the user's address), for this session's
 * log lines. Taken once, before exec/shell, and only on a relay's login
 * (ns_session_host.relay_login); sanitised; never used for a decision. */
static int session_info_req(ns_session *s, const ns_session_info *req)
{
	const char *why = NULL;
	char id[65], src[NS_CHAN_SOURCE_MAX + 1];

	if (!s->h->relay_login) {
		why = "not-relay";
	} else if (s->kind != NULL || s->who[0] != '\0') {
		why = "out-of-order";
	}
	if (why != NULL) {
		fprintf(s->h->log,
		        "agent event=request-refused conn=%u channel=%u type=%s reason=%s\n",
		        s->h->conn_id, s->channel, NS_CHAN_SESSION_INFO, why);
		return 0;
	}
	ns_log_str(req->key_id, id, sizeof(id));
	ns_log_str(req->source, src, sizeof(src));
	snprintf(s->who, sizeof(s->who), " key_id=%s serial=%llu src=%s", id[0] ? id : "-",
	         (unsigned long long)req->serial, src[0] ? src : "-");
	if (is_ip(src)) {
		snprintf(s->src_ip, sizeof(s->src_ip), "%s", src); /* for SSH_CONNECTION */
	}
	return 1;
}

/* A refused session ran no command: EOF and CLOSE go as soon as the engine
 * takes them. It does not during a key exchange or with its output full
 * (NS_ERR_AGAIN): then ns_session_sync tries again, so the client never
 * waits for a close that was dropped. */
static void refused_close(ns_session *s)
{
	if (!s->eof_sent && ns_channel_eof(s->h->e, s->channel) == 0) {
		s->eof_sent = 1;
	}
	if (s->eof_sent && !s->close_sent && ns_channel_close(s->h->e, s->channel) == 0) {
		s->close_sent = 1;
	}
}

void ns_session_fail(ns_session *s)
{
	ns_watch_close(s->h->epfd, &s->in);
	ns_watch_close(s->h->epfd, &s->out);
	ns_watch_close(s->h->epfd, &s->err);
	s->ending = 1;
	s->exit_sent = 1;
	refused_close(s);
}

static void refuse_end(ns_session *s)
{
	s->refusing = 0;
	s->ending = 1;
	s->exit_sent = 1;
	refused_close(s);
}

/* Subsystems (sftp and all others) are refused with a message on stderr,
 * then the channel is closed. OpenSSH's ssh dies at once on a FAILURE for
 * its subsystem, dropping stderr it has not written yet; so the FAILURE
 * waits for the client's answer to a keepalive sent after the message: by
 * then ssh has processed the message and writes it before reading on. */
static void subsystem_req(ns_session *s, const ns_chan_request *req)
{
	char name[64];

	if (s->kind != NULL || s->refusing) {
		reply(s, req, 0);
		return;
	}
	ns_log_str(req->command, name, sizeof(name));
	fprintf(s->h->log,
	        "agent event=subsystem-refused conn=%u channel=%u subsystem=%s "
	        "reason=subsystems-not-supported\n",
	        s->h->conn_id, s->channel, name);
	if (ns_refuse_subsystem(s->h->e, s->channel, NS_SUBSYSTEM_REFUSAL_AGENT, req->want_reply) !=
	    0) {
		if (req->want_reply) {
			reply(s, req, 0);
		}
		refuse_end(s);
		return;
	}
	s->refusing = 1;
}

void ns_session_reply(ns_session *s, int ok)
{
	(void)ok;
	if (s->refusing) {
		ns_call_check(s->h->e, s->h->log, "agent", s->h->conn_id, "channel_reply",
		              ns_channel_reply(s->h->e, s->channel, 0));
		refuse_end(s);
	}
}

void ns_session_request(ns_session *s, const ns_chan_request *req, const ns_session_info *info)
{
	ns_str t = req->type;
	int ok = 0;

	if (s->close_sent || s->ending || s->fwd != NULL ||
	    (s->refusing && !ns_str_eq(t, "subsystem"))) {
		reply(s, req, 0); /* a forward takes no request */
		return;
	}
	if (ns_str_eq(t, "subsystem")) {
		subsystem_req(s, req);
		return;
	}
	if (ns_str_eq(t, "pty-req")) {
		ok = pty_req(s, req);
	} else if (ns_str_eq(t, "env")) {
		ok = env_req(s, req);
	} else if (ns_str_eq(t, "exec") || ns_str_eq(t, "shell")) {
		ok = start(s, req, ns_str_eq(t, "exec"));
	} else if (ns_str_eq(t, "window-change")) {
		ok = s->pty;
		if (ok) {
			set_winsize(s->out.fd >= 0 ? s->out.fd : s->master, req);
		}
	} else if (ns_str_eq(t, "signal")) {
		ok = signal_req(s, req);
	} else if (ns_str_eq(t, "eow@openssh.com")) {
		eow_req(s);
		ok = 1;
	} else if (ns_str_eq(t, "auth-agent-req@openssh.com")) {
		ok = ns_session_agentfwd_req(s);
	} else if (ns_str_eq(t, NS_CHAN_SESSION_INFO)) {
		ok = session_info_req(s, info);
	}
	reply(s, req, ok);
}

void ns_session_eof(ns_session *s)
{
	s->client_eof = 1;
	ns_session_io_stdin(s);
}

void ns_session_sync(ns_session *s)
{
	if (s->close_sent || s->dead || ns_session_fwd_connecting(s)) {
		return;
	}
	if (s->ending) {
		refused_close(s);
		return;
	}
	ns_session_io_stdin(s);
	ns_session_io_finish(s);
	ns_session_io_interest(s);
}

void ns_session_io(ns_session *s, unsigned kind, uint32_t events)
{
	(void)events;
	if (s->close_sent || s->ending || s->dead) {
		return;
	}
	if (kind == NS_WATCH_AGENT_LISTEN) {
		ns_session_agentfwd_accept(s);
		return;
	}
	if (ns_session_fwd_connecting(s)) {
		ns_session_fwd_io(s);
		return;
	}
	if (kind == NS_WATCH_CHILD_IN) {
		ns_session_io_stdin(s);
	} else if (kind == NS_WATCH_CHILD_OUT) {
		ns_session_io_read(s, 0);
	} else if (kind == NS_WATCH_CHILD_ERR) {
		ns_session_io_read(s, 1);
	}
}
