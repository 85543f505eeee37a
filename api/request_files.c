/* The Commands and Files API bodies (request_files.h): JSON checked member
 * by member, then turned into one shell-quoted command line for the
 * sandbox's helper (each word in single quotes, so nothing in a path, a
 * variable or the command is read by the shell that starts the helper). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files_url.h"
#include "nullspace/error.h"
#include "request_files.h"

typedef struct line {
	char *p;
	size_t len, cap;
	int bad;
} line;

static void put(line *l, const char *s, size_t n)
{
	char *q;
	size_t cap;

	if (l->bad || n > NS_API_COMMAND_LINE_MAX - l->len) {
		l->bad = 1;
		return;
	}
	if (l->len + n + 1 > l->cap) {
		cap = l->cap == 0 ? 256 : l->cap;
		while (cap < l->len + n + 1) {
			cap *= 2;
		}
		if ((q = realloc(l->p, cap)) == NULL) {
			l->bad = 1;
			return;
		}
		l->p = q;
		l->cap = cap;
	}
	memcpy(l->p + l->len, s, n);
	l->len += n;
	l->p[l->len] = '\0';
}

/* ' word ' with each ' as '\'' */
static void word(line *l, const char *s)
{
	const char *q;

	if (l->len > 0) {
		put(l, " ", 1);
	}
	put(l, "'", 1);
	while ((q = strchr(s, '\'')) != NULL) {
		put(l, s, (size_t)(q - s));
		put(l, "'\\''", 4);
		s = q + 1;
	}
	put(l, s, strlen(s));
	put(l, "'", 1);
}

static char *done(line *l)
{
	if (l->bad || l->p == NULL) {
		free(l->p);
		return NULL;
	}
	return l->p;
}

char *ns_api_helper_line(const char *exe, const char *op, const char *const *args, size_t n)
{
	line l = {0};
	size_t i;

	put(&l, "exec", 4); /* the helper's own exit status or signal is the session's */
	word(&l, exe);
	put(&l, " sandbox-helper ", 16);
	put(&l, op, strlen(op));
	for (i = 0; i < n; i++) {
		word(&l, args[i]);
	}
	return done(&l);
}

static int env_name_ok(const char *k)
{
	size_t i;

	if (k[0] == '\0' || (k[0] >= '0' && k[0] <= '9')) {
		return 0;
	}
	for (i = 0; k[i] != '\0'; i++) {
		char c = k[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_')) {
			return 0;
		}
	}
	return i <= 256;
}

static int fail(const char **why, const char *msg, int rc)
{
	*why = msg;
	return rc;
}

/* The env and cwd words of the line. */
static int env_words(json_t *obj, line *l, const char **why)
{
	json_t *env = json_object_get(obj, "env"), *v;
	const char *k;
	char *kv;
	size_t n = 0;

	if (env == NULL || json_is_null(env)) {
		return 0;
	}
	if (!json_is_object(env)) {
		return fail(why, "env must be an object of strings", NS_ERR_FORMAT);
	}
	json_object_foreach(env, k, v)
	{
		if (!json_is_string(v) || !env_name_ok(k)) {
			return fail(why, "env: names are [A-Za-z_][A-Za-z0-9_]*, values strings",
			            NS_ERR_INVALID);
		}
		if (++n > NS_API_COMMAND_ENV_MAX) {
			return fail(why, "env: at most 64 variables", NS_ERR_INVALID);
		}
		if ((kv = malloc(strlen(k) + json_string_length(v) + 2)) == NULL) {
			return fail(why, "out of memory", NS_ERR_NOMEM);
		}
		strcpy(kv, k);
		strcat(kv, "=");
		strcat(kv, json_string_value(v));
		word(l, kv);
		free(kv);
	}
	return 0;
}

static int command(json_t *obj, const char *exe, ns_command_request *out, const char **why)
{
	json_t *cmd = json_object_get(obj, "cmd"), *cwd = json_object_get(obj, "cwd"),
	       *to = json_object_get(obj, "timeout");
	char num[16];
	line l = {0};
	int rc;

	if (!json_is_string(cmd) || json_string_length(cmd) == 0) {
		return fail(why, "cmd must be a non-empty string", NS_ERR_FORMAT);
	}
	if (cwd != NULL && !json_is_null(cwd) &&
	    (!json_is_string(cwd) || json_string_length(cwd) > NS_FILES_PATH_MAX)) {
		return fail(why, "cwd must be a path (a string)", NS_ERR_FORMAT);
	}
	out->timeout = NS_API_COMMAND_TIMEOUT_DEFAULT;
	if (to != NULL && !json_is_null(to)) {
		if (!json_is_integer(to) || json_integer_value(to) < 1 ||
		    json_integer_value(to) > NS_API_COMMAND_TIMEOUT_MAX) {
			return fail(why, "timeout must be an integer from 1 to 3600 (seconds)",
			            NS_ERR_INVALID);
		}
		out->timeout = (uint32_t)json_integer_value(to);
	}
	snprintf(num, sizeof(num), "%u", out->timeout);
	put(&l, "exec", 4);
	word(&l, exe);
	put(&l, " sandbox-helper run ", 20);
	put(&l, num, strlen(num));
	word(&l, json_is_string(cwd) ? json_string_value(cwd) : "");
	if ((rc = env_words(obj, &l, why)) != 0) {
		free(l.p);
		return rc;
	}
	put(&l, " --", 3);
	word(&l, json_string_value(cmd));
	if ((out->line = done(&l)) == NULL) {
		return fail(why, "the command is over 16 KiB", NS_ERR_TOOBIG);
	}
	return 0;
}

int ns_api_parse_command(const char *body, size_t len, const char *exe, ns_command_request *out,
                         const char **why)
{
	json_t *obj;
	int rc;

	memset(out, 0, sizeof(out[0]));
	obj = json_loadb(body != NULL ? body : "", len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(obj)) {
		json_decref(obj);
		return fail(why, "the body must be a JSON object with cmd", NS_ERR_FORMAT);
	}
	rc = command(obj, exe, out, why);
	json_decref(obj);
	return rc;
}

void ns_command_request_free(ns_command_request *r)
{
	free(r->line);
	r->line = NULL;
}

int ns_api_parse_files_url(const char *body, size_t len, ns_files_url_request *out,
                           const char **why)
{
	json_t *obj, *p, *u, *e;
	int rc = NS_ERR_FORMAT;

	memset(out, 0, sizeof(*out));
	out->expires_in_minutes = NS_FILES_URL_MINUTES_DEFAULT;
	obj = json_loadb(body != NULL ? body : "", len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
	                 NULL);
	if (!json_is_object(obj)) {
		*why = "the body must be a JSON object with path";
		goto out;
	}
	p = json_object_get(obj, "path");
	u = json_object_get(obj, "upload");
	e = json_object_get(obj, "expires_in_minutes");
	if (!json_is_string(p) || json_string_length(p) >= sizeof(out->path) ||
	    strlen(json_string_value(p)) != json_string_length(p)) {
		*why = "path must be a string without NUL (at most 4096 bytes)";
		goto out;
	}
	if (u != NULL && !json_is_null(u) && !json_is_boolean(u)) {
		*why = "upload must be true or false";
		goto out;
	}
	if (e != NULL && !json_is_null(e) &&
	    (!json_is_integer(e) || json_integer_value(e) < NS_FILES_URL_MINUTES_MIN ||
	     json_integer_value(e) > NS_FILES_URL_MINUTES_MAX)) {
		*why = "expires_in_minutes must be an integer from 1 to 1440";
		rc = NS_ERR_INVALID;
		goto out;
	}
	strcpy(out->path, json_string_value(p));
	out->upload = json_is_true(u);
	if (json_is_integer(e)) {
		out->expires_in_minutes = (int)json_integer_value(e);
	}
	rc = 0;
out:
	json_decref(obj);
	return rc;
}
