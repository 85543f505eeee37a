/* The relay's count of unauthenticated connections per source address: a
 * thin wrapper over the table it shares with the agent (src_table.c), with
 * the relay's limit (--max-unauth-per-source). */
#include <stdlib.h>

#include "nullspace/error.h"
#include "relay_int.h"
#include "src_table.h"

struct ns_relay_src {
	ns_src_table t;
};

int ns_relay_src_init(ns_relay *r)
{
	r->src = calloc(1, sizeof(*r->src));
	return r->src != NULL ? 0 : NS_ERR_NOMEM;
}

void ns_relay_src_free(ns_relay *r)
{
	if (r->src != NULL) {
		ns_src_table_clear(&r->src->t);
	}
	free(r->src);
	r->src = NULL;
}

int ns_relay_src_add(ns_relay *r, const char *addr)
{
	uint32_t limit = r->cfg->max_unauth_per_source ? r->cfg->max_unauth_per_source
	                                               : NS_RELAY_MAX_UNAUTH_PER_SOURCE;

	return ns_src_table_add(&r->src->t, addr, limit);
}

void ns_relay_src_del(ns_relay *r, const char *addr)
{
	ns_src_table_del(&r->src->t, addr);
}
