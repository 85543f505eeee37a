/* The API's routes and request bodies, parsed without I/O (fuzzed by
 * fuzz/fuzz_api_request.c). Bodies are JSON objects (jansson); unknown
 * members are ignored, a member of the wrong type is an error. */
#ifndef NS_API_REQUEST_H
#define NS_API_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "nullspace/sdk.h"

#define NS_API_BODY_MAX (64 * 1024)
#define NS_API_PUBKEY_MAX 8192

enum ns_route {
	NS_ROUTE_NONE = 0,     /* no such path: 404 */
	NS_ROUTE_HEALTH,       /* GET /v1/health (no key needed) */
	NS_ROUTE_SANDBOXES,    /* GET list, POST create: /v1/sandboxes */
	NS_ROUTE_SANDBOX,      /* GET get, DELETE kill: /v1/sandboxes/{id} */
	NS_ROUTE_SANDBOX_KILL, /* POST /v1/sandboxes/{id}/kill (same as DELETE) */
	NS_ROUTE_SSH_ACCESS,   /* POST /v1/sandboxes/{id}/ssh-access */
	NS_ROUTE_COMMANDS,     /* POST /v1/sandboxes/{id}/commands */
	NS_ROUTE_FILES,        /* PUT, GET, DELETE /v1/sandboxes/{id}/files?path=P */
	NS_ROUTE_FILES_LIST,   /* GET /v1/sandboxes/{id}/files/list?path=P */
	NS_ROUTE_FILES_URL,    /* POST /v1/sandboxes/{id}/files/url */
	NS_ROUTE_FILES_SIGNED, /* GET, PUT /v1/files/signed?... (no key: signed) */
	NS_ROUTE_REVOCATIONS,  /* GET /v1/revocations (for relays; ETag) */
	NS_ROUTE_ACCESS,       /* DELETE /v1/sandboxes/{id}/ssh-access/{access id} */
	NS_ROUTE_ACTIVITY,     /* POST /v1/activity (relays: keep sandboxes awake) */
};

/* Is there a control byte (0x00-0x1f or 0x7f) in the n bytes of a URL
 * part (path, query key or value), raw or percent-encoded ("%00", "%0a",
 * "%7F")? 1 when there is: such a URL is refused with 400 before routing,
 * since libmicrohttpd's decoding would end the string at a NUL ("/a%00b"
 * routes as "/a"). */
int ns_api_url_has_control(const char *s, size_t n);
/* The same for a header name or value, where only HTAB is allowed. */
int ns_api_header_has_control(const char *s, size_t n);

/* Match a URL path (no query string); id gets the {id} part. A path whose
 * id is not a valid sandbox id is NS_ROUTE_NONE. */
int ns_api_route(const char *path, char id[NS_API_ID_MAX + 1]);
/* NS_ROUTE_ACCESS's access id (the last part of the path) into acc: 0, or
 * NS_ERR_FORMAT. */
#define NS_API_ACCESS_ID_MAX 28
int ns_api_route_access(const char *path, char acc[NS_API_ACCESS_ID_MAX + 1]);

typedef struct ns_create_request {
	char template_name[NS_API_TEMPLATE_MAX + 1]; /* default "base" */
	uint32_t timeout;                            /* default NS_API_SANDBOX_TIMEOUT_DEFAULT */
	/* default NS_API_SANDBOX_LIFETIME_DEFAULT; never below timeout */
	uint32_t max_lifetime;
} ns_create_request;

typedef struct ns_access_request {
	char public_key[NS_API_PUBKEY_MAX];
	int expires_in_minutes; /* default NS_API_EXPIRES_DEFAULT */
	/* NS_EXT_* bits: NS_MINT_EXT_DEFAULT, less permit-port-forwarding when
	 * "permit_port_forwarding" is false, plus permit-agent-forwarding when
	 * "permit_agent_forwarding" is true */
	uint32_t extensions;
} ns_access_request;

/* An empty body means all defaults. NS_ERR_FORMAT (not JSON / not an
 * object / wrong type) or NS_ERR_INVALID (out of range); *why is a message
 * for the client, e.g. "expires_in_minutes must be an integer from 1 to 60". */
int ns_api_parse_create(const char *body, size_t len, ns_create_request *out, const char **why);
int ns_api_parse_access(const char *body, size_t len, ns_access_request *out, const char **why);

#endif
