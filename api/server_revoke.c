/* Live revocation in the API: DELETE /v1/sandboxes/ID/ssh-access/ACC puts
 * the access's key id on the list (revoked.c), GET /v1/revocations hands
 * relays the list as {"version": N, "revoked": "id: ...\n..."} with an
 * ETag, or 304 with no body when If-None-Match names the current one. The
 * list lives in a file across restarts when the server has one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nullspace/error.h"
#include "request.h"
#include "server_int.h"

static void list(ns_api_revoked *rv, const char *if_none_match, int64_t now, ns_api_reply *r)
{
	size_t len = 0;
	char *text;

	ns_api_revoked_prune(rv, now);
	ns_api_revoked_etag(rv, r->etag);
	if (if_none_match != NULL && strcmp(if_none_match, r->etag) == 0) {
		r->status = 304; /* unchanged: no body */
		r->body = calloc(1, 1);
		r->len = 0;
		return;
	}
	if ((text = ns_api_revoked_text(rv, &len)) == NULL) {
		ns_api_reply_json(r, 500, NULL);
		return;
	}
	ns_api_reply_json(r, 200,
	                  json_pack("{s:I, s:s}", "version", (json_int_t)rv->gen, "revoked", text));
	free(text);
}

/* After a change: the file, rewritten. A failure is logged; the
 * revocation holds in memory all the same (relays fetch it from here). */
static void save(const ns_api_server_config *cfg, const ns_api_revoked *rv)
{
	char err[300], line[400];

	if (cfg->revoked_path != NULL &&
	    ns_api_revoked_save(rv, cfg->revoked_path, err, sizeof(err)) != 0) {
		snprintf(line, sizeof(line),
		         "api: event=revocations-not-saved error=%s (they hold until a restart)",
		         err);
		ns_api_log_line(cfg, line);
	}
}

static void revoke_access(const ns_api_server_config *cfg, ns_api_revoked *rv, const char *id,
                          const char *url, int64_t now, ns_api_reply *r)
{
	char acc[NS_API_ACCESS_ID_MAX + 1];
	ns_sandbox_info sb;
	int rc;

	if (ns_api_route_access(url, acc) != 0 || !ns_api_access_id_valid(acc)) {
		ns_api_reply_error(r, 404, "no such access (want acc_ and 24 of a-z, 0-9)");
		return;
	}
	if (cfg->runtime != NULL && ns_runtime_get(cfg->runtime, id, &sb) != 0) {
		ns_api_reply_error(r, 404, "no such sandbox");
		return;
	}
	if ((rc = ns_api_revoked_add(rv, id, acc, now)) == NS_ERR_LIMIT) {
		ns_api_reply_error(r, 429, "too many revoked accesses kept at once; retry later");
		r->reason = "revoked-limit";
		return;
	}
	if (rc != 0) {
		ns_api_reply_error(r, 400, "bad access id");
		return;
	}
	save(cfg, rv);
	ns_api_reply_json(
	    r, 200, json_pack("{s:s, s:s, s:b}", "access_id", acc, "sandbox_id", id, "revoked", 1));
	if (r->status == 200) {
		memcpy(r->access_id, acc, sizeof(r->access_id));
	}
}

void ns_api_revoke_answer(const ns_api_server_config *cfg, ns_api_revoked *rv, int route,
                          const char *id, const char *url, const char *if_none_match, int64_t now,
                          ns_api_reply *r)
{
	if (route == NS_ROUTE_REVOCATIONS) {
		list(rv, if_none_match, now, r);
	} else {
		revoke_access(cfg, rv, id, url, now, r);
	}
}

int ns_api_revoke_start(const ns_api_server_config *cfg, ns_api_revoked *rv, char *err, size_t cap)
{
	struct timespec ts;
	char line[400];
	size_t bad = 0;
	int rc;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ns_api_revoked_init(rv, (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000) !=
	    0) {
		snprintf(err, cap, "out of memory");
		return NS_ERR_NOMEM;
	}
	if (cfg->revoked_path == NULL) {
		return 0;
	}
	if ((rc = ns_api_revoked_load(rv, cfg->revoked_path, (int64_t)ts.tv_sec, &bad, err, cap)) !=
	    0) {
		ns_api_revoked_free(rv);
		return rc;
	}
	snprintf(line, sizeof(line), "api: event=revocations-loaded revoked=%zu skipped=%zu", rv->n,
	         bad);
	ns_api_log_line(cfg, line);
	return 0;
}
