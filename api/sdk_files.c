/* The SDK's Commands and Files calls (nullspace/sdk.h): exec (whole answer
 * or streamed to descriptors), upload and download streamed through
 * libcurl from and to descriptors, list, remove, and signed URLs. Answers
 * are read field by field (ns_api_decode_exec/_entries/_url, fuzzed by
 * fuzz/fuzz_sdk_files.c). */
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi.h"
#include "nullspace/error.h"
#include "registry.h"
#include "sdk_int.h"

#define PATH_CAP (NS_API_ID_MAX + 64 + 3 * 4096)

void ns_exec_opts_init(ns_exec_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->fd_out = o->fd_err = -1;
}

void ns_exec_result_free(ns_exec_result *r)
{
	if (r != NULL) {
		free(r->out);
		free(r->err);
		memset(r, 0, sizeof(*r));
	}
}

static int invalid(ns_api *api, const char *what)
{
	api->status = 0;
	ns_api_set_msg(api, "%s", what);
	return NS_ERR_INVALID;
}

static int bad_answer(ns_api *api)
{
	ns_api_set_msg(api, "the API sent an answer we cannot read");
	return NS_ERR_FORMAT;
}

static char *dup_text(json_t *v, size_t *len)
{
	const char *s = json_string_value(v);
	char *p;

	*len = 0;
	if (s == NULL || (p = malloc(json_string_length(v) + 1)) == NULL) {
		return NULL;
	}
	*len = json_string_length(v);
	memcpy(p, s, *len + 1);
	return p;
}

int ns_api_decode_exec(const char *p, size_t len, ns_exec_result *r)
{
	json_t *j = json_loadb(p, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL), *c, *sig;
	int rc = NS_ERR_FORMAT;

	memset(r, 0, sizeof(*r));
	if (!json_is_object(j)) {
		goto out;
	}
	c = json_object_get(j, "exit_code");
	sig = json_object_get(j, "signal");
	if (!(json_is_null(c) ||
	      (json_is_integer(c) && json_integer_value(c) >= 0 && json_integer_value(c) <= 255)) ||
	    !json_is_string(json_object_get(j, "stdout")) ||
	    !json_is_string(json_object_get(j, "stderr")) ||
	    (sig != NULL && !json_is_null(sig) &&
	     (!json_is_string(sig) || json_string_length(sig) >= NS_API_SIGNAL_MAX))) {
		goto out;
	}
	r->exit_code = json_is_integer(c) ? (int)json_integer_value(c) : -1;
	r->timed_out = json_is_true(json_object_get(j, "timed_out"));
	r->out_truncated = json_is_true(json_object_get(j, "stdout_truncated"));
	r->err_truncated = json_is_true(json_object_get(j, "stderr_truncated"));
	if (json_is_string(sig)) {
		snprintf(r->signal, sizeof(r->signal), "%s", json_string_value(sig));
	}
	r->out = dup_text(json_object_get(j, "stdout"), &r->out_len);
	r->err = dup_text(json_object_get(j, "stderr"), &r->err_len);
	rc = r->out != NULL && r->err != NULL ? 0 : NS_ERR_NOMEM;
	if (rc != 0) {
		ns_exec_result_free(r);
	}
out:
	json_decref(j);
	return rc;
}

int ns_api_decode_entries(const char *p, size_t len, ns_file_entry *out, size_t cap, size_t *n)
{
	json_t *j = json_loadb(p, len, JSON_REJECT_DUPLICATES, NULL), *arr, *e;
	const char *name, *type;
	size_t i;
	int rc = NS_ERR_FORMAT;

	*n = 0;
	arr = json_object_get(j, "entries");
	if (!json_is_array(arr)) {
		goto out;
	}
	json_array_foreach(arr, i, e)
	{
		name = json_string_value(json_object_get(e, "name"));
		type = json_string_value(json_object_get(e, "type"));
		if (name == NULL || type == NULL || strlen(type) >= sizeof(out->type) ||
		    !json_is_integer(json_object_get(e, "size")) ||
		    !json_is_integer(json_object_get(e, "mode"))) {
			goto out;
		}
		if (i < cap) {
			snprintf(out[i].name, sizeof(out[i].name), "%s", name);
			snprintf(out[i].type, sizeof(out[i].type), "%s", type);
			out[i].size = (uint64_t)json_integer_value(json_object_get(e, "size"));
			out[i].mode =
			    (unsigned)json_integer_value(json_object_get(e, "mode")) & 07777;
		}
	}
	*n = json_array_size(arr);
	rc = 0;
out:
	json_decref(j);
	return rc;
}

int ns_api_decode_url(const char *p, size_t len, char *url, size_t cap, int64_t *expires_at)
{
	json_t *j = json_loadb(p, len, JSON_REJECT_DUPLICATES, NULL);
	const char *u = json_string_value(json_object_get(j, "url"));
	const char *e = json_string_value(json_object_get(j, "expires_at"));
	struct tm tm;
	int rc = NS_ERR_FORMAT;

	if (u != NULL && strlen(u) < cap && e != NULL &&
	    (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0)) {
		memset(&tm, 0, sizeof(tm));
		if (strptime(e, "%Y-%m-%dT%H:%M:%SZ", &tm) != NULL) {
			snprintf(url, cap, "%s", u);
			if (expires_at != NULL) {
				*expires_at = (int64_t)timegm(&tm);
			}
			rc = 0;
		}
	}
	json_decref(j);
	return rc;
}

/* /v1/sandboxes/ID/SUFFIX?path=ENCODED[&EXTRA] */
static int files_path(ns_api *api, const char *id, const char *suffix, const char *path,
                      const char *extra, char *out, size_t cap)
{
	char *enc;
	int n;

	if (!ns_registry_id_valid(id)) {
		return invalid(api, "not a sandbox id (letters, digits, '_' and '-' only)");
	}
	if (path == NULL) {
		n = snprintf(out, cap, "/v1/sandboxes/%s/%s", id, suffix);
		return n > 0 && (size_t)n < cap ? 0 : invalid(api, "the path is too long");
	}
	if ((enc = curl_easy_escape(api->curl, path, (int)strlen(path))) == NULL) {
		return NS_ERR_NOMEM;
	}
	n = snprintf(out, cap, "/v1/sandboxes/%s/%s?path=%s%s%s", id, suffix, enc,
	             extra != NULL ? "&" : "", extra != NULL ? extra : "");
	curl_free(enc);
	return n > 0 && (size_t)n < cap ? 0 : invalid(api, "the path is too long");
}

static json_t *exec_body(const char *cmd, const ns_exec_opts *o)
{
	json_t *b = json_pack("{s:s}", "cmd", cmd), *env;
	const char *const *e;
	const char *eq;

	if (b == NULL || o == NULL) {
		return b;
	}
	if (o->cwd != NULL) {
		json_object_set_new(b, "cwd", json_string(o->cwd));
	}
	if (o->timeout_s != 0) {
		json_object_set_new(b, "timeout", json_integer(o->timeout_s));
	}
	if (o->env != NULL && (env = json_object()) != NULL) {
		for (e = o->env; *e != NULL; e++) {
			if ((eq = strchr(*e, '=')) != NULL) {
				char name[257];
				snprintf(name, sizeof(name), "%.*s", (int)(eq - *e), *e);
				json_object_set_new(env, name, json_string(eq + 1));
			}
		}
		json_object_set_new(b, "env", env);
	}
	return b;
}

static int write_fd(void *ud, int fd, const uint8_t *p, size_t n)
{
	const ns_exec_opts *o = ud;
	int to = fd == 1 ? o->fd_out : o->fd_err;
	ssize_t w;

	while (to >= 0 && n > 0) {
		if ((w = write(to, p, n)) < 0) {
			if (errno == EINTR) {
				continue;
			}
			return NS_ERR_IO;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int stream_sink(void *ud, const char *p, size_t n)
{
	return ns_exec_stream_feed(ud, p, n);
}

int ns_api_exec(ns_api *api, const char *id, const char *cmd, const ns_exec_opts *o,
                ns_exec_result *r)
{
	char path[PATH_CAP];
	ns_exec_stream st;
	ns_api_io io;
	ns_api_body b;
	int rc, streamed = o != NULL && (o->fd_out >= 0 || o->fd_err >= 0);

	if (api == NULL || cmd == NULL || r == NULL ||
	    (o != NULL && (o->size < NS_ABI_END(ns_exec_opts, fd_err) || o->size > sizeof(*o)))) {
		return NS_ERR_INVALID;
	}
	memset(r, 0, sizeof(*r));
	r->exit_code = -1;
	if ((rc = files_path(api, id, streamed ? "commands?stream=1" : "commands", NULL, NULL, path,
	                     sizeof(path))) != 0) {
		return rc;
	}
	memset(&io, 0, sizeof(io));
	io.in_fd = -1;
	io.no_timeout = 1; /* the command's own timeout bounds it */
	memset(&st, 0, sizeof(st));
	if (streamed) {
		st.out = write_fd;
		st.ud = (void *)o;
		io.sink = stream_sink;
		io.sink_ud = &st;
	}
	rc = ns_api_http_io(api, "POST", path, exec_body(cmd, o), &io, &b);
	if (rc == 0 && streamed) {
		if (!st.ended || st.error[0] != '\0') {
			ns_api_set_msg(api, "the command's stream ended early%s%s",
			               st.error[0] != '\0' ? ": " : "", st.error);
			rc = NS_ERR_PROTOCOL;
		}
		r->exit_code = st.exit_code;
		r->timed_out = st.timed_out;
	} else if (rc == 0 && ns_api_decode_exec(b.p, b.len, r) != 0) {
		rc = bad_answer(api);
	}
	ns_exec_stream_free(&st);
	ns_api_body_free(&b);
	return rc;
}

int ns_api_file_upload(ns_api *api, const char *id, const char *path, int fd, uint64_t size,
                       unsigned mode)
{
	char p[PATH_CAP], extra[16];
	ns_api_io io;
	ns_api_body b;
	int rc;

	if (api == NULL || path == NULL || fd < 0 || mode > 07777) {
		return NS_ERR_INVALID;
	}
	if (size > NS_API_UPLOAD_MAX) {
		return invalid(api, "an upload is at most 1 GiB");
	}
	snprintf(extra, sizeof(extra), "mode=%o", mode != 0 ? mode : 0644);
	if ((rc = files_path(api, id, "files", path, extra, p, sizeof(p))) != 0) {
		return rc;
	}
	memset(&io, 0, sizeof(io));
	io.in_fd = fd;
	io.in_size = size;
	io.no_timeout = 1;
	if ((rc = ns_api_http_io(api, "PUT", p, NULL, &io, &b)) == 0) {
		ns_api_body_free(&b);
	}
	return rc;
}

typedef struct dl {
	int fd;
	uint64_t n;
} dl;

static int dl_sink(void *ud, const char *p, size_t n)
{
	dl *d = ud;
	ssize_t w;

	d->n += n;
	while (n > 0) {
		if ((w = write(d->fd, p, n)) < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int ns_api_file_download(ns_api *api, const char *id, const char *path, int fd, uint64_t *size)
{
	char p[PATH_CAP];
	dl d = {fd, 0};
	ns_api_io io;
	ns_api_body b;
	int rc;

	if (api == NULL || path == NULL || fd < 0) {
		return NS_ERR_INVALID;
	}
	if ((rc = files_path(api, id, "files", path, NULL, p, sizeof(p))) != 0) {
		return rc;
	}
	memset(&io, 0, sizeof(io));
	io.in_fd = -1;
	io.sink = dl_sink;
	io.sink_ud = &d;
	io.no_timeout = 1;
	if ((rc = ns_api_http_io(api, "GET", p, NULL, &io, &b)) == 0) {
		ns_api_body_free(&b);
	}
	if (size != NULL) {
		*size = d.n;
	}
	return rc;
}

int ns_api_file_list(ns_api *api, const char *id, const char *path, ns_file_entry *out, size_t cap,
                     size_t *n)
{
	char p[PATH_CAP];
	ns_api_body b;
	int rc;

	if (api == NULL || n == NULL || (out == NULL && cap > 0)) {
		return NS_ERR_INVALID;
	}
	*n = 0;
	if ((rc = files_path(api, id, "files/list", path != NULL ? path : ".", NULL, p,
	                     sizeof(p))) != 0 ||
	    (rc = ns_api_http_call(api, "GET", p, NULL, &b)) != 0) {
		return rc;
	}
	if (ns_api_decode_entries(b.p, b.len, out, cap, n) != 0) {
		rc = bad_answer(api);
	}
	ns_api_body_free(&b);
	return rc;
}

int ns_api_file_remove(ns_api *api, const char *id, const char *path)
{
	char p[PATH_CAP];
	ns_api_body b;
	int rc;

	if (api == NULL || path == NULL) {
		return NS_ERR_INVALID;
	}
	if ((rc = files_path(api, id, "files", path, NULL, p, sizeof(p))) != 0 ||
	    (rc = ns_api_http_call(api, "DELETE", p, NULL, &b)) != 0) {
		return rc;
	}
	ns_api_body_free(&b);
	return 0;
}

int ns_api_file_url(ns_api *api, const char *id, const char *path, int upload,
                    int expires_in_minutes, char *url, size_t cap, int64_t *expires_at)
{
	char p[PATH_CAP];
	ns_api_body b;
	json_t *body;
	int rc;

	if (api == NULL || path == NULL || url == NULL || cap == 0) {
		return NS_ERR_INVALID;
	}
	url[0] = '\0';
	if ((rc = files_path(api, id, "files/url", NULL, NULL, p, sizeof(p))) != 0) {
		return rc;
	}
	body = json_pack("{s:s,s:b,s:i}", "path", path, "upload", upload != 0, "expires_in_minutes",
	                 expires_in_minutes != 0 ? expires_in_minutes : 10);
	if ((rc = ns_api_http_call(api, "POST", p, body, &b)) != 0) {
		return rc;
	}
	if (ns_api_decode_url(b.p, b.len, url, cap, expires_at) != 0) {
		rc = bad_answer(api);
	}
	ns_api_body_free(&b);
	return rc;
}
