/* The agent@nullspace certificate extension (route_ext.h): written by the
 * API's minting, read by the relay at login. The value is a registry entry
 * without its state, parsed by the registry's own parser so both routes
 * accept exactly the same endpoints, keys and user names. */
#include "route_ext.h"

#include <stdio.h>
#include <string.h>

#include "nullspace/error.h"

int ns_route_ext_value(const ns_registry_entry *e, char *out, size_t cap)
{
	char key[NS_KEY_LINE_MAX];
	ns_registry_entry check;
	const char *user = e->user[0] != '\0' ? e->user : "sandbox";
	int n;

	if (ns_key_to_line(e->host_key, NULL, key, sizeof(key)) != 0) {
		return NS_ERR_INVALID;
	}
	n = snprintf(out, cap, "endpoint=%.*s\nhost_key=%s\nuser=%.*s\n",
	             (int)strnlen(e->endpoint, sizeof(e->endpoint)), e->endpoint, key,
	             (int)strnlen(user, NS_REGISTRY_USER_MAX + 1), user);
	if (n < 0 || (size_t)n >= cap || (size_t)n > NS_ROUTE_EXT_MAX ||
	    ns_route_ext_parse((const uint8_t *)out, (size_t)n, &check, NULL) != 0) {
		if (cap > 0) {
			out[0] = '\0';
		}
		return NS_ERR_INVALID;
	}
	return 0;
}

/* Does text hold a line starting with "state"? */
static int has_state(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i + 5 <= len; i++) {
		if ((i == 0 || text[i - 1] == '\n') && memcmp(text + i, "state", 5) == 0) {
			return 1;
		}
	}
	return 0;
}

int ns_route_ext_parse(const uint8_t *value, size_t len, ns_registry_entry *out, const char **why)
{
	const char *w = NULL;
	int rc = NS_ERR_FORMAT;

	memset(out, 0, sizeof(*out));
	if (len > NS_ROUTE_EXT_MAX) {
		w = "route too long";
	} else if (len > 0 && memchr(value, '\0', len) != NULL) {
		w = "NUL in route";
	} else if (has_state((const char *)value, len)) {
		w = "state in route";
	} else if (ns_registry_parse((const char *)value, len, out, &w) == 0) {
		rc = 0;
	}
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
	}
	if (why != NULL) {
		*why = w;
	}
	return rc;
}

int ns_route_ext_from_cert(const ns_cert *c, ns_registry_entry *out, const char **why)
{
	ns_str v;
	int rc = ns_cert_option(c, 0, NS_ROUTE_EXT_NAME, &v);

	if (why != NULL) {
		*why =
		    rc == NS_ERR_NOTFOUND ? "no route in the certificate" : "malformed extension";
	}
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
		return rc == NS_ERR_NOTFOUND ? rc : NS_ERR_FORMAT;
	}
	return ns_route_ext_parse(v.p, v.len, out, why);
}
