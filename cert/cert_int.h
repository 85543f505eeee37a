/* Internals shared by the cert/ files: walking the packed option and
 * extension lists, and the table of extension names we understand. */
#ifndef NS_CERT_INT_H
#define NS_CERT_INT_H

#include "nullspace/cert.h"
#include "wire.h"

/* Extension names with their NS_EXT_* bit, sorted by byte value (the order
 * OpenSSH requires on the wire). */
typedef struct ns_cert_ext_name {
	const char *name;
	uint32_t bit;
} ns_cert_ext_name;

#define NS_CERT_NEXT 6
extern const ns_cert_ext_name ns_cert_ext_names[NS_CERT_NEXT];

/* Next (name, data) pair of a packed option/extension list; 1 when a pair
 * was read, 0 at the end, a negative NS_ERR_* on malformed input. */
int ns_cert_pair_next(ns_rd *r, ns_str *name, ns_str *data);
/* The value inside a pair's data: the inner string, or empty when data is
 * empty. NS_ERR_FORMAT unless data is exactly one string or empty. */
int ns_cert_pair_value(ns_str data, ns_str *value);

#endif
