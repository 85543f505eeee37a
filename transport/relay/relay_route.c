/* Where a login goes (docs/relay.md, "Routing"): the certificate's
 * agent@nullspace route, the registry, or the route then the registry, as
 * --routing says. Resolved once at login into the connection (c->route);
 * a registry route is looked up again at each channel open, so a changed
 * entry is followed. A certificate route whose agent is gone or changed its
 * key ends the connection with NS_ROUTE_MOVED_TEXT, which `nullspace ssh`
 * takes as its cue to mint a new certificate once. */
#include <stdio.h>
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"

int ns_relay_route_parse_mode(const char *s)
{
	if (strcmp(s, "cert") == 0) {
		return NS_RELAY_ROUTE_CERT;
	}
	if (strcmp(s, "registry") == 0) {
		return NS_RELAY_ROUTE_REGISTRY;
	}
	if (strcmp(s, "cert-then-registry") == 0) {
		return NS_RELAY_ROUTE_CERT_THEN_REGISTRY;
	}
	return 0;
}

int ns_relay_route_mode(const ns_relay_config *cfg)
{
	if (cfg->routing != 0) {
		return cfg->routing;
	}
	return cfg->registry != NULL ? NS_RELAY_ROUTE_CERT_THEN_REGISTRY : NS_RELAY_ROUTE_CERT;
}

void ns_relay_route_log(ns_relay *r)
{
	static const char *const names[] = {"?", "cert", "registry", "cert-then-registry"};

	fprintf(r->log, "relay event=routing mode=%s registry=%s host_cert=%s\n",
	        names[ns_relay_route_mode(r->cfg)],
	        r->cfg->registry != NULL ? r->cfg->registry : "none",
	        r->cfg->host_cert != NULL ? "yes" : "no");
}

void ns_relay_route_from_cert(const ns_relay *r, const ns_cert *cert, ns_relay_route_info *out)
{
	const char *why = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (ns_relay_route_mode(r->cfg) == NS_RELAY_ROUTE_REGISTRY) {
		return; /* the certificate's route is not looked at */
	}
	rc = ns_route_ext_from_cert(cert, &out->ent, &why);
	out->src = rc == 0 ? NS_RELAY_FROM_CERT : rc == NS_ERR_NOTFOUND ? 0 : -1;
	if (rc != 0 && rc != NS_ERR_NOTFOUND) {
		snprintf(out->why, sizeof(out->why), "%s", why != NULL ? why : "bad route");
	}
}

/* The registry's entry: 0, or NS_ERR_* with why and msg set. */
static int registry(ns_relay *r, const char *sandbox, ns_registry_entry *ent, char *why,
                    size_t wcap, char *msg, size_t mcap)
{
	int rc = ns_registry_lookup(r->cfg->registry, sandbox, ent);

	if (rc == NS_ERR_NOTFOUND) {
		snprintf(why, wcap, "sandbox-not-found");
		snprintf(msg, mcap, "sandbox %s not found", sandbox);
	} else if (rc == 0 && ent->state != NS_SANDBOX_RUNNING) {
		snprintf(why, wcap, "sandbox-stopped");
		snprintf(msg, mcap, "sandbox %s is stopped", sandbox);
		rc = NS_ERR_STATE;
	} else if (rc != 0) {
		snprintf(why, wcap, "registry-error");
		snprintf(msg, mcap, "sandbox %s is unavailable", sandbox);
	}
	return rc;
}

int ns_relay_route_login(ns_relay *r, const char *sandbox, ns_relay_route_info *ri, char *why,
                         size_t wcap, char *msg, size_t mcap)
{
	int mode = ns_relay_route_mode(r->cfg);

	if (ri->src < 0) {
		snprintf(why, wcap, "bad-route");
		snprintf(msg, mcap, "the certificate's route to sandbox %s is not valid (%s)",
		         sandbox, ri->why);
		return NS_ERR_FORMAT;
	}
	if (ri->src == NS_RELAY_FROM_CERT) {
		snprintf(ri->ent.id, sizeof(ri->ent.id), "%s", sandbox);
		return 0;
	}
	if (mode == NS_RELAY_ROUTE_CERT) {
		snprintf(why, wcap, "no-route");
		snprintf(msg, mcap,
		         "the certificate for sandbox %s carries no route (agent@nullspace) and "
		         "this relay routes by certificate only",
		         sandbox);
		return NS_ERR_NOTFOUND;
	}
	ri->src = NS_RELAY_FROM_REGISTRY;
	return registry(r, sandbox, &ri->ent, why, wcap, msg, mcap);
}

int ns_relay_route_channel(ns_relay_conn *c, ns_registry_entry *ent, char *msg, size_t cap)
{
	char why[32];

	if (c->route_src == NS_RELAY_FROM_CERT) {
		*ent = c->route;
		return 0;
	}
	return registry(c->r, c->user, ent, why, sizeof(why), msg, cap);
}

/* Reasons of an agent connection that never got ready which mean the
 * certificate's route no longer holds. */
static int moved_reason(const char *why)
{
	return strcmp(why, "connection-refused") == 0 || strcmp(why, "connect-failed") == 0 ||
	       strcmp(why, "host-key-mismatch") == 0 || strcmp(why, "timeout") == 0;
}

int ns_relay_route_moved(ns_relay_conn *c, const char *endpoint, const char *why)
{
	/* static: the engine's DISCONNECT event points at the message until
	 * it is handled, after this returns (one thread) */
	static char msg[NS_SANDBOX_ID_MAX + sizeof(NS_ROUTE_MOVED_TEXT) + 16];

	if (c->route_src != NS_RELAY_FROM_CERT || !moved_reason(why) || c->closing) {
		return 0;
	}
	snprintf(msg, sizeof(msg), "sandbox %s %s", c->user, NS_ROUTE_MOVED_TEXT);
	if (ns_engine_disconnect(c->front.e, NS_DISC_BY_APPLICATION, msg) != 0) {
		return 0; /* NS_ERR_CLOSED: closing already (another channel said it) */
	}
	fprintf(c->r->log, "relay event=sandbox-moved conn=%u sandbox=%s endpoint=%s reason=%s\n",
	        c->id, c->user, endpoint, why);
	return 1;
}
