/* The nullspace C SDK (sdk.h): opening the API (argument, environment or
 * config file), then create, get, list and kill sandboxes and mint SSH
 * access, each one request through api/sdk_http.c and a strict decoder of
 * api/sdk_decode.c. */
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abi.h"
#include "sdk_decode.h"
#include "nullspace/error.h"
#include "sdk_int.h"
#include "registry.h"

#define PATH_CAP 256
#define HOME_CAP 4096
#define NO_API_HINT "run 'nullspace up' or set NULLSPACE_API_URL and NULLSPACE_API_KEY"
#define BAD_ID "not a sandbox id (letters, digits, '_' and '-' only)"

/* ids go into URL paths: [A-Za-z0-9_-] only. */
/* The body could not be read: NS_ERR_FORMAT with what was wrong. */
static int bad_body(ns_api *api, int rc, const char *why)
{
	if (rc == NS_ERR_NOMEM) {
		ns_api_set_msg(api, "out of memory");
		return rc;
	}
	ns_api_set_msg(api, "the API at %s sent a response we cannot read: %s", api->url,
	               why != NULL ? why : "malformed");
	return NS_ERR_FORMAT;
}

/* A URL we will talk to: http(s)://, no blanks or control bytes. */
static int url_ok(const char *u)
{
	size_t i;

	if (strncasecmp(u, "http://", 7) != 0 && strncasecmp(u, "https://", 8) != 0) {
		return 0;
	}
	for (i = 0; u[i] != '\0'; i++) {
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f) {
			return 0;
		}
	}
	return 1;
}

/* A key fit for a header line: printable, no blanks. */
static int key_ok(const char *k)
{
	size_t i;

	for (i = 0; k[i] != '\0'; i++) {
		if ((unsigned char)k[i] <= 0x20 || (unsigned char)k[i] >= 0x7f) {
			return 0;
		}
	}
	return i > 0;
}

static const char *from_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* url and key by precedence: argument, environment, config file. */
static int resolve(ns_api *api, const char *url, const char *key, char *err, size_t cap)
{
	char home[HOME_CAP];
	ns_api_config cfg;
	size_t n;
	int rc = 0;

	memset(&cfg, 0, sizeof(cfg));
	url = url != NULL ? url : from_env("NULLSPACE_API_URL");
	key = key != NULL ? key : from_env("NULLSPACE_API_KEY");
	if (url == NULL || key == NULL) {
		if ((rc = ns_api_home(home, sizeof(home))) == 0) {
			rc = ns_api_config_load(home, &cfg, err, cap);
		} else {
			rc = 0; /* no home: only the environment could have told */
		}
		if (rc != 0) {
			goto out;
		}
		url = url != NULL ? url : (cfg.api_url[0] ? cfg.api_url : NULL);
		key = key != NULL ? key : (cfg.api_key[0] ? cfg.api_key : NULL);
	}
	if (url == NULL || key == NULL) {
		snprintf(err, cap, "no API configured (no API %s): " NO_API_HINT,
		         url == NULL ? "URL" : "key");
		rc = NS_ERR_NOTFOUND;
		goto out;
	}
	if (strlen(url) >= sizeof(api->url) || !url_ok(url)) {
		snprintf(err, cap, "not an http:// or https:// API URL (or too long)");
		rc = NS_ERR_INVALID;
		goto out;
	}
	if (strlen(key) >= sizeof(api->key) || !key_ok(key)) {
		snprintf(err, cap, "the API key is malformed (printable characters, no blanks)");
		rc = NS_ERR_INVALID;
		goto out;
	}
	snprintf(api->url, sizeof(api->url), "%s", url);
	snprintf(api->key, sizeof(api->key), "%s", key);
	for (n = strlen(api->url); n > 0 && api->url[n - 1] == '/'; n--) {
		api->url[n - 1] = '\0';
	}
out:
	sodium_memzero(&cfg, sizeof(cfg));
	return rc;
}

int ns_api_open(ns_api **out, const char *url, const char *key, char *err, size_t cap)
{
	char dummy[NS_API_ERR_MAX];
	ns_api *api = NULL;
	int rc;

	if (err == NULL || cap == 0) {
		err = dummy;
		cap = sizeof(dummy);
	}
	err[0] = '\0';
	if (out == NULL) {
		snprintf(err, cap, "no place for the handle");
		return NS_ERR_INVALID;
	}
	*out = NULL;
	if ((api = calloc(1, sizeof(*api))) == NULL) {
		snprintf(err, cap, "out of memory");
		return NS_ERR_NOMEM;
	}
	if ((rc = resolve(api, url, key, err, cap)) != 0) {
		goto out;
	}
	if ((api->curl = ns_api_http_handle()) == NULL) {
		snprintf(err, cap, "cannot start libcurl");
		rc = NS_ERR_NOMEM;
		goto out;
	}
	*out = api;
	api = NULL;
out:
	ns_api_close(api);
	return rc;
}

void ns_api_close(ns_api *api)
{
	if (api == NULL) {
		return;
	}
	if (api->curl != NULL) {
		curl_easy_cleanup(api->curl);
	}
	sodium_memzero(api, sizeof(*api));
	free(api);
}

const char *ns_api_error(const ns_api *api)
{
	return api != NULL ? api->err : "";
}

int ns_api_status(const ns_api *api)
{
	return api != NULL ? api->status : 0;
}

const char *ns_api_url(const ns_api *api)
{
	return api != NULL ? api->url : "";
}

static int invalid(ns_api *api, const char *what)
{
	api->status = 0;
	ns_api_set_msg(api, "%s", what);
	return NS_ERR_INVALID;
}

static int decode_sandbox(const char *p, size_t len, void *out, const char **why)
{
	return ns_api_decode_sandbox(p, len, out, why);
}

/* ns_api_decode_sandbox_list's arguments past the body. */
typedef struct sandbox_list {
	ns_sandbox_info *out;
	size_t cap, *n;
} sandbox_list;

static int decode_list(const char *p, size_t len, void *out, const char **why)
{
	sandbox_list *l = out;

	return ns_api_decode_sandbox_list(p, len, l->out, l->cap, l->n, why);
}

static int decode_access(const char *p, size_t len, void *out, const char **why)
{
	return ns_api_decode_access(p, len, out, why);
}

/* One request whose 2xx body decode reads into out. */
static int call(ns_api *api, const char *method, const char *path, json_t *body,
                int (*decode)(const char *, size_t, void *, const char **), void *out)
{
	const char *why = NULL;
	ns_api_body b;
	int rc;

	if ((rc = ns_api_http_call(api, method, path, body, &b)) != 0) {
		return rc;
	}
	if ((rc = decode(b.p, b.len, out, &why)) != 0) {
		rc = bad_body(api, rc, why);
	}
	ns_api_body_free(&b);
	return rc;
}

void ns_sandbox_opts_init(ns_sandbox_opts *o)
{
	if (o != NULL) {
		memset(o, 0, sizeof(*o));
		o->size = sizeof(*o);
	}
}

int ns_api_sandbox_create(ns_api *api, const char *template_name, uint32_t timeout_s,
                          ns_sandbox_info *out)
{
	ns_sandbox_opts o;

	ns_sandbox_opts_init(&o);
	o.template_name = template_name;
	o.timeout_s = timeout_s;
	return ns_api_sandbox_create_opts(api, &o, out);
}

int ns_api_sandbox_create_opts(ns_api *api, const ns_sandbox_opts *opts, ns_sandbox_info *out)
{
	const char *template_name;
	ns_sandbox_opts o;
	uint32_t timeout_s;
	json_t *body;

	if (api == NULL || out == NULL || (opts != NULL && opts->size < sizeof(o))) {
		return NS_ERR_INVALID;
	}
	ns_sandbox_opts_init(&o);
	if (opts != NULL) {
		memcpy(&o, opts, sizeof(o));
	}
	memset(out, 0, sizeof(*out));
	template_name = o.template_name != NULL ? o.template_name : "base";
	timeout_s = o.timeout_s != 0 ? o.timeout_s : NS_API_SANDBOX_TIMEOUT_DEFAULT;
	if (timeout_s > NS_API_SANDBOX_TIMEOUT_MAX || strlen(template_name) > NS_API_TEMPLATE_MAX) {
		return invalid(api,
		               "the timeout is over 86400 seconds or the template name too long");
	}
	if (o.max_lifetime_s != 0 &&
	    (o.max_lifetime_s > NS_API_SANDBOX_LIFETIME_MAX || o.max_lifetime_s < timeout_s)) {
		return invalid(api, "max_lifetime must be from the timeout to 86400 seconds");
	}
	body = json_pack("{s:s, s:I}", "template", template_name, "timeout", (json_int_t)timeout_s);
	if (body != NULL && o.max_lifetime_s != 0 &&
	    json_object_set_new(body, "max_lifetime", json_integer(o.max_lifetime_s)) != 0) {
		json_decref(body);
		body = NULL;
	}
	if (body == NULL) {
		return invalid(api, "the template name is not UTF-8");
	}
	return call(api, "POST", "/v1/sandboxes", body, decode_sandbox, out);
}

int ns_api_sandbox_get(ns_api *api, const char *id, ns_sandbox_info *out)
{
	char path[PATH_CAP];

	if (api == NULL || out == NULL) {
		return NS_ERR_INVALID;
	}
	memset(out, 0, sizeof(*out));
	if (!ns_registry_id_valid(id)) {
		return invalid(api, BAD_ID);
	}
	snprintf(path, sizeof(path), "/v1/sandboxes/%s", id);
	return call(api, "GET", path, NULL, decode_sandbox, out);
}

int ns_api_sandbox_list(ns_api *api, ns_sandbox_info *out, size_t cap, size_t *n)
{
	sandbox_list l = {out, cap, n};

	if (api == NULL || n == NULL || (out == NULL && cap > 0)) {
		return NS_ERR_INVALID;
	}
	*n = 0;
	return call(api, "GET", "/v1/sandboxes", NULL, decode_list, &l);
}

int ns_api_sandbox_kill(ns_api *api, const char *id)
{
	char path[PATH_CAP];
	ns_api_body b;
	int rc;

	if (api == NULL) {
		return NS_ERR_INVALID;
	}
	if (!ns_registry_id_valid(id)) {
		return invalid(api, BAD_ID);
	}
	snprintf(path, sizeof(path), "/v1/sandboxes/%s", id);
	if ((rc = ns_api_http_call(api, "DELETE", path, NULL, &b)) == 0) {
		ns_api_body_free(&b);
	}
	return rc;
}

void ns_ssh_access_opts_init(ns_ssh_access_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
}

int ns_api_create_ssh_access(ns_api *api, const char *sandbox_id, const char *public_key,
                             int expires_in_minutes, ns_ssh_access *out)
{
	ns_ssh_access_opts o;

	ns_ssh_access_opts_init(&o);
	o.expires_in_minutes = expires_in_minutes;
	return ns_api_create_ssh_access_opts(api, sandbox_id, public_key, &o, out);
}

/* The request body: the permits only where they are not the defaults, so
 * that an older API takes a default request. */
static json_t *access_body(const char *public_key, int minutes, const ns_ssh_access_opts *o)
{
	json_t *body =
	    json_pack("{s:s, s:i}", "public_key", public_key, "expires_in_minutes", minutes);

	if (body != NULL &&
	    ((o->no_port_forwarding &&
	      json_object_set_new(body, "permit_port_forwarding", json_false()) != 0) ||
	     (o->agent_forwarding &&
	      json_object_set_new(body, "permit_agent_forwarding", json_true()) != 0))) {
		json_decref(body);
		body = NULL;
	}
	return body;
}

int ns_api_create_ssh_access_opts(ns_api *api, const char *sandbox_id, const char *public_key,
                                  const ns_ssh_access_opts *opts, ns_ssh_access *out)
{
	char path[PATH_CAP];
	json_t *body;
	ns_ssh_access_opts o;
	int expires_in_minutes;

	ns_ssh_access full;
	size_t size;
	int rc;

	if (api == NULL || out == NULL || out->size < NS_SSH_ACCESS_SIZE_MIN) {
		return NS_ERR_INVALID;
	}
	ns_ssh_access_opts_init(&o);
	if (opts != NULL && opts->size < sizeof(o)) {
		return NS_ERR_INVALID;
	}
	if (opts != NULL) {
		memcpy(&o, opts, sizeof(o));
	}
	size = out->size;
	memset(out, 0, size < sizeof(*out) ? size : sizeof(*out));
	out->size = size;
	expires_in_minutes =
	    o.expires_in_minutes != 0 ? o.expires_in_minutes : NS_API_EXPIRES_DEFAULT;
	if (!ns_registry_id_valid(sandbox_id)) {
		return invalid(api, BAD_ID);
	}
	if (public_key == NULL || public_key[0] == '\0' ||
	    expires_in_minutes < NS_API_EXPIRES_MIN || expires_in_minutes > NS_API_EXPIRES_MAX) {
		return invalid(api, "a public key line and 1 to 60 minutes are needed");
	}
	snprintf(path, sizeof(path), "/v1/sandboxes/%s/ssh-access", sandbox_id);
	body = access_body(public_key, expires_in_minutes, &o);
	if (body == NULL) {
		return invalid(api, "the public key line is not UTF-8");
	}
	ns_ssh_access_init(&full);
	if ((rc = call(api, "POST", path, body, decode_access, &full)) != 0) {
		return rc;
	}
	ns_abi_copy_out(out, size, &full, sizeof(full));
	/* what a shorter caller's struct has no room for is wiped and freed */
	memset(&full, 0, size < sizeof(full) ? size : sizeof(full));
	full.size = sizeof(full);
	ns_ssh_access_free(&full);
	return 0;
}

void ns_ssh_access_init(ns_ssh_access *a)
{
	if (a != NULL) {
		memset(a, 0, sizeof(*a));
		a->size = sizeof(*a);
	}
}

/* Wipe a credential string and free it. */
static void free_secret(char *s)
{
	if (s != NULL) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

void ns_ssh_access_free(ns_ssh_access *a)
{
	size_t size;

	if (a == NULL || a->size < NS_SSH_ACCESS_SIZE_MIN) {
		return;
	}
	size = a->size < sizeof(*a) ? a->size : sizeof(*a);
	free_secret(a->certificate);
	free_secret(a->command);
	free(a->access_id);
	free(a->sandbox_id);
	free(a->user);
	free(a->relay_host);
	free(a->relay_host_key);
	free(a->relay_known_hosts);
	if (size >= offsetof(ns_ssh_access, websocket_tls_sha256)) {
		free_secret(a->websocket_url);
	}
	if (size >= offsetof(ns_ssh_access, relay_host_ca)) {
		free(a->websocket_tls_sha256);
	}
	if (size >= sizeof(*a)) {
		free(a->relay_host_ca);
	}
	memset(a, 0, size); /* size too: ns_ssh_access_init before reuse */
}
