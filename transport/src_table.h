/* Connections counted per source address (the relay's and the agent's cap
 * on unauthenticated connections per source): a chained hash table the
 * caller owns, an entry living only while its count is positive. */
#ifndef NS_TRANSPORT_SRC_TABLE_H
#define NS_TRANSPORT_SRC_TABLE_H

#include <stdint.h>

#define NS_SRC_BUCKETS 4096
#define NS_SRC_ADDR_MAX 64 /* as ns_net_peer_name writes it, with its NUL */

typedef struct ns_src_node ns_src_node;

typedef struct ns_src_table {
	ns_src_node *b[NS_SRC_BUCKETS];
} ns_src_table;

/* An empty table (zeroed memory is one too). */
void ns_src_table_init(ns_src_table *t);
/* Free every entry; the table is empty again. */
void ns_src_table_clear(ns_src_table *t);
/* Count one more connection from addr: 0, NS_ERR_LIMIT when addr already
 * holds limit of them (nothing counted), or NS_ERR_NOMEM. */
int ns_src_table_add(ns_src_table *t, const char *addr, uint32_t limit);
/* One fewer from addr (an address not counted is ignored). */
void ns_src_table_del(ns_src_table *t, const char *addr);
/* How many addr holds now. */
uint32_t ns_src_table_count(const ns_src_table *t, const char *addr);

#endif
