/* POST /v1/sandboxes/{id}/commands (whole answer, or ?stream=1 as NDJSON
 * lines of base64 while the command runs) and POST .../files/url (a signed
 * URL minted). The command runs through `sandbox-helper run`, which owns
 * the timeout, the working folder and the environment. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "files_out.h"
#include "files_url.h"
#include "helper_codes.h"
#include "nullspace/error.h"
#include "request.h"
#include "request_files.h"
#include "server_int.h"
#include "server_xfer.h"

#define STREAM_BLOCK (48 * 1024) /* raw bytes per NDJSON line */
#define STREAM_LINE (STREAM_BLOCK / 3 * 4 + 64)

/* Did the helper kill the command at its timeout? Exit 124 after at least
 * the timeout (a command's own exit 124 comes earlier). */
static int timed_out(const ns_job *j, int code, uint32_t timeout)
{
	return code == NS_HELPER_EXIT_TIMEOUT &&
	       j->ended_ms - j->started_ms >= (int64_t)timeout * 1000;
}

/* NDJSON for the client: one line per block of output, then the end. */
static int next_line(ns_api_xfer *x)
{
	ns_job *j = x->job;
	uint8_t raw[STREAM_BLOCK];
	int *fds[2] = {&j->out_r, &j->err_r};
	const char *names[2] = {"stdout", "stderr"};
	ssize_t n;
	int i, code;

	for (i = 0; i < 2; i++) {
		if (*fds[i] < 0) {
			continue;
		}
		n = read(*fds[i], raw, sizeof(raw));
		if (n > 0) {
			int k = snprintf(x->pend, STREAM_LINE, "{\"%s\":\"", names[i]);
			sodium_bin2base64(x->pend + k, STREAM_LINE - (size_t)k, raw, (size_t)n,
			                  sodium_base64_VARIANT_ORIGINAL);
			x->pend_len = strlen(x->pend);
			memcpy(x->pend + x->pend_len, "\"}\n", 3);
			x->pend_len += 3;
			x->pend_off = 0;
			return 1;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			close(*fds[i]);
			*fds[i] = -1;
		}
	}
	if (j->out_r >= 0 || j->err_r >= 0 || !ns_job_done(j)) {
		return 0;
	}
	code = j->status;
	if (j->rc < 0) {
		snprintf(x->pend, STREAM_LINE,
		         "{\"error\":\"the sandbox could not be reached\"}\n");
	} else if (timed_out(j, code, x->timeout)) {
		snprintf(x->pend, STREAM_LINE, "{\"exit_code\":null,\"timed_out\":true}\n");
	} else {
		snprintf(x->pend, STREAM_LINE, "{\"exit_code\":%d,\"timed_out\":false}\n", code);
	}
	x->pend_len = strlen(x->pend);
	x->pend_off = 0;
	x->ended = 1;
	return 1;
}

static ssize_t stream(void *cls, uint64_t pos, char *buf, size_t max)
{
	ns_api_xfer *x = cls;
	size_t n;

	(void)pos;
	if (x->pend_off == x->pend_len) {
		if (x->ended) {
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (!next_line(x)) {
			ns_job_wait(x->job, x->job->out_r, POLLIN, x->job->err_r, POLLIN);
			return 0;
		}
	}
	n = x->pend_len - x->pend_off < max ? x->pend_len - x->pend_off : max;
	memcpy(buf, x->pend + x->pend_off, n);
	x->pend_off += n;
	return (ssize_t)n;
}

enum MHD_Result ns_api_xfer_command(ns_api_xfer *x)
{
	ns_command_request req;
	struct MHD_Response *resp;
	const char *why = "bad request", *s;
	enum MHD_Result ret = MHD_YES;
	int full = 0;

	if (!ns_api_xfer_running(x, &ret)) {
		return ret;
	}
	if (ns_api_parse_command(x->body, x->len, x->exe, &req, &why) != 0) {
		return ns_api_xfer_error(x, 400, why, "bad-command");
	}
	s = MHD_lookup_connection_value(x->c, MHD_GET_ARGUMENT_KIND, "stream");
	x->stream = s != NULL && strcmp(s, "1") == 0;
	x->timeout = req.timeout;
	if ((x->job = ns_job_new(&full)) == NULL) {
		ns_command_request_free(&req);
		return ns_api_xfer_error(x, full ? 429 : 500,
		                         full
		                             ? "too many commands and file transfers running (32); "
		                               "retry later"
		                             : "out of memory",
		                         full ? "jobs-limit" : NULL);
	}
	x->job->ent = x->ent;
	x->job->key = x->cfg->agent_key;
	x->job->command = req.line; /* taken over */
	x->job->mode = x->stream ? NS_JOB_PIPES : NS_JOB_CAPTURE;
	x->job->capture_max = NS_API_COMMAND_OUTPUT_MAX + 1; /* one more: truncation seen */
	if (ns_job_start(x->job, x->c) != 0) {
		return ns_api_xfer_error(x, 500, "the command could not be started", NULL);
	}
	if (!x->stream) {
		x->phase = X_RUN;
		ns_job_wait(x->job, -1, 0, -1, 0);
		return MHD_YES;
	}
	if ((x->pend = malloc(STREAM_LINE)) == NULL) {
		return MHD_NO;
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_LINE, stream, x, NULL);
	x->phase = X_STREAM;
	return ns_api_queue_stream(x->cfg, x->c, x->method, x->url, 200, resp,
	                           "application/x-ndjson");
}

static json_t *output(const ns_client_buf *b, int *truncated)
{
	size_t n = b->len;

	*truncated = n > NS_API_COMMAND_OUTPUT_MAX;
	if (*truncated) {
		n = NS_API_COMMAND_OUTPUT_MAX;
	}
	return ns_files_text(b->p != NULL ? b->p : (const uint8_t *)"", n);
}

enum MHD_Result ns_api_xfer_command_done(ns_api_xfer *x)
{
	ns_job *j = x->job;
	ns_api_reply r;
	json_t *o, *e, *code, *sig = json_null();
	int tout, terr, late;
	char msg[512];

	if (j->rc < 0) {
		ns_sandbox_info sb;
		if (ns_runtime_get(x->cfg->runtime, x->id, &sb) == 0 &&
		    strcmp(sb.state, "running") != 0) {
			snprintf(msg, sizeof(msg), "sandbox %s is stopped (%s)", x->id,
			         sb.stop_reason[0] != '\0' ? sb.stop_reason : sb.state);
			return ns_api_xfer_error(x, 409, msg, "sandbox-stopped");
		}
		snprintf(msg, sizeof(msg), "the sandbox %s could not be reached: %.300s", x->id,
		         j->msg);
		return ns_api_xfer_error(x, 502, msg, "sandbox-unreachable");
	}
	late = timed_out(j, j->exit_status, x->timeout);
	code = j->exit_status >= 0 && !late ? json_integer(j->exit_status) : json_null();
	if (j->exit_signal != 0) {
		const char *name = j->exit_signal > 0 ? sigabbrev_np(j->exit_signal) : NULL;
		json_decref(sig);
		sig = json_string(name != NULL ? name : "unknown");
	}
	o = output(&j->out, &tout);
	e = output(&j->err, &terr);
	memset(&r, 0, sizeof(r));
	x->phase = X_DONE;
	ns_api_reply_json(&r, 200,
	                  json_pack("{s:o,s:o,s:o,s:b,s:b,s:b,s:o}", "exit_code", code, "stdout", o,
	                            "stderr", e, "stdout_truncated", tout, "stderr_truncated", terr,
	                            "timed_out", late, "signal", sig));
	return ns_api_queue(x->cfg, x->c, x->method, x->url, &r);
}

enum MHD_Result ns_api_xfer_url(ns_api_xfer *x)
{
	ns_files_url_request req;
	char url[NS_FILES_URL_MAX], when[32], rel[NS_FILES_PATH_MAX + 1];
	const char *why = "bad request";
	enum MHD_Result ret = MHD_YES;
	uint64_t exp;
	ns_api_reply r;

	if (!ns_api_xfer_running(x, &ret)) {
		return ret;
	}
	if (ns_api_parse_files_url(x->body, x->len, &req, &why) != 0 ||
	    ns_files_path_check(req.path, strlen(req.path), x->home, rel, sizeof(rel), &why) != 0) {
		return ns_api_xfer_error(x, 400, why, "bad-path");
	}
	exp = (uint64_t)time(NULL) + (uint64_t)req.expires_in_minutes * 60;
	if (ns_files_url_format(x->cfg->public_url, x->cfg->url_secret, x->id,
	                        req.upload ? "PUT" : "GET", exp, req.path, url, sizeof(url)) != 0 ||
	    ns_api_time_format((int64_t)exp, when, sizeof(when)) != 0) {
		return ns_api_xfer_error(x, 400, "the path is too long for a URL", "bad-path");
	}
	memset(&r, 0, sizeof(r));
	r.secret = 1; /* a bearer credential: wiped once queued */
	x->phase = X_DONE;
	ns_api_reply_json(&r, 201,
	                  json_pack("{s:s,s:s,s:s}", "url", url, "method",
	                            req.upload ? "PUT" : "GET", "expires_at", when));
	sodium_memzero(url, sizeof(url));
	return ns_api_queue(x->cfg, x->c, x->method, x->url, &r);
}
