/* Counts by key (a source address, a sandbox id): a chained hash table the
 * caller owns, an entry living only while its count is positive, so memory
 * follows what is counted. Shared by the relay (relay_src.c) and the agent
 * (unauthenticated connections per source). */
#ifndef NS_TRANSPORT_TALLY_H
#define NS_TRANSPORT_TALLY_H

#include <stdint.h>

#define NS_TALLY_BUCKETS 4096
#define NS_TALLY_KEY_MAX 72 /* a key's bytes with its NUL */

typedef struct ns_tally_node ns_tally_node;

typedef struct ns_tally {
	ns_tally_node *b[NS_TALLY_BUCKETS];
} ns_tally;

/* An empty tally (zeroed memory is one too). */
void ns_tally_init(ns_tally *t);
/* Free every entry; the tally is empty again. */
void ns_tally_clear(ns_tally *t);
/* The count of key (0 when absent). */
uint32_t ns_tally_get(const ns_tally *t, const char *key);
/* Count n more for key: 0; NS_ERR_LIMIT when that would pass limit (0: no
 * limit; nothing counted); NS_ERR_INVALID for a key of NS_TALLY_KEY_MAX
 * bytes or more; NS_ERR_NOMEM. */
int ns_tally_add(ns_tally *t, const char *key, uint32_t n, uint32_t limit);
/* Count n fewer for key (never below 0; an absent key is ignored). */
void ns_tally_sub(ns_tally *t, const char *key, uint32_t n);

#endif
