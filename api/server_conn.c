/* The API server's connection table: libmicrohttpd has a total cap and an
 * inactivity timeout only, so the per-address cap and the deadlines for
 * headers and body (docs/api.md, "Limits") are kept here, with the
 * check for control bytes in URLs done before libmicrohttpd decodes them. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "request.h"
#include "server_int.h"

#define PEER_MAX 64 /* an IPv6 address in text, with room */

/* Who a connection counts against: an IPv4 address, or the /64 of an IPv6
 * one (a host on IPv6 usually holds a whole /64). */
typedef struct peer_key {
	int family;
	uint8_t a[8]; /* IPv4: 4 bytes, IPv6: the first 8 */
} peer_key;

struct ns_api_conn {
	struct ns_api_conn *next, *prev;
	struct MHD_Connection *c;
	ns_api_conns *t;
	peer_key key;
	char peer[PEER_MAX];
	int64_t accepted_ms;
	enum ns_api_phase phase;
	int bad_url; /* a control byte in the path or query */
	int closing; /* shut down by us, libmicrohttpd not done with it yet */
};

static unsigned or_default(unsigned v, unsigned def)
{
	return v != 0 ? v : def;
}

void ns_api_conns_init(ns_api_conns *t, const ns_api_server_config *cfg)
{
	memset(t, 0, sizeof(*t));
	t->cfg = cfg;
	t->max = or_default(cfg->max_connections, NS_API_CONNECTIONS_MAX);
	t->per_address = or_default(cfg->max_per_address, NS_API_CONNECTIONS_PER_ADDRESS);
	t->header_ms = or_default(cfg->header_deadline_ms, NS_API_HEADER_DEADLINE_MS);
	t->body_ms = or_default(cfg->body_deadline_ms, NS_API_BODY_DEADLINE_MS);
	t->evict_ms = or_default(cfg->evict_age_ms, NS_API_EVICT_AGE_MS);
}

/* The key and printable form of addr; 0, or -1 for a family we do not serve. */
static int peer_of(const struct sockaddr *addr, socklen_t len, peer_key *key, char *text)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const struct sockaddr_in *v4 = (const struct sockaddr_in *)addr;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)addr;

	memset(key, 0, sizeof(*key));
	strcpy(text, "?");
	if (addr != NULL && addr->sa_family == AF_INET && len >= (socklen_t)sizeof(*v4)) {
		key->family = AF_INET;
		memcpy(key->a, &v4->sin_addr, 4);
		inet_ntop(AF_INET, &v4->sin_addr, text, PEER_MAX);
		return 0;
	}
	if (addr != NULL && addr->sa_family == AF_INET6 && len >= (socklen_t)sizeof(*v6)) {
		inet_ntop(AF_INET6, &v6->sin6_addr, text, PEER_MAX);
		if (memcmp(v6->sin6_addr.s6_addr, v4mapped, sizeof(v4mapped)) == 0) {
			key->family = AF_INET;
			memcpy(key->a, v6->sin6_addr.s6_addr + 12, 4);
		} else {
			key->family = AF_INET6;
			memcpy(key->a, v6->sin6_addr.s6_addr, 8);
		}
		return 0;
	}
	return -1;
}

/* Ends a connection from outside libmicrohttpd: after a shutdown its next
 * read sees the end and it closes the connection the usual way. */
static void hang_up(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);

	if (i != NULL) {
		shutdown(i->connect_fd, SHUT_RDWR);
	}
}

static void close_conn(ns_api_conns *t, ns_api_conn *k, const char *reason, unsigned limit)
{
	k->closing = 1;
	t->closing++;
	ns_api_log_limit(t->cfg, "closed", reason, k->peer, limit);
	hang_up(k->c);
}

/* The oldest connection still sending its headers, if it has been at it
 * for evict_ms; NULL if none. */
static ns_api_conn *stalest(const ns_api_conns *t, int64_t now_ms)
{
	ns_api_conn *k, *v = NULL;

	for (k = t->head; k != NULL; k = k->next) {
		if (!k->closing && k->phase == NS_API_PHASE_HEADERS &&
		    now_ms - k->accepted_ms >= t->evict_ms &&
		    (v == NULL || k->accepted_ms <= v->accepted_ms)) {
			v = k;
		}
	}
	return v;
}

enum MHD_Result ns_api_conns_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
	ns_api_conns *t = cls;
	ns_api_conn *k;
	char peer[PEER_MAX];
	peer_key key;
	unsigned same = 0;

	if (peer_of(addr, len, &key, peer) != 0) {
		ns_api_log_limit(t->cfg, "refused", "address-family", peer, 0);
		return MHD_NO;
	}
	for (k = t->head; k != NULL; k = k->next) {
		same += !k->closing && memcmp(&k->key, &key, sizeof(key)) == 0;
	}
	if (same >= t->per_address) {
		ns_api_log_limit(t->cfg, "refused", "per-address-limit", peer, t->per_address);
		return MHD_NO;
	}
	if (t->n - t->closing >= t->max) {
		/* libmicrohttpd's own cap is 2 * max: stay below it while the
		 * evicted are not closed yet */
		k = t->n + 1 < 2 * t->max ? stalest(t, (int64_t)ns_clock_ms()) : NULL;
		if (k == NULL) {
			ns_api_log_limit(t->cfg, "refused", "connection-limit", peer, t->max);
			return MHD_NO;
		}
		close_conn(t, k, "evicted", t->max);
	}
	return MHD_YES;
}

static void conn_open(ns_api_conns *t, struct MHD_Connection *c, void **socket_context)
{
	const union MHD_ConnectionInfo *i =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	ns_api_conn *k = calloc(1, sizeof(*k));

	*socket_context = NULL;
	if (k == NULL) {
		/* untracked, it would escape the limits: not served */
		ns_api_log_limit(t->cfg, "closed", "no-memory", "?", 0);
		hang_up(c);
		return;
	}
	k->c = c;
	k->t = t;
	/* the address the accept policy passed; MHD gives no length, and
	 * peer_of reads only what the family has */
	peer_of(i != NULL ? i->client_addr : NULL,
	        (socklen_t)(i != NULL ? sizeof(struct sockaddr_in6) : 0), &k->key, k->peer);
	k->accepted_ms = (int64_t)ns_clock_ms();
	k->phase = NS_API_PHASE_HEADERS;
	k->next = t->head;
	if (t->head != NULL) {
		t->head->prev = k;
	}
	t->head = k;
	t->n++;
	*socket_context = k;
}

void ns_api_conns_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                         enum MHD_ConnectionNotificationCode toe)
{
	ns_api_conns *t = cls;
	ns_api_conn *k = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		conn_open(t, c, socket_context);
		return;
	}
	if (k == NULL) {
		return;
	}
	if (k->prev != NULL) {
		k->prev->next = k->next;
	} else {
		t->head = k->next;
	}
	if (k->next != NULL) {
		k->next->prev = k->prev;
	}
	t->n--;
	t->closing -= k->closing ? 1 : 0;
	free(k);
	*socket_context = NULL;
}

ns_api_conn *ns_api_conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *i =
	    MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return i != NULL ? i->socket_context : NULL;
}

size_t ns_api_conns_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	ns_api_conn *k = ns_api_conn_of(c);
	size_t n = strlen(s);

	(void)cls;
	if (ns_api_url_has_control(s, n)) {
		if (k != NULL) {
			k->bad_url = 1;
		} else {
			hang_up(c);
		}
		return n; /* left encoded: logged as it came, never routed */
	}
	return MHD_http_unescape(s);
}

void ns_api_conn_phase(ns_api_conn *k, enum ns_api_phase phase)
{
	if (k != NULL && phase > k->phase) {
		k->phase = phase;
	}
}

int ns_api_conn_bad_url(const ns_api_conn *k)
{
	return k == NULL || k->bad_url;
}

/* When the connection's phase must be over (-1: no deadline of ours: an
 * answer is being sent, which libmicrohttpd's inactivity timeout bounds). */
static int64_t deadline(const ns_api_conn *k, unsigned *limit, const char **reason)
{
	const ns_api_conns *t = k->t;

	switch (k->phase) {
	case NS_API_PHASE_HEADERS:
		*limit = t->header_ms;
		*reason = "header-deadline";
		return k->accepted_ms + t->header_ms;
	case NS_API_PHASE_BODY:
		*limit = t->body_ms;
		*reason = "body-deadline";
		return k->accepted_ms + t->body_ms;
	default: return -1;
	}
}

unsigned ns_api_conns_sweep(ns_api_conns *t, int64_t now_ms)
{
	ns_api_conn *k;
	const char *reason;
	unsigned limit, closed = 0;

	for (k = t->head; k != NULL; k = k->next) {
		int64_t d = deadline(k, &limit, &reason);

		if (!k->closing && d >= 0 && d <= now_ms) {
			close_conn(t, k, reason, limit);
			closed++;
		}
	}
	return closed;
}

int64_t ns_api_conns_next(const ns_api_conns *t, int64_t now_ms)
{
	const ns_api_conn *k;
	const char *reason;
	unsigned limit;
	int64_t next = -1, d;

	for (k = t->head; k != NULL; k = k->next) {
		if (k->closing || (d = deadline(k, &limit, &reason)) < 0) {
			continue;
		}
		d -= now_ms;
		d = d < 0 ? 0 : d;
		if (next < 0 || d < next) {
			next = d;
		}
	}
	return next;
}
