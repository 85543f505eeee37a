/* The relay's drain on SIGTERM: stop accepting (listeners closed, PROXY
 * headers still being read dropped), /healthz answers 503, idle
 * connections close, sessions run on until they end or --drain-timeout;
 * a second SIGTERM ends it at once. Each step is one log line. */
#include <stdio.h>

#include "relay_int.h"

void ns_relay_drain_start(ns_relay *r, uint64_t now)
{
	uint32_t ms = r->cfg->drain_ms ? r->cfg->drain_ms : NS_RELAY_DRAIN_MS;
	uint32_t i;

	if (r->draining) {
		return;
	}
	r->draining = 1;
	r->drain_deadline = now + ms;
	ns_watch_close(r->epfd, &r->lsock);
	ns_watch_close(r->epfd, &r->wsock);
	fprintf(r->log, "relay event=drain connections=%u timeout_s=%u healthz=503\n", r->nconns,
	        ms / 1000);
	ns_relay_pp_drop_all(r, "draining");
	for (i = 0; i < r->max_conns; i++) {
		if (r->conns[i] != NULL) {
			ns_relay_dirty(r->conns[i]); /* idle ones close in their pump */
		}
	}
}

void ns_relay_drain_abort(ns_relay *r)
{
	r->drain_why = NS_RELAY_DRAIN_ABORT;
	fprintf(r->log, "relay event=drain-end reason=second-signal connections=%u\n", r->nconns);
}

int ns_relay_drain_over(ns_relay *r, uint64_t now)
{
	if (!r->draining || r->drain_why != NS_RELAY_DRAIN_NONE) {
		return r->drain_why != NS_RELAY_DRAIN_NONE;
	}
	if (r->nconns == 0) {
		r->drain_why = NS_RELAY_DRAIN_ENDED;
		fprintf(r->log, "relay event=drain-end reason=sessions-ended connections=0\n");
		return 1;
	}
	if (now >= r->drain_deadline) {
		r->drain_why = NS_RELAY_DRAIN_TIMEOUT;
		fprintf(r->log, "relay event=drain-end reason=timeout connections=%u\n", r->nconns);
		return 1;
	}
	return 0;
}
