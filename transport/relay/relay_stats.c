/* The relay's counters for /metrics and their Prometheus text exposition
 * (format 0.0.4): counters kept as events happen (logins, PROXY headers,
 * bytes), gauges read from what the relay holds at scrape time. Labels
 * carry reason names from the code only, never a peer's bytes. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "relay_int.h"

void ns_relay_reason_count(ns_relay_reasons *t, const char *reason)
{
	uint32_t i;

	for (i = 0; i < t->n; i++) {
		if (strcmp(t->e[i].name, reason) == 0) {
			t->e[i].n++;
			return;
		}
	}
	if (t->n >= NS_RELAY_REASONS_MAX - 1 || strlen(reason) >= NS_RELAY_REASON_LEN) {
		reason = "other"; /* the last entry */
		for (i = 0; i < t->n; i++) {
			if (strcmp(t->e[i].name, reason) == 0) {
				t->e[i].n++;
				return;
			}
		}
	}
	snprintf(t->e[t->n].name, sizeof(t->e[t->n].name), "%s", reason);
	t->e[t->n++].n = 1;
}

void ns_relay_stats_login(ns_relay *r, int ok, const char *why)
{
	if (ok) {
		r->stats.logins_accepted++;
	} else {
		ns_relay_reason_count(&r->stats.login_refused, why);
	}
}

typedef struct out {
	char *p;
	size_t cap, len;
	int full;
} out;

static void put(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full) {
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->cap - o->len) {
		o->full = 1;
		return;
	}
	o->len += (size_t)n;
}

static void head(out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP nullspace_relay_%s %s\n# TYPE nullspace_relay_%s %s\n", name, help, name,
	    type);
}

static void reasons(out *o, const char *name, const char *fixed, const ns_relay_reasons *t)
{
	uint32_t i;

	for (i = 0; i < t->n; i++) {
		put(o, "nullspace_relay_%s{%sreason=\"%s\"} %" PRIu64 "\n", name, fixed,
		    t->e[i].name, t->e[i].n);
	}
}

/* Gauges from the connection table: logged in, sessions. */
static void scan(ns_relay *r, uint64_t *authed, uint64_t *sessions)
{
	uint32_t i;

	*authed = *sessions = 0;
	for (i = 0; i < r->max_conns; i++) {
		if (r->conns[i] != NULL) {
			*authed += r->conns[i]->authed != 0;
			*sessions += r->conns[i]->nchans;
		}
	}
}

size_t ns_relay_stats_render(ns_relay *r, char *buf, size_t cap, int64_t now_s)
{
	const ns_relay_stats *s = &r->stats;
	out o = {buf, cap, 0, 0};
	uint64_t authed, sessions, fetched = ns_relay_revoke_age_ms(r, r->now);

	scan(r, &authed, &sessions);
	head(&o, "connections_open", "gauge", "User connections open.");
	put(&o, "nullspace_relay_connections_open %u\n", r->nconns);
	head(&o, "connections_authenticated", "gauge", "User connections logged in.");
	put(&o, "nullspace_relay_connections_authenticated %" PRIu64 "\n", authed);
	head(&o, "connections_total", "counter", "User connections accepted.");
	put(&o, "nullspace_relay_connections_total %" PRIu64 "\n", s->conns_total);
	head(&o, "connections_rejected_total", "counter", "Connections refused before login.");
	reasons(&o, "connections_rejected_total", "", &s->rejected);
	head(&o, "sessions_open", "gauge", "Session channels spliced to agents.");
	put(&o, "nullspace_relay_sessions_open %" PRIu64 "\n", sessions);
	head(&o, "bytes_total", "counter", "Channel data forwarded.");
	put(&o, "nullspace_relay_bytes_total{direction=\"to_user\"} %" PRIu64 "\n",
	    s->bytes[NS_TO_FRONT]);
	put(&o, "nullspace_relay_bytes_total{direction=\"to_agent\"} %" PRIu64 "\n",
	    s->bytes[NS_TO_INNER]);
	head(&o, "logins_total", "counter", "Login verdicts by result and reason.");
	put(&o, "nullspace_relay_logins_total{result=\"accepted\",reason=\"\"} %" PRIu64 "\n",
	    s->logins_accepted);
	reasons(&o, "logins_total", "result=\"refused\",", &s->login_refused);
	head(&o, "inner_connections_open", "gauge", "Connections to agents open.");
	put(&o, "nullspace_relay_inner_connections_open %u\n", r->ninners);
	head(&o, "inner_connections_total", "counter", "Connections to agents made.");
	put(&o, "nullspace_relay_inner_connections_total %u\n", r->next_inner_id);
	head(&o, "proxy_headers_total", "counter", "PROXY v2 headers by result.");
	put(&o, "nullspace_relay_proxy_headers_total{result=\"local\",reason=\"\"} %" PRIu64 "\n",
	    s->proxy_accepted[0]);
	put(&o, "nullspace_relay_proxy_headers_total{result=\"proxy\",reason=\"\"} %" PRIu64 "\n",
	    s->proxy_accepted[1]);
	reasons(&o, "proxy_headers_total", "result=\"refused\",", &s->proxy_refused);
	head(&o, "draining", "gauge", "1 after SIGTERM, while sessions end.");
	put(&o, "nullspace_relay_draining %d\n", r->draining);
	if (fetched != UINT64_MAX) { /* --revocations-url: since the last fetch */
		head(&o, "revocation_age_seconds", "gauge",
		     "Seconds since the revocation list was read.");
		put(&o, "nullspace_relay_revocation_age_seconds %" PRIu64 "\n", fetched / 1000);
	} else if (s->revoked_loaded != 0) { /* --revoked: read at start and SIGHUP */
		head(&o, "revocation_age_seconds", "gauge",
		     "Seconds since the revocation list was read.");
		put(&o, "nullspace_relay_revocation_age_seconds %" PRId64 "\n",
		    now_s > s->revoked_loaded ? now_s - s->revoked_loaded : 0);
	}
	return o.full ? 0 : o.len;
}
