/* Counts by key, shared by the relay (relay_src.c) and the agent: a small
 * chained hash table, FNV-1a over the key, an entry freed when its count
 * falls to zero, so memory follows the connections. */
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "tally.h"

struct ns_tally_node {
	struct ns_tally_node *next;
	uint32_t count;
	char key[NS_TALLY_KEY_MAX];
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s != '\0') {
		h = (h ^ (uint8_t)*s++) * 16777619u;
	}
	return h % NS_TALLY_BUCKETS;
}

void ns_tally_init(ns_tally *t)
{
	memset(t, 0, sizeof(*t));
}

void ns_tally_clear(ns_tally *t)
{
	ns_tally_node *n, *next;
	size_t i;

	for (i = 0; i < NS_TALLY_BUCKETS; i++) {
		for (n = t->b[i]; n != NULL; n = next) {
			next = n->next;
			free(n);
		}
		t->b[i] = NULL;
	}
}

/* The link that points at key's entry, or the chain's NULL end. */
static ns_tally_node **find(ns_tally *t, const char *key)
{
	ns_tally_node **pp;

	for (pp = &t->b[hash(key)]; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->key, key) == 0) {
			break;
		}
	}
	return pp;
}

uint32_t ns_tally_get(const ns_tally *t, const char *key)
{
	const ns_tally_node *n = *find((ns_tally *)t, key);

	return n != NULL ? n->count : 0;
}

int ns_tally_add(ns_tally *t, const char *key, uint32_t n, uint32_t limit)
{
	ns_tally_node **pp = find(t, key), *e = *pp;
	uint32_t have = e != NULL ? e->count : 0;
	size_t len = strlen(key);

	if (n == 0) {
		return 0;
	}
	if (limit != 0 && (have >= limit || n > limit - have)) {
		return NS_ERR_LIMIT;
	}
	if (e == NULL) {
		if (len >= sizeof(e->key)) {
			return NS_ERR_INVALID;
		}
		if ((e = calloc(1, sizeof(*e))) == NULL) {
			return NS_ERR_NOMEM;
		}
		memcpy(e->key, key, len + 1);
		*pp = e;
	}
	if (e->count > UINT32_MAX - n) {
		return NS_ERR_LIMIT;
	}
	e->count += n;
	return 0;
}

void ns_tally_sub(ns_tally *t, const char *key, uint32_t n)
{
	ns_tally_node **pp = find(t, key), *e = *pp;

	if (e == NULL || n == 0) {
		return;
	}
	e->count = n < e->count ? e->count - n : 0;
	if (e->count == 0) {
		*pp = e->next;
		free(e);
	}
}
