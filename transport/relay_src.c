/* The relay's count of unauthenticated connections per source address: a
 * small chained hash table of addresses, an entry living only while its
 * count is positive, so memory follows the connections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"

#define BUCKETS 4096

typedef struct src_node {
	struct src_node *next;
	uint32_t count;
	char addr[NS_RELAY_PEER_MAX];
} src_node;

struct ns_relay_src {
	src_node *b[BUCKETS];
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s != '\0') {
		h = (h ^ (uint8_t)*s++) * 16777619u;
	}
	return h % BUCKETS;
}

int ns_relay_src_init(ns_relay *r)
{
	r->src = calloc(1, sizeof(*r->src));
	return r->src != NULL ? 0 : NS_ERR_NOMEM;
}

void ns_relay_src_free(ns_relay *r)
{
	src_node *n, *next;
	size_t i;

	for (i = 0; r->src != NULL && i < BUCKETS; i++) {
		for (n = r->src->b[i]; n != NULL; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(r->src);
	r->src = NULL;
}

int ns_relay_src_add(ns_relay *r, const char *addr)
{
	uint32_t h = hash(addr);
	uint32_t limit = r->cfg->max_unauth_per_source ? r->cfg->max_unauth_per_source
	                                               : NS_RELAY_MAX_UNAUTH_PER_SOURCE;
	src_node *n;

	for (n = r->src->b[h]; n != NULL && strcmp(n->addr, addr) != 0; n = n->next) {
	}
	if (n != NULL && n->count >= limit) {
		return NS_ERR_LIMIT;
	}
	if (n == NULL) {
		if ((n = calloc(1, sizeof(*n))) == NULL) {
			return NS_ERR_NOMEM;
		}
		snprintf(n->addr, sizeof(n->addr), "%s", addr);
		n->next = r->src->b[h];
		r->src->b[h] = n;
	}
	n->count++;
	return 0;
}

void ns_relay_src_del(ns_relay *r, const char *addr)
{
	uint32_t h = hash(addr);
	src_node **pp, *n;

	for (pp = &r->src->b[h]; (n = *pp) != NULL; pp = &n->next) {
		if (strcmp(n->addr, addr) == 0) {
			if (--n->count == 0) {
				*pp = n->next;
				free(n);
			}
			return;
		}
	}
}
