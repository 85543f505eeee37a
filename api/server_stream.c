/* The Files API's bytes in flight (server_xfer.h): a small JSON body
 * gathered, an upload written into the helper's stdin pipe as it arrives,
 * a download read from its stdout pipe as the client takes it (no file is
 * ever held whole), and the answer built from the helper's exit code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "files_out.h"
#include "helper_codes.h"
#include "nullspace/error.h"
#include "request.h"
#include "server_int.h"
#include "server_xfer.h"

#define MSG_MAX 768
#define DOWNLOAD_BLOCK (64 * 1024)

enum MHD_Result ns_api_xfer_body(ns_api_xfer *x, const char *upload, size_t *upload_size)
{
	char *p;

	if (*upload_size > 0) {
		if (x->too_big || *upload_size > NS_API_BODY_MAX - x->len) {
			x->too_big = 1;
		} else {
			if (x->len + *upload_size > x->cap) {
				if ((p = realloc(x->body, NS_API_BODY_MAX)) == NULL) {
					return MHD_NO;
				}
				x->body = p;
				x->cap = NS_API_BODY_MAX;
			}
			memcpy(x->body + x->len, upload, *upload_size);
			x->len += *upload_size;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (x->too_big) {
		return ns_api_xfer_error(x, 413, "the request body is over 64 KiB", "body-too-big");
	}
	return x->route == NS_ROUTE_COMMANDS ? ns_api_xfer_command(x) : ns_api_xfer_url(x);
}

enum MHD_Result ns_api_xfer_upload(ns_api_xfer *x, const char *upload, size_t *upload_size)
{
	ns_job *j = x->job;
	ssize_t n;

	(void)ns_job_drain_err(j);
	if (*upload_size == 0) {
		if (j->in_w >= 0) {
			close(j->in_w); /* EOF: the helper checks the size and renames */
			j->in_w = -1;
		}
		x->phase = X_RUN;
		return ns_api_xfer_finish(x);
	}
	if (x->upload_failed || j->in_w < 0 || x->moved + *upload_size > x->size) {
		x->upload_failed = 1; /* the helper is gone: the rest is dropped */
		*upload_size = 0;
		return MHD_YES;
	}
	n = write(j->in_w, upload, *upload_size);
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		ns_job_wait(j, j->in_w, POLLOUT, -1, 0);
		return MHD_YES;
	}
	if (n < 0) {
		x->upload_failed = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	x->moved += (uint64_t)n;
	*upload_size -= (size_t)n;
	if (*upload_size > 0) {
		ns_job_wait(j, j->in_w, POLLOUT, -1, 0);
	}
	return MHD_YES;
}

static ssize_t download(void *cls, uint64_t pos, char *buf, size_t max)
{
	ns_api_xfer *x = cls;
	ns_job *j = x->job;
	ssize_t n;

	(void)pos;
	if (x->pend_off < x->pend_len) { /* bytes read with the size line */
		n = (ssize_t)(x->pend_len - x->pend_off < max ? x->pend_len - x->pend_off : max);
		memcpy(buf, x->pend + x->pend_off, (size_t)n);
		x->pend_off += (size_t)n;
		x->moved += (uint64_t)n;
		return n;
	}
	if (x->moved >= x->size) {
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	if (max > x->size - x->moved) {
		max = (size_t)(x->size - x->moved);
	}
	(void)ns_job_drain_err(j);
	n = read(j->out_r, buf, max);
	if (n > 0) {
		x->moved += (uint64_t)n;
		return n;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		ns_job_wait(j, j->out_r, POLLIN, -1, 0);
		return 0;
	}
	return MHD_CONTENT_READER_END_WITH_ERROR; /* the file shrank or the helper died */
}

enum MHD_Result ns_api_xfer_head(ns_api_xfer *x)
{
	ns_job *j = x->job;
	struct MHD_Response *resp;
	size_t used;
	ssize_t n;
	int rc = NS_ERR_AGAIN;

	(void)ns_job_drain_err(j);
	if (x->pend == NULL && (x->pend = malloc(NS_FILES_HEAD_MAX)) == NULL) {
		return MHD_NO;
	}
	while (rc == NS_ERR_AGAIN) {
		n = read(j->out_r, x->pend + x->pend_len, NS_FILES_HEAD_MAX - x->pend_len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			ns_job_wait(j, j->out_r, POLLIN, -1, 0);
			return MHD_YES;
		}
		if (n <= 0) {
			x->phase = X_RUN; /* no size line: the helper's exit code says why */
			return ns_api_xfer_finish(x);
		}
		x->pend_len += (size_t)n;
		rc = ns_files_head_parse(x->pend, x->pend_len, INT64_MAX, &x->size, &used);
	}
	if (rc != 0) {
		return ns_api_xfer_error(x, 502, "the sandbox sent a bad answer",
		                         "bad-helper-output");
	}
	x->pend_off = used;
	resp = MHD_create_response_from_callback(x->size, DOWNLOAD_BLOCK, download, x, NULL);
	x->phase = X_STREAM;
	return ns_api_queue_stream(x->cfg, x->c, x->method, x->url, 200, resp,
	                           "application/octet-stream");
}

/* The sandbox could not be reached, or went away during the job. */
static enum MHD_Result lost(ns_api_xfer *x)
{
	ns_sandbox_info sb;
	char msg[MSG_MAX];

	if (ns_runtime_get(x->cfg->runtime, x->id, &sb) == 0 && strcmp(sb.state, "running") != 0) {
		snprintf(msg, sizeof(msg), "sandbox %s is stopped (%s)", x->id,
		         sb.stop_reason[0] != '\0' ? sb.stop_reason : sb.state);
		return ns_api_xfer_error(x, 409, msg, "sandbox-stopped");
	}
	snprintf(msg, sizeof(msg), "the sandbox %s could not be reached: %.300s", x->id,
	         x->job->msg);
	return ns_api_xfer_error(x, 502, msg, "sandbox-unreachable");
}

/* The helper's exit code as an answer (not 0). */
static enum MHD_Result refused(ns_api_xfer *x, int code, const char *text, size_t n)
{
	char msg[MSG_MAX];

	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r')) {
		n--;
	}
	switch (code) {
	case NS_HELPER_EXIT_NOTFOUND:
		snprintf(msg, sizeof(msg), "no such file or folder: %.600s", x->path);
		return ns_api_xfer_error(x, 404, msg, "not-found");
	case NS_HELPER_EXIT_ESCAPE:
		snprintf(msg, sizeof(msg),
		         "%.600s: a symbolic link leads out of the sandbox user's home", x->path);
		return ns_api_xfer_error(x, 400, msg, "path-escape");
	case NS_HELPER_EXIT_TYPE:
		snprintf(msg, sizeof(msg), "%.*s", (int)(n < 600 ? n : 600), text);
		return ns_api_xfer_error(x, 400, n > 0 ? msg : "wrong file type", "wrong-type");
	case NS_HELPER_EXIT_SHORT:
		return ns_api_xfer_error(x, 400, "the upload ended before its Content-Length",
		                         "upload-incomplete");
	default:
		snprintf(msg, sizeof(msg), "the operation failed in the sandbox (exit %d): %.*s",
		         code, (int)(n < 400 ? n : 400), text);
		return ns_api_xfer_error(x, 500, msg, "helper-failed");
	}
}

static enum MHD_Result files_done(ns_api_xfer *x)
{
	ns_job *j = x->job;
	ns_api_reply r;
	json_t *entries = NULL;
	int code = j->mode == NS_JOB_CAPTURE ? j->exit_status : j->status;
	const char *text = j->mode == NS_JOB_CAPTURE ? (const char *)j->err.p : j->errtext;
	size_t tlen = j->mode == NS_JOB_CAPTURE ? j->err.len : j->errtext_len;

	if (j->rc < 0) {
		return lost(x);
	}
	if (code != 0 || (x->route == NS_ROUTE_FILES && strcmp(x->method, "GET") == 0)) {
		return refused(x, code != 0 ? code : NS_HELPER_EXIT_IO, text != NULL ? text : "",
		               text != NULL ? tlen : 0);
	}
	memset(&r, 0, sizeof(r));
	x->phase = X_DONE;
	if (x->route == NS_ROUTE_FILES_LIST) {
		if (ns_files_list_parse(j->out.p, j->out.len, &entries) != 0) {
			return ns_api_xfer_error(x, 502, "the sandbox sent a bad listing",
			                         "bad-helper-output");
		}
		ns_api_reply_json(&r, 200, json_pack("{s:o}", "entries", entries));
	} else if (strcmp(x->method, "PUT") == 0) {
		ns_api_reply_json(
		    &r, 201, json_pack("{s:s,s:I}", "path", x->path, "size", (json_int_t)x->moved));
	} else {
		ns_api_reply_json(&r, 200, json_pack("{s:s}", "path", x->path));
	}
	return ns_api_queue(x->cfg, x->c, x->method, x->url, &r);
}

enum MHD_Result ns_api_xfer_finish(ns_api_xfer *x)
{
	ns_job *j = x->job;

	(void)ns_job_drain_err(j);
	if (!ns_job_done(j)) {
		ns_job_wait(j, -1, 0, -1, 0);
		return MHD_YES;
	}
	/* the helper's last words may still sit in the pipe */
	while (j->err_r >= 0 && !ns_job_drain_err(j)) {
		break;
	}
	if (x->route == NS_ROUTE_COMMANDS) {
		return ns_api_xfer_command_done(x);
	}
	return files_done(x);
}
