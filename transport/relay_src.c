/* The relay's count of unauthenticated connections per source address: a
 * thin wrapper over the tally it shares with the agent (tally.c), with the
 * relay's limit (--max-unauth-per-source). */
#include <stdlib.h>

#include "nullspace/error.h"
#include "relay_int.h"
#include "tally.h"

struct ns_relay_src {
	ns_tally t;
};

int ns_relay_src_init(ns_relay *r)
{
	r->src = calloc(1, sizeof(*r->src));
	return r->src != NULL ? 0 : NS_ERR_NOMEM;
}

void ns_relay_src_free(ns_relay *r)
{
	if (r->src != NULL) {
		ns_tally_clear(&r->src->t);
	}
	free(r->src);
	r->src = NULL;
}

int ns_relay_src_add(ns_relay *r, const char *addr)
{
	uint32_t limit = r->cfg->max_unauth_per_source ? r->cfg->max_unauth_per_source
	                                               : NS_RELAY_MAX_UNAUTH_PER_SOURCE;

	return ns_tally_add(&r->src->t, addr, 1, limit);
}

void ns_relay_src_del(ns_relay *r, const char *addr)
{
	ns_tally_sub(&r->src->t, addr, 1);
}
