/* How long a logged-in user connection lasts (issue 18): the idle timeout
 * (--idle-timeout: no channel bytes either way for that long) and, with
 * --end-sessions-at-expiry, its certificate's valid_before, with a warning
 * on every session's stderr --expiry-warning seconds before. Either ends
 * the connection with a message on each session's stderr, then a
 * DISCONNECT naming the reason. Checked by the relay's timer scan (at
 * least once a second). */
#include <stdio.h>
#include <time.h>

#include "relay_int.h"

/* Channel bytes so far, both ways, every session of c. */
static uint64_t traffic(const ns_relay_conn *c)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i < NS_RELAY_SLOTS(c->r); i++) {
		if (c->chans[i] != NULL) {
			n += c->chans[i]->bytes_in + c->chans[i]->bytes_out;
		}
	}
	return n; /* a session freed makes it change too: activity */
}

/* A line on the stderr of every session still open to the user. */
static void tell_all(ns_relay_conn *c, const char *msg)
{
	uint32_t i;

	for (i = 0; i < NS_RELAY_SLOTS(c->r); i++) {
		if (c->chans[i] != NULL && c->chans[i]->fstate == NS_RS_OPEN) {
			ns_relay_flow_stderr(c->chans[i], msg);
		}
	}
	ns_relay_dirty(c);
}

/* The notice now, the DISCONNECT after NS_RELAY_LIFE_NOTICE_MS. */
static void end_soon(ns_relay_conn *c, uint64_t now, const char *why)
{
	char line[160];

	snprintf(c->life.why, sizeof(c->life.why), "%s", why);
	snprintf(line, sizeof(line), "\r\nnullspace relay: %s\r\n", why);
	tell_all(c, line);
	c->life.end_at = now + NS_RELAY_LIFE_NOTICE_MS;
}

static void idle_check(ns_relay_conn *c, uint64_t now)
{
	uint32_t limit = c->r->cfg->idle_timeout_ms;
	uint64_t t = traffic(c);
	char why[96];

	if (t != c->life.bytes || c->life.active == 0) {
		c->life.bytes = t;
		c->life.active = now;
		return;
	}
	if (now - c->life.active >= limit) {
		fprintf(c->r->log, "relay event=idle-timeout conn=%u user=%s minutes=%u\n", c->id,
		        c->user, (unsigned)(limit / 60000));
		snprintf(why, sizeof(why), "no traffic for %u minutes: the connection is closed",
		         (unsigned)(limit / 60000));
		end_soon(c, now, why);
	}
}

static void expiry_check(ns_relay_conn *c, uint64_t now)
{
	uint64_t wall = (uint64_t)time(NULL), warn = c->r->cfg->expiry_warning_s;
	char line[256];

	if (c->valid_before == 0 || c->valid_before == UINT64_MAX) {
		return; /* forever: nothing to end at */
	}
	if (!c->life.warned && wall + warn >= c->valid_before && wall < c->valid_before) {
		c->life.warned = 1;
		fprintf(c->r->log, "relay event=expiry-warning conn=%u user=%s in_s=%llu\n", c->id,
		        c->user, (unsigned long long)(c->valid_before - wall));
		snprintf(line, sizeof(line),
		         "\r\nnullspace relay: the certificate expires in %llu s; the session ends "
		         "then (not renewed: `nullspace ssh` renews it unless run with --no-renew "
		         "or --native)\r\n",
		         (unsigned long long)(c->valid_before - wall));
		tell_all(c, line);
	}
	if (wall >= c->valid_before) {
		fprintf(c->r->log, "relay event=expiry-end conn=%u user=%s\n", c->id, c->user);
		end_soon(c, now, "the certificate has expired: the session ends");
	}
}

void ns_relay_life_timers(ns_relay_conn *c, uint64_t now)
{
	const ns_relay_config *cfg = c->r->cfg;

	if (!c->authed || c->closing) {
		return;
	}
	if (c->life.end_at != 0) {
		if (now >= c->life.end_at) {
			c->life.end_at = 0;
			/* NS_ERR_CLOSED only: then it is closing already */
			(void)!ns_engine_disconnect(c->front.e, NS_DISC_BY_APPLICATION,
			                            c->life.why);
			ns_relay_dirty(c);
		}
		return;
	}
	if (cfg->idle_timeout_ms != 0) {
		idle_check(c, now);
	}
	if (cfg->end_at_expiry && c->life.end_at == 0) {
		expiry_check(c, now);
	}
}

uint64_t ns_relay_life_timeout(const ns_relay_conn *c, uint64_t now, uint64_t t)
{
	const ns_relay_config *cfg = c->r->cfg;
	uint64_t d = NS_RELAY_LIFE_CHECK_MS;

	if (!c->authed || c->closing ||
	    (cfg->idle_timeout_ms == 0 && !cfg->end_at_expiry && c->life.end_at == 0)) {
		return t;
	}
	if (c->life.end_at != 0) {
		d = c->life.end_at > now ? c->life.end_at - now : 0;
	}
	return d < t ? d : t;
}
