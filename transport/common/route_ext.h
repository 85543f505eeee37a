/* Routing from the certificate alone: the control plane writes where a
 * sandbox's agent is into each user certificate it mints, as the extension
 * agent@nullspace, signed by the CA with the rest. Its value is a registry
 * entry's text without the state (registry.h): endpoint=, host_key= and
 * user= lines. A relay that trusts the CA then routes with no registry and
 * no lookup (docs/relay.md, "Routing"). An extension, not a critical
 * option: OpenSSH ignores extensions it does not know, so the certificate
 * still works everywhere else. */
#ifndef NS_TRANSPORT_ROUTE_EXT_H
#define NS_TRANSPORT_ROUTE_EXT_H

#include <stddef.h>

#include "nullspace/cert.h"
#include "registry.h"

#define NS_ROUTE_EXT_NAME "agent@nullspace"
#define NS_ROUTE_EXT_MAX 1024 /* the value's bytes at most */
/* What follows "sandbox ID " in the relay's DISCONNECT when a certificate's
 * route no longer holds (the agent is gone or has another key); ssh prints
 * it as "Received disconnect from HOST port PORT:11: sandbox ID has moved;
 * mint a new certificate", and `nullspace ssh` mints anew once on it. */
#define NS_ROUTE_MOVED_TEXT "has moved; mint a new certificate"

/* The value for e (its endpoint, host key and user; id and state left out)
 * into out: 0 or NS_ERR_INVALID (an entry the parser would refuse, or cap
 * too small). */
int ns_route_ext_value(const ns_registry_entry *e, char *out, size_t cap);
/* Parse a value (bytes from a certificate): 0 with out filled (id empty,
 * state running), or NS_ERR_FORMAT with a short reason in why (may be
 * NULL): too long, a NUL, a state line, or what ns_registry_parse refuses. */
int ns_route_ext_parse(const uint8_t *value, size_t len, ns_registry_entry *out, const char **why);
/* The route of a parsed certificate: 0, NS_ERR_NOTFOUND (no such
 * extension) or NS_ERR_FORMAT (why set). */
int ns_route_ext_from_cert(const ns_cert *c, ns_registry_entry *out, const char **why);

#endif
