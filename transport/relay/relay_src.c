/* The relay's tallies: counts by key (a source address, a sandbox id) for
 * unauthenticated and logged-in connections per address, connections and
 * sessions per sandbox; thin wrappers over the table the agent shares
 * (tally.c). */
#include <stdlib.h>

#include "relay_int.h"
#include "tally.h"

struct ns_relay_tally {
	ns_tally t;
};

ns_relay_tally *ns_relay_tally_new(void)
{
	return calloc(1, sizeof(ns_relay_tally));
}

void ns_relay_tally_free(ns_relay_tally *t)
{
	if (t != NULL) {
		ns_tally_clear(&t->t);
	}
	free(t);
}

uint32_t ns_relay_tally_get(ns_relay_tally *t, const char *key)
{
	return ns_tally_get(&t->t, key);
}

int ns_relay_tally_add(ns_relay_tally *t, const char *key, uint32_t n, uint32_t limit)
{
	return ns_tally_add(&t->t, key, n, limit);
}

void ns_relay_tally_sub(ns_relay_tally *t, const char *key, uint32_t n)
{
	ns_tally_sub(&t->t, key, n);
}
