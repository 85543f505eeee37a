/* The relay's tallies: counts by key (a source address, a sandbox id) in a
 * small chained hash table, an entry living only while its count is
 * positive, so memory follows the connections. Used for unauthenticated and
 * logged-in connections per address, connections and sessions per sandbox. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"

#define BUCKETS 4096

typedef struct tally_node {
	struct tally_node *next;
	uint32_t count;
	char key[NS_RELAY_KEY_MAX];
} tally_node;

struct ns_relay_tally {
	tally_node *b[BUCKETS];
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s != '\0') {
		h = (h ^ (uint8_t)*s++) * 16777619u;
	}
	return h % BUCKETS;
}

ns_relay_tally *ns_relay_tally_new(void)
{
	return calloc(1, sizeof(ns_relay_tally));
}

void ns_relay_tally_free(ns_relay_tally *t)
{
	tally_node *n, *next;
	size_t i;

	for (i = 0; t != NULL && i < BUCKETS; i++) {
		for (n = t->b[i]; n != NULL; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(t);
}

static tally_node **find(ns_relay_tally *t, const char *key)
{
	tally_node **pp;

	for (pp = &t->b[hash(key)]; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->key, key) == 0) {
			break;
		}
	}
	return pp;
}

uint32_t ns_relay_tally_get(ns_relay_tally *t, const char *key)
{
	tally_node *n = *find(t, key);

	return n != NULL ? n->count : 0;
}

int ns_relay_tally_add(ns_relay_tally *t, const char *key, uint32_t n, uint32_t limit)
{
	tally_node **pp = find(t, key), *e = *pp;
	uint32_t have = e != NULL ? e->count : 0;

	if (n == 0) {
		return 0;
	}
	if (limit != 0 && (have >= limit || n > limit - have)) {
		return NS_ERR_LIMIT;
	}
	if (e == NULL) {
		if (strlen(key) >= sizeof(e->key)) {
			return NS_ERR_INVALID;
		}
		if ((e = calloc(1, sizeof(*e))) == NULL) {
			return NS_ERR_NOMEM;
		}
		memcpy(e->key, key, strlen(key) + 1);
		*pp = e;
	}
	e->count += n;
	return 0;
}

void ns_relay_tally_sub(ns_relay_tally *t, const char *key, uint32_t n)
{
	tally_node **pp = find(t, key), *e = *pp;

	if (e == NULL || n == 0) {
		return;
	}
	e->count = n < e->count ? e->count - n : 0;
	if (e->count == 0) {
		*pp = e->next;
		free(e);
	}
}
