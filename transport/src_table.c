/* Connections counted per source address, shared by the relay (relay_src.c)
 * and the agent: a small chained hash table of addresses, an entry living
 * only while its count is positive, so memory follows the connections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "src_table.h"

struct ns_src_node {
	struct ns_src_node *next;
	uint32_t count;
	char addr[NS_SRC_ADDR_MAX];
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	while (*s != '\0') {
		h = (h ^ (uint8_t)*s++) * 16777619u;
	}
	return h % NS_SRC_BUCKETS;
}

void ns_src_table_init(ns_src_table *t)
{
	memset(t, 0, sizeof(*t));
}

void ns_src_table_clear(ns_src_table *t)
{
	ns_src_node *n, *next;
	size_t i;

	for (i = 0; i < NS_SRC_BUCKETS; i++) {
		for (n = t->b[i]; n != NULL; n = next) {
			next = n->next;
			free(n);
		}
		t->b[i] = NULL;
	}
}

/* Addresses are compared as stored: cut to NS_SRC_ADDR_MAX - 1 bytes. */
static const char *key(const char *addr, char out[NS_SRC_ADDR_MAX])
{
	snprintf(out, NS_SRC_ADDR_MAX, "%s", addr);
	return out;
}

static ns_src_node *find(const ns_src_table *t, const char *addr)
{
	ns_src_node *n;

	for (n = t->b[hash(addr)]; n != NULL && strcmp(n->addr, addr) != 0; n = n->next) {
	}
	return n;
}

int ns_src_table_add(ns_src_table *t, const char *addr, uint32_t limit)
{
	char k[NS_SRC_ADDR_MAX];
	ns_src_node *n = find(t, key(addr, k));
	uint32_t h;

	if (n != NULL && n->count >= limit) {
		return NS_ERR_LIMIT;
	}
	if (n == NULL) {
		if (limit == 0) {
			return NS_ERR_LIMIT;
		}
		if ((n = calloc(1, sizeof(*n))) == NULL) {
			return NS_ERR_NOMEM;
		}
		memcpy(n->addr, k, sizeof(n->addr));
		h = hash(k);
		n->next = t->b[h];
		t->b[h] = n;
	}
	n->count++;
	return 0;
}

void ns_src_table_del(ns_src_table *t, const char *addr)
{
	char k[NS_SRC_ADDR_MAX];
	ns_src_node **pp, *n;

	key(addr, k);
	for (pp = &t->b[hash(k)]; (n = *pp) != NULL; pp = &n->next) {
		if (strcmp(n->addr, k) == 0) {
			if (--n->count == 0) {
				*pp = n->next;
				free(n);
			}
			return;
		}
	}
}

uint32_t ns_src_table_count(const ns_src_table *t, const char *addr)
{
	char k[NS_SRC_ADDR_MAX];
	const ns_src_node *n = find(t, key(addr, k));

	return n != NULL ? n->count : 0;
}
