/* The API's route handlers: sandboxes created, listed, read and killed
 * through the runtime, and SSH access minted for a running sandbox. Each
 * fills a reply (status + JSON) as docs/api.md says; server.c has already
 * checked the route, the method and the API key. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "request.h"
#include "route_ext.h"
#include "server_int.h"

#define MSG_MAX 256

static void no_sandbox(ns_api_reply *r, const char *id)
{
	char msg[MSG_MAX];

	snprintf(msg, sizeof(msg), "no such sandbox: %s", id);
	ns_api_reply_error(r, 404, msg);
}

static void create(const ns_api_server_config *cfg, const ns_create_request *req, int64_t now,
                   ns_api_reply *r)
{
	ns_sandbox_info sb;
	char err[MSG_MAX], msg[MSG_MAX + 64];
	int rc;

	err[0] = '\0';
	rc = ns_runtime_create(cfg->runtime, req->template_name, req->timeout, req->max_lifetime,
	                       now, &sb, err, sizeof(err));
	if (rc == NS_ERR_NOTFOUND) {
		snprintf(msg, sizeof(msg), "unknown template \"%s\" (only \"base\" exists)",
		         req->template_name);
		ns_api_reply_error(r, 400, msg);
	} else if (rc == NS_ERR_LIMIT) {
		/* err: "too many sandboxes running (N)", the limit named */
		snprintf(msg, sizeof(msg), "%s; kill one or wait for one to time out",
		         err[0] != '\0' ? err : "too many sandboxes running");
		ns_api_reply_error(r, 429, msg);
		r->reason = "sandbox-limit";
	} else if (rc != 0) {
		snprintf(msg, sizeof(msg), "the sandbox could not be started: %s",
		         err[0] != '\0' ? err : ns_strerror(rc));
		ns_api_reply_error(r, 500, msg);
	} else {
		ns_api_reply_json(r, 201, ns_api_sandbox_json(&sb));
	}
}

static void list(const ns_api_server_config *cfg, ns_api_reply *r)
{
	ns_sandbox_info *all = calloc(NS_RUNTIME_MAX_KEPT, sizeof(*all));
	json_t *arr = json_array(), *j = NULL;
	size_t n, i;

	if (all == NULL || arr == NULL) {
		goto out;
	}
	n = ns_runtime_list(cfg->runtime, all, NS_RUNTIME_MAX_KEPT);
	for (i = 0; i < n && i < NS_RUNTIME_MAX_KEPT; i++) {
		if (json_array_append_new(arr, ns_api_sandbox_json(&all[i])) != 0) {
			goto out;
		}
	}
	j = json_pack("{s:O}", "sandboxes", arr);
out:
	ns_api_reply_json(r, 200, j); /* NULL: 500 */
	json_decref(arr);
	free(all);
}

static void get(const ns_api_server_config *cfg, const char *id, ns_api_reply *r)
{
	ns_sandbox_info sb;

	if (ns_runtime_get(cfg->runtime, id, &sb) != 0) {
		no_sandbox(r, id);
		return;
	}
	ns_api_reply_json(r, 200, ns_api_sandbox_json(&sb));
}

static void kill_sandbox(const ns_api_server_config *cfg, const char *id, ns_api_reply *r)
{
	int rc = ns_runtime_kill(cfg->runtime, id, "killed");
	char msg[MSG_MAX];

	if (rc == NS_ERR_NOTFOUND) {
		no_sandbox(r, id);
		return;
	}
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "the sandbox could not be killed: %s", ns_strerror(rc));
		ns_api_reply_error(r, 500, msg);
		return;
	}
	get(cfg, id, r);
}

/* The agent@nullspace route for sandbox id from the registry (docs/api.md:
 * relays route by it alone), or NULL when there is no entry to give. */
static const char *access_route(const ns_api_server_config *cfg, const char *id, char *out,
                                size_t cap)
{
	ns_registry_entry ent;

	if (cfg->registry_dir == NULL || ns_registry_lookup(cfg->registry_dir, id, &ent) != 0 ||
	    ent.state != NS_SANDBOX_RUNNING || ns_route_ext_value(&ent, out, cap) != 0) {
		return NULL;
	}
	return out;
}

static void ssh_access(const ns_api_server_config *cfg, const char *id, const char *body,
                       size_t len, int64_t now, ns_api_reply *r)
{
	char route[NS_ROUTE_EXT_MAX + 1];
	ns_access_request req;
	ns_sandbox_info sb;
	ns_minted m;
	char msg[MSG_MAX];
	const char *why = NULL;
	int rc;

	if (ns_runtime_get(cfg->runtime, id, &sb) != 0) {
		no_sandbox(r, id);
		return;
	}
	if (strcmp(sb.state, "running") != 0) {
		snprintf(msg, sizeof(msg), "sandbox %s is stopped (%s)", id,
		         sb.stop_reason[0] != '\0' ? sb.stop_reason : sb.state);
		ns_api_reply_error(r, 409, msg);
		return;
	}
	if (ns_api_parse_access(body, len, &req, &why) != 0) {
		ns_api_reply_error(r, 400, why);
		return;
	}
	rc = ns_mint_access_routed(cfg->ca, id, access_route(cfg, id, route, sizeof(route)),
	                           req.public_key, strlen(req.public_key), req.expires_in_minutes,
	                           req.extensions, now, &m, &why);
	if (rc == NS_ERR_KEYTYPE || rc == NS_ERR_FORMAT || rc == NS_ERR_INVALID ||
	    rc == NS_ERR_LIMIT) {
		ns_api_reply_error(r, 400, why != NULL ? why : "bad public_key");
	} else if (rc != 0) {
		ns_api_reply_error(r, 500, "the certificate could not be signed");
	} else {
		r->secret = 1;
		ns_api_reply_json(r, 201, ns_api_access_json(cfg, id, &m));
		if (r->status == 201) {
			memcpy(r->access_id, m.access_id, sizeof(r->access_id));
		}
	}
	sodium_memzero(&m, sizeof(m));
}

static int is(const char *method, const char *want)
{
	return strcmp(method, want) == 0;
}

void ns_api_dispatch(const ns_api_server_config *cfg, const char *method, int route, const char *id,
                     const char *body, size_t len, int64_t now, ns_api_reply *r)
{
	ns_create_request req;
	const char *why = NULL;

	memset(&req, 0, sizeof(req));
	/* the body is checked first: a bad request is 400 whatever the runtime */
	if (route == NS_ROUTE_SANDBOXES && is(method, "POST") &&
	    ns_api_parse_create(body, len, &req, &why) != 0) {
		ns_api_reply_error(r, 400, why);
		return;
	}
	if (cfg->runtime == NULL) {
		ns_api_reply_error(r, 500, "no sandbox runtime");
		return;
	}
	switch (route) {
	case NS_ROUTE_SANDBOXES:
		if (is(method, "POST")) {
			create(cfg, &req, now, r);
		} else {
			list(cfg, r);
		}
		break;
	case NS_ROUTE_SANDBOX:
		if (is(method, "DELETE")) {
			kill_sandbox(cfg, id, r);
		} else {
			get(cfg, id, r);
		}
		break;
	case NS_ROUTE_SANDBOX_KILL: kill_sandbox(cfg, id, r); break;
	case NS_ROUTE_SSH_ACCESS: ssh_access(cfg, id, body, len, now, r); break;
	case NS_ROUTE_ACTIVITY: ns_api_activity_answer(cfg, body, len, now, r); break;
	default: ns_api_reply_error(r, 404, "no such route"); break;
	}
}
