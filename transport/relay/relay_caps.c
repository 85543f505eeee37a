/* Caps on what logged-in users hold in the relay: connections per sandbox
 * (the certificate's principal), connections per source address, and
 * sessions across all connections of one sandbox. A refusal is logged with
 * its reason and tells the user which limit it hit. */
#include <stdio.h>
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"
#include "wire.h"

#define MSG_MAX 160

int ns_relay_caps_init(ns_relay *r)
{
	const ns_relay_config *cfg = r->cfg;

	r->max_conns_per_sandbox = cfg->max_conns_per_sandbox ? cfg->max_conns_per_sandbox
	                                                      : NS_RELAY_MAX_CONNS_PER_SANDBOX;
	r->max_channels_per_sandbox = cfg->max_channels_per_sandbox
	                                  ? cfg->max_channels_per_sandbox
	                                  : NS_RELAY_MAX_CHANNELS_PER_SANDBOX;
	r->max_authed_per_source = cfg->max_authed_per_source ? cfg->max_authed_per_source
	                                                      : NS_RELAY_MAX_AUTHED_PER_SOURCE;
	r->unauth_src = ns_relay_tally_new();
	r->authed_src = ns_relay_tally_new();
	r->sb_conns = ns_relay_tally_new();
	r->sb_chans = ns_relay_tally_new();
	return r->unauth_src && r->authed_src && r->sb_conns && r->sb_chans ? 0 : NS_ERR_NOMEM;
}

void ns_relay_caps_free(ns_relay *r)
{
	ns_relay_tally_free(r->unauth_src);
	ns_relay_tally_free(r->authed_src);
	ns_relay_tally_free(r->sb_conns);
	ns_relay_tally_free(r->sb_chans);
	r->unauth_src = r->authed_src = r->sb_conns = r->sb_chans = NULL;
}

/* The login would pass a cap: logged, and the user told which. */
static void refuse_login(ns_relay_conn *c, const char *sandbox, const char *reason, const char *who,
                         uint32_t open, uint32_t limit, char *why, size_t cap)
{
	char msg[MSG_MAX];

	fprintf(c->r->log,
	        "relay event=reject conn=%u peer=%s user=%s reason=%s open=%u limit=%u\n", c->id,
	        c->peer, sandbox, reason, open, limit);
	snprintf(msg, sizeof(msg), "%s has %u connections open, the limit", who, open);
	snprintf(why, cap, "%s", reason);
	/* NS_ERR_CLOSED only: then it is closing already */
	(void)!ns_engine_disconnect(c->front.e, NS_DISC_TOO_MANY_CONNECTIONS, msg);
}

int ns_relay_caps_login(ns_relay_conn *c, const char *sandbox, char *why, size_t cap)
{
	ns_relay *r = c->r;
	uint32_t n;
	char who[NS_RELAY_KEY_MAX + 16];

	if (c->caps_counted) {
		return 0; /* counted already (a second login on one connection) */
	}
	if ((n = ns_relay_tally_get(r->sb_conns, sandbox)) >= r->max_conns_per_sandbox) {
		snprintf(who, sizeof(who), "sandbox %s", sandbox);
		refuse_login(c, sandbox, "connections-per-sandbox", who, n,
		             r->max_conns_per_sandbox, why, cap);
		return NS_ERR_LIMIT;
	}
	if ((n = ns_relay_tally_get(r->authed_src, c->peer)) >= r->max_authed_per_source) {
		snprintf(who, sizeof(who), "address %s", c->peer);
		refuse_login(c, sandbox, "authed-per-source", who, n, r->max_authed_per_source, why,
		             cap);
		return NS_ERR_LIMIT;
	}
	return 0;
}

void ns_relay_caps_authed(ns_relay_conn *c)
{
	ns_relay *r = c->r;

	if (c->caps_counted || c->user[0] == '\0') {
		return;
	}
	/* no limit here: ns_relay_caps_login checked them in this same turn;
	 * on NS_ERR_NOMEM the connection goes uncounted, never wrongly over */
	if (ns_relay_tally_add(r->sb_conns, c->user, 1, 0) != 0) {
		return;
	}
	if (ns_relay_tally_add(r->authed_src, c->peer, 1, 0) != 0) {
		ns_relay_tally_sub(r->sb_conns, c->user, 1);
		return;
	}
	c->caps_counted = 1;
	c->chans_counted = 0;
	ns_relay_caps_sync(c);
}

void ns_relay_caps_sync(ns_relay_conn *c)
{
	if (!c->caps_counted || c->nchans == c->chans_counted) {
		return;
	}
	if (c->nchans > c->chans_counted) {
		if (ns_relay_tally_add(c->r->sb_chans, c->user, c->nchans - c->chans_counted, 0) !=
		    0) {
			return; /* out of memory: counted at the next sync */
		}
	} else {
		ns_relay_tally_sub(c->r->sb_chans, c->user, c->chans_counted - c->nchans);
	}
	c->chans_counted = c->nchans;
}

int ns_relay_caps_chan_refused(ns_relay_conn *c, const ns_event *ev)
{
	char msg[MSG_MAX];
	uint32_t n;

	if (!c->caps_counted || !ns_str_eq(ev->channel_type, "session")) {
		return 0; /* relay_splice.c refuses these itself */
	}
	ns_relay_caps_sync(c);
	n = ns_relay_tally_get(c->r->sb_chans, c->user);
	if (n < c->r->max_channels_per_sandbox) {
		return 0;
	}
	fprintf(c->r->log,
	        "relay event=channel-refused conn=%u user=%s reason=channels-per-sandbox open=%u "
	        "limit=%u\n",
	        c->id, c->user, n, c->r->max_channels_per_sandbox);
	snprintf(msg, sizeof(msg), "sandbox %s has %u sessions open, the limit", c->user, n);
	ns_call_check(c->front.e, c->r->log, "relay", c->id, "channel_reject",
	              ns_channel_reject(c->front.e, ev->channel, NS_OPEN_RESOURCE_SHORTAGE, msg));
	return 1;
}

void ns_relay_caps_release(ns_relay_conn *c)
{
	if (!c->caps_counted) {
		return;
	}
	ns_relay_tally_sub(c->r->sb_chans, c->user, c->chans_counted);
	ns_relay_tally_sub(c->r->sb_conns, c->user, 1);
	ns_relay_tally_sub(c->r->authed_src, c->peer, 1);
	c->caps_counted = 0;
	c->chans_counted = 0;
}
