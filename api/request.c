/* The API's routes and request bodies, without I/O: URL paths matched to
 * routes (with the sandbox id), and the JSON bodies of create and
 * ssh-access read by jansson into plain structs, every member type- and
 * range-checked with a message for the client; control bytes in URLs and
 * headers found before anything is decoded or routed. */
#include "request.h"

#include <jansson.h>
#include <string.h>

#include "json_object.h"
#include "mint.h"
#include "nullspace/error.h"
#include "registry.h"

#define PREFIX_HEALTH "/v1/health"
#define PREFIX_SANDBOXES "/v1/sandboxes"
#define ACCESS_INFIX "/ssh-access/"
#define NOT_JSON "the request body is not valid JSON (or repeats a member)"
#define NOT_OBJECT "the request body must be a JSON object"

static const struct {
	const char *suffix;
	int route;
} SUB_ROUTES[] = {
    {"", NS_ROUTE_SANDBOX},
    {"/kill", NS_ROUTE_SANDBOX_KILL},
    {"/ssh-access", NS_ROUTE_SSH_ACCESS},
    {"/commands", NS_ROUTE_COMMANDS},
    {"/files", NS_ROUTE_FILES},
    {"/files/list", NS_ROUTE_FILES_LIST},
    {"/files/url", NS_ROUTE_FILES_URL},
};

int ns_api_route(const char *path, char id[NS_API_ID_MAX + 1])
{
	size_t plen = sizeof(PREFIX_SANDBOXES) - 1, n, k;
	const char *p;

	id[0] = '\0';
	if (path == NULL) {
		return NS_ROUTE_NONE;
	}
	if (strcmp(path, PREFIX_HEALTH) == 0) {
		return NS_ROUTE_HEALTH;
	}
	if (strcmp(path, "/v1/files/signed") == 0) {
		return NS_ROUTE_FILES_SIGNED;
	}
	if (strcmp(path, "/v1/revocations") == 0) {
		return NS_ROUTE_REVOCATIONS;
	}
	if (strcmp(path, "/v1/activity") == 0) {
		return NS_ROUTE_ACTIVITY;
	}
	if (strncmp(path, PREFIX_SANDBOXES, plen) != 0) {
		return NS_ROUTE_NONE;
	}
	if (path[plen] == '\0') {
		return NS_ROUTE_SANDBOXES;
	}
	if (path[plen] != '/') {
		return NS_ROUTE_NONE;
	}
	p = path + plen + 1; /* {id}[/suffix] */
	n = strcspn(p, "/");
	if (n == 0 || n > NS_API_ID_MAX) {
		return NS_ROUTE_NONE;
	}
	for (k = 0; k < sizeof(SUB_ROUTES) / sizeof(SUB_ROUTES[0]); k++) {
		if (strcmp(p + n, SUB_ROUTES[k].suffix) == 0) {
			memcpy(id, p, n);
			id[n] = '\0';
			if (!ns_registry_id_valid(id)) {
				id[0] = '\0';
				return NS_ROUTE_NONE;
			}
			return SUB_ROUTES[k].route;
		}
	}
	if (strncmp(p + n, ACCESS_INFIX, sizeof(ACCESS_INFIX) - 1) == 0 &&
	    strlen(p + n + sizeof(ACCESS_INFIX) - 1) == NS_API_ACCESS_ID_MAX &&
	    strchr(p + n + sizeof(ACCESS_INFIX) - 1, '/') == NULL) {
		memcpy(id, p, n);
		id[n] = '\0';
		if (ns_registry_id_valid(id)) {
			return NS_ROUTE_ACCESS;
		}
		id[0] = '\0';
	}
	return NS_ROUTE_NONE;
}

int ns_api_route_access(const char *path, char acc[NS_API_ACCESS_ID_MAX + 1])
{
	const char *p = path != NULL ? strstr(path, ACCESS_INFIX) : NULL;

	acc[0] = '\0';
	if (p == NULL || strlen(p + sizeof(ACCESS_INFIX) - 1) != NS_API_ACCESS_ID_MAX) {
		return NS_ERR_FORMAT;
	}
	memcpy(acc, p + sizeof(ACCESS_INFIX) - 1, NS_API_ACCESS_ID_MAX + 1);
	return 0;
}

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

int ns_api_url_has_control(const char *s, size_t n)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (is_control((unsigned char)s[i])) {
			return 1;
		}
		/* "%HH" as libmicrohttpd decodes it; a "%" without two hex
		 * digits stays as it is */
		if (s[i] == '%' && n - i > 2 && (hi = hex_value(s[i + 1])) >= 0 &&
		    (lo = hex_value(s[i + 2])) >= 0 && is_control((unsigned char)(hi * 16 + lo))) {
			return 1;
		}
	}
	return 0;
}

int ns_api_header_has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != '\t' && is_control((unsigned char)s[i])) {
			return 1;
		}
	}
	return 0;
}

/* An optional integer member in lo..hi: 0 (absent: *out untouched),
 * NS_ERR_FORMAT (not an integer) or NS_ERR_INVALID (out of range). */
static int get_int(json_t *obj, const char *name, json_int_t lo, json_int_t hi, json_int_t *out)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL) {
		return 0;
	}
	if (!json_is_integer(v)) {
		return NS_ERR_FORMAT;
	}
	if (json_integer_value(v) < lo || json_integer_value(v) > hi) {
		return NS_ERR_INVALID;
	}
	*out = json_integer_value(v);
	return 0;
}

/* An optional boolean member: 0 (absent or null: *out untouched) or
 * NS_ERR_FORMAT (another type). */
static int get_bool(json_t *obj, const char *name, int *out)
{
	json_t *v = json_object_get(obj, name);

	if (v == NULL || json_is_null(v)) {
		return 0;
	}
	if (!json_is_boolean(v)) {
		return NS_ERR_FORMAT;
	}
	*out = json_is_true(v);
	return 0;
}

/* permit_port_forwarding (default true), permit_agent_forwarding (default
 * false) into out->extensions. */
static int get_permits(json_t *j, ns_access_request *out, const char **why)
{
	int port = 1, agent = 0;

	if (get_bool(j, "permit_port_forwarding", &port) != 0) {
		*why = "permit_port_forwarding must be true or false";
		return NS_ERR_FORMAT;
	}
	if (get_bool(j, "permit_agent_forwarding", &agent) != 0) {
		*why = "permit_agent_forwarding must be true or false";
		return NS_ERR_FORMAT;
	}
	out->extensions = NS_EXT_PERMIT_PTY | (port ? NS_EXT_PERMIT_PORT_FORWARDING : 0) |
	                  (agent ? NS_EXT_PERMIT_AGENT_FORWARDING : 0);
	return 0;
}

static int template_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-';
}

static int get_template(json_t *obj, char out[NS_API_TEMPLATE_MAX + 1], const char **why)
{
	json_t *v = json_object_get(obj, "template");
	const char *s;
	size_t n, i;

	if (v == NULL) {
		return 0;
	}
	if (!json_is_string(v)) {
		*why = "template must be a string";
		return NS_ERR_FORMAT;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	for (i = 0; i < n; i++) {
		if (!template_char(s[i])) {
			break;
		}
	}
	if (n == 0 || n > NS_API_TEMPLATE_MAX || i != n) {
		*why = "template must be 1 to 64 letters, digits, '.', '_' or '-'";
		return NS_ERR_INVALID;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int ns_api_parse_create(const char *body, size_t len, ns_create_request *out, const char **why)
{
	json_int_t timeout = NS_API_SANDBOX_TIMEOUT_DEFAULT;
	json_int_t lifetime = NS_API_SANDBOX_LIFETIME_DEFAULT;
	json_t *j = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	strcpy(out->template_name, "base");
	out->timeout = NS_API_SANDBOX_TIMEOUT_DEFAULT;
	out->max_lifetime = NS_API_SANDBOX_LIFETIME_DEFAULT;
	*why = NULL;
	if (len == 0) {
		goto out; /* all defaults */
	}
	if ((j = ns_json_object_load(body, len, NOT_JSON, NOT_OBJECT, why)) == NULL) {
		rc = NS_ERR_FORMAT;
		goto out;
	}
	if ((rc = get_template(j, out->template_name, why)) != 0) {
		goto out;
	}
	if ((rc = get_int(j, "timeout", 1, NS_API_SANDBOX_TIMEOUT_MAX, &timeout)) != 0) {
		*why = "timeout must be an integer from 1 to 86400 (seconds)";
		goto out;
	}
	if ((rc = get_int(j, "max_lifetime", 1, NS_API_SANDBOX_LIFETIME_MAX, &lifetime)) != 0) {
		*why = "max_lifetime must be an integer from 1 to 86400 (seconds)";
		goto out;
	}
	if (json_object_get(j, "timeout") == NULL && lifetime < timeout) {
		timeout = lifetime; /* a short life alone: the idle window fits in it */
	}
	if (lifetime < timeout) {
		*why = "max_lifetime must be at least timeout";
		rc = NS_ERR_INVALID;
		goto out;
	}
	out->timeout = (uint32_t)timeout;
	out->max_lifetime = (uint32_t)lifetime;
out:
	json_decref(j);
	if (rc != 0) {
		strcpy(out->template_name, "base");
		out->timeout = NS_API_SANDBOX_TIMEOUT_DEFAULT;
		out->max_lifetime = NS_API_SANDBOX_LIFETIME_DEFAULT;
	}
	return rc;
}

static int get_public_key(json_t *obj, char out[NS_API_PUBKEY_MAX], const char **why)
{
	json_t *v = json_object_get(obj, "public_key");
	size_t n;

	if (v == NULL) {
		*why = "public_key is required (one OpenSSH public key line: ssh-ed25519, "
		       "ecdsa-sha2-nistp256, ssh-rsa or sk-*)";
		return NS_ERR_FORMAT;
	}
	if (!json_is_string(v)) {
		*why = "public_key must be a string";
		return NS_ERR_FORMAT;
	}
	n = json_string_length(v);
	if (n == 0 || n >= NS_API_PUBKEY_MAX) {
		*why = "public_key must be one OpenSSH public key line (1 to 8191 bytes)";
		return NS_ERR_INVALID;
	}
	memcpy(out, json_string_value(v), n);
	out[n] = '\0';
	return 0;
}

int ns_api_parse_access(const char *body, size_t len, ns_access_request *out, const char **why)
{
	json_int_t minutes = NS_API_EXPIRES_DEFAULT;
	json_t *j = NULL;
	int rc = NS_ERR_FORMAT;

	memset(out, 0, sizeof(*out));
	out->expires_in_minutes = NS_API_EXPIRES_DEFAULT;
	out->extensions = NS_MINT_EXT_DEFAULT;
	*why = NULL;
	if (len == 0) {
		*why = "public_key is required (one OpenSSH public key line: ssh-ed25519, "
		       "ecdsa-sha2-nistp256, ssh-rsa or sk-*)";
		goto out;
	}
	if ((j = ns_json_object_load(body, len, NOT_JSON, NOT_OBJECT, why)) == NULL) {
		goto out;
	}
	if ((rc = get_public_key(j, out->public_key, why)) != 0) {
		goto out;
	}
	if ((rc = get_int(j, "expires_in_minutes", NS_API_EXPIRES_MIN, NS_API_EXPIRES_MAX,
	                  &minutes)) != 0) {
		*why = "expires_in_minutes must be an integer from 1 to 60";
		goto out;
	}
	out->expires_in_minutes = (int)minutes;
	rc = get_permits(j, out, why);
out:
	json_decref(j);
	if (rc != 0) {
		memset(out->public_key, 0, sizeof(out->public_key));
		out->expires_in_minutes = NS_API_EXPIRES_DEFAULT;
		out->extensions = NS_MINT_EXT_DEFAULT;
	}
	return rc;
}
