/* The Commands and Files API requests (server_files.h): checks (sandbox
 * running, path, sizes, signed URL), then a job that runs the sandbox
 * helper; the answer is built when the job ends, or streamed while it
 * runs (server_stream.c). One log line per request, never a path's
 * contents, a command, a body or a signed URL's query. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "files_out.h"
#include "files_url.h"
#include "nullspace/error.h"
#include "request.h"
#include "request_files.h"
#include "server_files.h"
#include "server_int.h"
#include "server_xfer.h"

#define MSG_MAX 512

int ns_api_xfer_route(int route)
{
	return route == NS_ROUTE_COMMANDS || route == NS_ROUTE_FILES ||
	       route == NS_ROUTE_FILES_LIST || route == NS_ROUTE_FILES_URL ||
	       route == NS_ROUTE_FILES_SIGNED;
}

int ns_api_xfer_needs_key(int route)
{
	return route != NS_ROUTE_FILES_SIGNED;
}

void ns_api_xfer_free(ns_api_xfer *x)
{
	if (x == NULL) {
		return;
	}
	ns_job_release(x->job);
	free(x->body);
	free(x->pend);
	free(x);
}

enum MHD_Result ns_api_xfer_error(ns_api_xfer *x, unsigned status, const char *msg,
                                  const char *reason)
{
	ns_api_reply r;

	memset(&r, 0, sizeof(r));
	ns_api_reply_error(&r, status, msg);
	r.reason = reason;
	x->phase = X_DONE;
	return ns_api_queue(x->cfg, x->c, x->method, x->url, &r);
}

int ns_api_xfer_running(ns_api_xfer *x, enum MHD_Result *ret)
{
	ns_sandbox_info sb;
	char msg[MSG_MAX];

	if (ns_runtime_get(x->cfg->runtime, x->id, &sb) != 0) {
		snprintf(msg, sizeof(msg), "no such sandbox: %s", x->id);
		*ret = ns_api_xfer_error(x, 404, msg, NULL);
		return 0;
	}
	if (strcmp(sb.state, "running") != 0) {
		snprintf(msg, sizeof(msg), "sandbox %s is stopped (%s)", x->id,
		         sb.stop_reason[0] != '\0' ? sb.stop_reason : sb.state);
		*ret = ns_api_xfer_error(x, 409, msg, "sandbox-stopped");
		return 0;
	}
	if (ns_runtime_inside(x->cfg->runtime, x->id, x->home, sizeof(x->home), &x->exe) != 0 ||
	    ns_registry_lookup(x->cfg->registry_dir, x->id, &x->ent) != 0 ||
	    x->ent.state != NS_SANDBOX_RUNNING) {
		snprintf(msg, sizeof(msg), "sandbox %s cannot be reached", x->id);
		*ret = ns_api_xfer_error(x, 409, msg, "sandbox-unreachable");
		return 0;
	}
	return 1;
}

/* The path of the request (query "path=" or given) into x->rel. */
static int path_ok(ns_api_xfer *x, const char *p, size_t n, enum MHD_Result *ret)
{
	const char *why = "bad path";

	if (p == NULL) {
		*ret = ns_api_xfer_error(x, 400, "path is missing (?path=...)", "bad-path");
		return 0;
	}
	snprintf(x->path, sizeof(x->path), "%.*s", (int)(n < NS_FILES_PATH_MAX ? n : 0), p);
	if (ns_files_path_check(p, n, x->home, x->rel, sizeof(x->rel), &why) != 0) {
		char msg[MSG_MAX];
		snprintf(msg, sizeof(msg), "%s", why);
		*ret = ns_api_xfer_error(x, 400, msg, "bad-path");
		return 0;
	}
	return 1;
}

/* A job running the helper (op, args) for x. */
static int start(ns_api_xfer *x, int mode, const char *op, const char *const *args, size_t n,
                 enum MHD_Result *ret)
{
	int full = 0;

	if ((x->job = ns_job_new(&full)) == NULL) {
		*ret = full
		           ? ns_api_xfer_error(x, 429,
		                               "too many commands and file transfers running (32); "
		                               "retry later",
		                               "jobs-limit")
		           : ns_api_xfer_error(x, 500, "out of memory", NULL);
		return 0;
	}
	x->job->ent = x->ent;
	x->job->key = x->cfg->agent_key;
	x->job->mode = mode;
	x->job->capture_max = NS_FILES_LIST_OUTPUT_MAX;
	x->job->want_stdin = x->job_want_stdin;
	x->job->command = op != NULL ? ns_api_helper_line(x->exe, op, args, n) : x->line;
	x->line = NULL;
	if (x->job->command == NULL) {
		*ret = ns_api_xfer_error(x, 400, "the path or command is too long", NULL);
		return 0;
	}
	if (ns_job_start(x->job, x->c) != 0) {
		*ret = ns_api_xfer_error(x, 500, "the job could not be started", NULL);
		return 0;
	}
	return 1;
}

static const char *arg(struct MHD_Connection *c, const char *name, size_t *n)
{
	const char *v = NULL;

	*n = 0;
	if (MHD_lookup_connection_value_n(c, MHD_GET_ARGUMENT_KIND, name, strlen(name), &v, n) !=
	    MHD_YES) {
		return NULL;
	}
	return v;
}

/* PUT: the size from Content-Length (required), then the helper. */
static enum MHD_Result begin_put(ns_api_xfer *x, const char *mode_s)
{
	const char *cl =
	    MHD_lookup_connection_value(x->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char size_s[24], mode_o[8], *end = NULL;
	const char *args[3];
	unsigned mode = NS_FILES_MODE_DEFAULT;
	unsigned long long size;
	enum MHD_Result ret = MHD_YES;

	if (mode_s != NULL && ns_files_mode_parse(mode_s, &mode) != 0) {
		return ns_api_xfer_error(x, 400, "mode must be octal, at most 07777", "bad-mode");
	}
	if (cl == NULL) {
		return ns_api_xfer_error(x, 411, "an upload needs a Content-Length", "no-length");
	}
	size = strtoull(cl, &end, 10);
	if (end == cl || *end != '\0' || size > NS_FILES_UPLOAD_MAX) {
		return ns_api_xfer_error(x, 413, "an upload is at most 1 GiB (1073741824 bytes)",
		                         "upload-too-big");
	}
	x->size = size;
	snprintf(size_s, sizeof(size_s), "%llu", size);
	snprintf(mode_o, sizeof(mode_o), "%o", mode);
	args[0] = x->rel;
	args[1] = mode_o;
	args[2] = size_s;
	x->job_want_stdin = 1;
	if (!start(x, NS_JOB_PIPES, "put", args, 3, &ret)) {
		return ret;
	}
	x->phase = X_UPLOAD;
	return MHD_YES;
}

/* A files request once the sandbox and path are known. */
static enum MHD_Result begin_files(ns_api_xfer *x, const char *mode_s)
{
	const char *args[1] = {x->rel};
	enum MHD_Result ret = MHD_YES;

	if (strcmp(x->method, "PUT") == 0) {
		return begin_put(x, mode_s);
	}
	if (x->route == NS_ROUTE_FILES && strcmp(x->method, "GET") == 0) {
		if (!start(x, NS_JOB_PIPES, "get", args, 1, &ret)) {
			return ret;
		}
		x->phase = X_HEAD;
		ns_job_wait(x->job, x->job->out_r, POLLIN, -1, 0);
		return MHD_YES;
	}
	if (!start(x, NS_JOB_CAPTURE, x->route == NS_ROUTE_FILES_LIST ? "ls" : "rm", args, 1,
	           &ret)) {
		return ret;
	}
	x->phase = X_RUN;
	ns_job_wait(x->job, -1, 0, -1, 0);
	return MHD_YES;
}

static enum MHD_Result begin_signed(ns_api_xfer *x)
{
	static const char *const names[] = {"sandbox", "method", "exp", "path", "sig"};
	ns_files_url u;
	ns_files_refusal why;
	const char *v;
	size_t n, i;
	enum MHD_Result ret = MHD_YES;

	memset(&u, 0, sizeof(u));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((v = arg(x->c, names[i], &n)) != NULL &&
		    ns_files_url_field(&u, names[i], v, n) != 0) {
			u.have = 0;
			break;
		}
	}
	why = ns_files_url_verify(&u, x->cfg->url_secret, x->method, (uint64_t)time(NULL));
	sodium_memzero(u.sig, sizeof(u.sig));
	if (why != NS_FILES_URL_OK) {
		return ns_api_xfer_error(x, (unsigned)ns_files_refusal_status(why),
		                         ns_files_refusal_message(why), ns_files_refusal_name(why));
	}
	snprintf(x->id, sizeof(x->id), "%s", u.sandbox);
	if (!ns_api_xfer_running(x, &ret) || !path_ok(x, u.path, strlen(u.path), &ret)) {
		return ret;
	}
	x->route = NS_ROUTE_FILES;
	return begin_files(x, NULL);
}

static enum MHD_Result begin(ns_api_xfer *x)
{
	const char *p;
	size_t n;
	enum MHD_Result ret = MHD_YES;

	ns_api_conn_phase(ns_api_conn_of(x->c), NS_API_PHASE_SENDING); /* idle timeout only */
	if (x->route == NS_ROUTE_FILES_SIGNED) {
		return begin_signed(x);
	}
	if (x->route == NS_ROUTE_COMMANDS || x->route == NS_ROUTE_FILES_URL) {
		x->phase = X_BODY;
		return MHD_YES;
	}
	if (!ns_api_xfer_running(x, &ret)) {
		return ret;
	}
	p = arg(x->c, "path", &n);
	if (x->route == NS_ROUTE_FILES_LIST && p == NULL) {
		p = ".";
		n = 1;
	}
	if (!path_ok(x, p, n, &ret)) {
		return ret;
	}
	return begin_files(x, arg(x->c, "mode", &n));
}

enum MHD_Result ns_api_xfer_step(const ns_api_server_config *cfg, struct MHD_Connection *c,
                                 const char *method, const char *url, int route, const char *id,
                                 const char *upload, size_t *upload_size, ns_api_xfer **xp)
{
	ns_api_xfer *x = *xp;

	if (x == NULL) {
		if ((x = calloc(1, sizeof(*x))) == NULL) {
			return MHD_NO;
		}
		*xp = x;
		x->cfg = cfg;
		x->c = c;
		x->route = route;
		snprintf(x->method, sizeof(x->method), "%s", method);
		snprintf(x->url, sizeof(x->url), "%s", url);
		snprintf(x->id, sizeof(x->id), "%s", id);
		return begin(x);
	}
	switch (x->phase) {
	case X_BODY: return ns_api_xfer_body(x, upload, upload_size);
	case X_UPLOAD: return ns_api_xfer_upload(x, upload, upload_size);
	case X_HEAD: return ns_api_xfer_head(x);
	case X_RUN: return ns_api_xfer_finish(x);
	default: *upload_size = 0; return MHD_YES;
	}
}
