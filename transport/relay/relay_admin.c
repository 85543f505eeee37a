/* The relay's admin listener (--admin-listen): GET /healthz (200 "ok", 503
 * "draining" once SIGTERM came, so a balancer's check takes the relay out)
 * and GET /metrics (Prometheus text, relay_stats.c), one request per
 * connection, in the relay's own epoll loop. A small reader of our own
 * (common/http_req.c, fuzzed) and not libmicrohttpd: the relay is built
 * without the API's libraries (`make static`) and must stay so. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http_req.h"
#include "net.h"
#include "nullspace/error.h"
#include "relay_int.h"

typedef struct aconn {
	ns_watch w;
	uint32_t gen;
	uint64_t deadline;
	uint8_t in[NS_HTTP_REQ_HEAD_MAX];
	size_t inlen;
	char *out; /* the whole answer once the request is read */
	size_t outlen, outoff;
} aconn;

struct ns_relay_admin {
	ns_watch l;
	aconn *c[NS_RELAY_ADMIN_CONNS_MAX];
	uint32_t gen;
};

int ns_relay_admin_listen(ns_relay *r)
{
	char err[256];
	int fd;

	if (r->cfg->admin_listen == NULL) {
		return 0;
	}
	if ((r->admin = calloc(1, sizeof(*r->admin))) == NULL) {
		return NS_ERR_NOMEM;
	}
	ns_watch_init(&r->admin->l, -1, 0);
	if ((fd = ns_net_listen(r->cfg->admin_listen, err, sizeof(err))) < 0) {
		fprintf(r->log, "relay event=error what=admin-listen error=\"%s\"\n", err);
		return fd;
	}
	ns_net_set_nonblock(fd, 1);
	ns_watch_init(&r->admin->l, fd, ns_watch_token(NS_RELAY_WATCH_ADMIN, 0, 0, 0));
	if (ns_watch_set(r->epfd, &r->admin->l, EPOLLIN) != 0) {
		return NS_ERR_IO;
	}
	fprintf(r->log, "relay event=admin-listen addr=%s\n", r->cfg->admin_listen);
	return 0;
}

static void conn_free(ns_relay *r, uint32_t slot)
{
	aconn *a = r->admin->c[slot];

	ns_watch_close(r->epfd, &a->w);
	free(a->out);
	free(a);
	r->admin->c[slot] = NULL;
}

void ns_relay_admin_free(ns_relay *r)
{
	uint32_t i;

	if (r->admin == NULL) {
		return;
	}
	for (i = 0; i < NS_RELAY_ADMIN_CONNS_MAX; i++) {
		if (r->admin->c[i] != NULL) {
			conn_free(r, i);
		}
	}
	ns_watch_close(r->epfd, &r->admin->l);
	free(r->admin);
	r->admin = NULL;
}

/* The answer to a request: status, its text, the body. */
static void answer(aconn *a, int status, const char *type, const char *body, size_t blen)
{
	const char *text = status == 200   ? "OK"
	                   : status == 503 ? "Service Unavailable"
	                   : status == 404 ? "Not Found"
	                   : status == 405 ? "Method Not Allowed"
	                                   : "Bad Request";
	char head[256];
	int n = snprintf(head, sizeof(head),
	                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	                 "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
	                 status, text, type, blen);

	if (n < 0 || (size_t)n >= sizeof(head) || (a->out = malloc((size_t)n + blen)) == NULL) {
		return; /* no answer: the connection just closes */
	}
	memcpy(a->out, head, (size_t)n);
	memcpy(a->out + n, body, blen);
	a->outlen = (size_t)n + blen;
}

static void serve(ns_relay *r, aconn *a, const ns_http_req *q)
{
	char *m;
	size_t n;

	if (strcmp(q->method, "GET") != 0 && strcmp(q->method, "HEAD") != 0) {
		answer(a, 405, "text/plain", "GET only\n", 9);
	} else if (strcmp(q->target, "/healthz") == 0) {
		answer(a, r->draining ? 503 : 200, "text/plain",
		       r->draining ? "draining\n" : "ok\n", r->draining ? 9 : 3);
	} else if (strcmp(q->target, "/metrics") == 0) {
		if ((m = malloc(NS_RELAY_ADMIN_OUT_MAX)) == NULL) {
			return;
		}
		n = ns_relay_stats_render(r, m, NS_RELAY_ADMIN_OUT_MAX, (int64_t)time(NULL));
		answer(a, n > 0 ? 200 : 503, "text/plain; version=0.0.4; charset=utf-8", m, n);
		free(m);
	} else {
		answer(a, 404, "text/plain", "not found\n", 10);
	}
	if (a->out != NULL && strcmp(q->method, "HEAD") == 0) {
		a->outlen = (size_t)(strstr(a->out, "\r\n\r\n") + 4 - a->out); /* the head only */
	}
}

/* Read the request; 1 when the connection is over. */
static int readable(ns_relay *r, aconn *a)
{
	const char *why = NULL;
	ns_http_req q;
	size_t head;
	ssize_t n;
	int rc;

	while (a->out == NULL) {
		n = recv(a->w.fd, a->in + a->inlen, sizeof(a->in) - a->inlen, 0);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return 0;
		}
		if (n <= 0) {
			return 1;
		}
		a->inlen += (size_t)n;
		rc = ns_http_req_parse(a->in, a->inlen, &q, &head, &why);
		if (rc == 0) {
			serve(r, a, &q);
			return a->out == NULL;
		}
		if (rc != NS_ERR_AGAIN || a->inlen == sizeof(a->in)) {
			fprintf(r->log, "relay event=admin-refused reason=%s\n",
			        rc == NS_ERR_AGAIN ? "head-too-large" : why);
			answer(a, 400, "text/plain", "bad request\n", 12);
			return a->out == NULL;
		}
	}
	return 0;
}

/* Send the answer; 1 when the connection is over. */
static int writable(aconn *a)
{
	ssize_t n;

	while (a->outoff < a->outlen) {
		n = send(a->w.fd, a->out + a->outoff, a->outlen - a->outoff, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return 0;
		}
		if (n <= 0) {
			return 1;
		}
		a->outoff += (size_t)n;
	}
	return 1;
}

static void accept_admin(ns_relay *r, uint64_t now)
{
	uint32_t slot;
	aconn *a;
	int fd;

	while ((fd = accept4(r->admin->l.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		for (slot = 0; slot < NS_RELAY_ADMIN_CONNS_MAX && r->admin->c[slot] != NULL;
		     slot++) {
		}
		if (slot == NS_RELAY_ADMIN_CONNS_MAX || (a = calloc(1, sizeof(*a))) == NULL) {
			fprintf(r->log, "relay event=admin-refused reason=%s\n",
			        slot == NS_RELAY_ADMIN_CONNS_MAX ? "admin-connections"
			                                         : "no-memory");
			close(fd);
			continue;
		}
		a->gen = ++r->admin->gen & 0xfffff;
		a->deadline = now + NS_RELAY_ADMIN_TIMEOUT_MS;
		ns_watch_init(&a->w, fd,
		              ns_watch_token(NS_RELAY_WATCH_ADMIN_CONN, slot, a->gen, 0));
		r->admin->c[slot] = a;
		if (ns_watch_set(r->epfd, &a->w, EPOLLIN) != 0) {
			conn_free(r, slot);
		}
	}
}

void ns_relay_admin_event(ns_relay *r, uint64_t token, uint32_t events, uint64_t now)
{
	uint32_t slot = ns_watch_slot_of(token);
	aconn *a;
	int over;

	if (r->admin == NULL) {
		return;
	}
	if (ns_watch_kind_of(token) == NS_RELAY_WATCH_ADMIN) {
		accept_admin(r, now);
		return;
	}
	if (slot >= NS_RELAY_ADMIN_CONNS_MAX || (a = r->admin->c[slot]) == NULL ||
	    a->gen != ns_watch_gen_of(token)) {
		return;
	}
	over = a->out == NULL && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) ? readable(r, a) : 0;
	if (!over && a->out != NULL) {
		over = writable(a);
		if (!over) {
			ns_watch_set(r->epfd, &a->w, EPOLLOUT);
		}
	}
	if (over) {
		conn_free(r, slot);
	}
}

uint64_t ns_relay_admin_timers(ns_relay *r, uint64_t now)
{
	uint64_t next = UINT64_MAX;
	uint32_t i;

	for (i = 0; r->admin != NULL && i < NS_RELAY_ADMIN_CONNS_MAX; i++) {
		aconn *a = r->admin->c[i];
		if (a == NULL) {
			continue;
		}
		if (now >= a->deadline) {
			fprintf(r->log, "relay event=admin-refused reason=timeout\n");
			conn_free(r, i);
		} else if (a->deadline - now < next) {
			next = a->deadline - now;
		}
	}
	return next;
}
