/* Agent forwarding in the agent (ssh -A): auth-agent-req@openssh.com, before
 * the session starts, makes a private folder (0700, an unpredictable name
 * under $TMPDIR or /tmp) holding a listening Unix socket (0600) that the
 * child finds in SSH_AUTH_SOCK; each connection to it opens a channel back
 * (auth-agent@nullspace.dev naming the session to the relay, plain
 * auth-agent@openssh.com to a direct client) that session_fwd.c moves bytes
 * on. Both go when the session does. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "session_int.h"

#define DIR_TEMPLATE "ns-agent-XXXXXX" /* mkdtemp: six random characters */
#define SOCK_NAME "agent.sock"
/* Connections accepted per wakeup of the socket (more: the next one). */
#define ACCEPTS 8

struct ns_session_agentfwd {
	ns_watch w;
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

static void refused(const ns_session *s, const char *why)
{
	fprintf(s->h->log, "agent event=agent-forward-refused conn=%u channel=%u reason=%s%s\n",
	        s->h->conn_id, s->channel, why, s->who);
}

/* The folder and socket: 0 or an errno. */
static int make_socket(struct ns_session_agentfwd *a, int *fd)
{
	const char *base = getenv("TMPDIR");
	struct sockaddr_un sun;
	int n, sfd, err;

	if (base == NULL || base[0] != '/' ||
	    strlen(base) + sizeof(DIR_TEMPLATE) + sizeof(SOCK_NAME) + 2 > sizeof(sun.sun_path)) {
		base = "/tmp"; /* the socket path must fit sun_path */
	}
	errno = 0;
	n = snprintf(a->dir, sizeof(a->dir), "%s/%s", base, DIR_TEMPLATE);
	if (n < 0 || (size_t)n >= sizeof(a->dir) || mkdtemp(a->dir) == NULL) {
		a->dir[0] = '\0';
		return errno ? errno : ENAMETOOLONG;
	}
	(void)chmod(a->dir, 0700); /* mkdtemp's mode, whatever the umask */
	n = snprintf(a->path, sizeof(a->path), "%s/" SOCK_NAME, a->dir);
	if (n < 0 || (size_t)n >= sizeof(a->path)) {
		return ENAMETOOLONG;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, a->path, strlen(a->path));
	if ((sfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		return errno;
	}
	if (bind(sfd, (struct sockaddr *)&sun, sizeof(sun)) != 0 || chmod(a->path, 0600) != 0 ||
	    listen(sfd, 16) != 0) {
		err = errno;
		close(sfd);
		(void)unlink(a->path);
		return err;
	}
	*fd = sfd;
	return 0;
}

void ns_session_agentfwd_free(ns_session *s)
{
	struct ns_session_agentfwd *a = s->agent;

	if (a == NULL) {
		return;
	}
	ns_watch_close(s->h->epfd, &a->w);
	if (a->path[0] != '\0') {
		(void)unlink(a->path);
	}
	if (a->dir[0] != '\0') {
		(void)rmdir(a->dir);
	}
	free(a);
	s->agent = NULL;
}

int ns_session_agentfwd_req(ns_session *s)
{
	ns_session_host *h = s->h;
	struct ns_session_agentfwd *a;
	int fd = -1, err;

	if (s->agent != NULL) {
		return 1;
	}
	if (h->no_agent_fwd || s->kind != NULL) {
		refused(s, h->no_agent_fwd ? "not-permitted" : "session-started");
		return 0;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		refused(s, "no-memory");
		return 0;
	}
	s->agent = a;
	if ((err = make_socket(a, &fd)) != 0) {
		fprintf(h->log,
		        "agent event=agent-forward-refused conn=%u channel=%u reason=socket-failed "
		        "error=\"%s\"%s\n",
		        h->conn_id, s->channel, strerror(err), s->who);
		a->path[0] = '\0'; /* not ours, or not made */
		ns_session_agentfwd_free(s);
		return 0;
	}
	ns_watch_init(&a->w, fd,
	              ns_watch_token(NS_WATCH_AGENT_LISTEN, h->slot, h->gen, s->channel));
	ns_watch_set(h->epfd, &a->w, EPOLLIN);
	fprintf(h->log, "agent event=agent-forward-listen conn=%u channel=%u%s\n", h->conn_id,
	        s->channel, s->who);
	return 1;
}

const char *ns_session_agentfwd_path(const ns_session *s)
{
	return s->agent != NULL ? s->agent->path : NULL;
}

/* One connection: a channel back and a session that moves its bytes. */
static void take(ns_session *s, int fd)
{
	ns_session_host *h = s->h;
	char target[32];
	ns_session *x = NULL;
	uint32_t id;
	int rc;

	snprintf(target, sizeof(target), "session-%u", s->channel);
	rc = h->relay_login ? ns_channel_open_agent(h->e, s->channel, &id)
	                    : ns_channel_open(h->e, NS_CHAN_AUTH_AGENT, NULL, 0, &id);
	if (rc != 0) {
		refused(s, "open-failed");
		close(fd);
		return;
	}
	if (ns_session_fwd_adopt(h, fd, h->relay_login ? NS_CHAN_AGENT_FWD : NS_CHAN_AUTH_AGENT,
	                         target, id, &x) != 0) {
		(void)!ns_channel_close(h->e, id); /* the answer closes it */
		refused(s, "no-memory");
		close(fd);
		return;
	}
	if (h->adopt == NULL || h->adopt(h, id, x) != 0) {
		(void)!ns_channel_close(h->e, id);
		refused(s, "max-channels");
		ns_session_free(x); /* closes fd */
	}
}

void ns_session_agentfwd_accept(ns_session *s)
{
	int i, fd;

	for (i = 0; i < ACCEPTS && s->agent != NULL; i++) {
		if ((fd = accept4(s->agent->w.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
			return; /* EAGAIN, or an error the next wakeup sees again */
		}
		take(s, fd);
	}
}
