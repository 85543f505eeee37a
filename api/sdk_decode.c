/* Strict decoders of the API's response bodies (docs/api.md) with jansson:
 * every documented member present with its type, strings length-checked
 * (never truncated), RFC 3339 UTC timestamps, ports in range. Unknown
 * members are ignored; on any failure the output is zeroed. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sdk_decode.h"
#include "json_object.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"
#include "nullspace/sdk.h"
#include "ws_url.h"

#define HOST_MAX 255
#define KNOWN_HOSTS_MAX (NS_KEY_LINE_MAX + HOST_MAX + 16)
#define COMMAND_MAX 4096
#define TIME_LEN 20 /* "YYYY-MM-DDTHH:MM:SSZ" */

static json_t *load(const char *body, size_t len, const char **why)
{
	if (body == NULL) {
		*why = "no body";
		return NULL;
	}
	return ns_json_object_load(body, len, "not JSON (or a duplicate member)",
	                           "not a JSON object", why);
}

/* Bytes a string may hold: printable ASCII only (they reach terminals). */
static int printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) {
			return 0;
		}
	}
	return 1;
}

static int id_chars(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-')) {
			return 0;
		}
	}
	return 1;
}

/* A non-empty printable string member of at most max bytes (a view). */
static int get_str(json_t *o, const char *name, size_t max, int id, const char **s, size_t *n)
{
	json_t *v = json_object_get(o, name);

	if (!json_is_string(v)) {
		return NS_ERR_FORMAT;
	}
	*s = json_string_value(v);
	*n = json_string_length(v);
	if (*n == 0 || *n > max || !printable(*s, *n) || (id && !id_chars(*s, *n))) {
		return NS_ERR_FORMAT;
	}
	return 0;
}

/* The same into a fixed field of cap bytes (max cap - 1). */
static int get_field(json_t *o, const char *name, char *out, size_t cap, int id)
{
	const char *s;
	size_t n;

	if (get_str(o, name, cap - 1, id, &s, &n) != 0) {
		return NS_ERR_FORMAT;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* The same as a heap copy. */
static int get_dup(json_t *o, const char *name, size_t max, int id, char **out)
{
	const char *s;
	size_t n;

	if (get_str(o, name, max, id, &s, &n) != 0) {
		return NS_ERR_FORMAT;
	}
	if ((*out = malloc(n + 1)) == NULL) {
		return NS_ERR_NOMEM;
	}
	memcpy(*out, s, n);
	(*out)[n] = '\0';
	return 0;
}

static int digits(const char *s, size_t n, int *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return 0;
		}
		*v = *v * 10 + (s[i] - '0');
	}
	return 1;
}

/* "YYYY-MM-DDTHH:MM:SSZ" exactly, a real UTC date from 1970 on. */
static int parse_time(const char *s, size_t n, int64_t *out)
{
	int y, mo, d, h, mi, sec;
	struct tm tm, back;
	time_t t;

	if (n != TIME_LEN || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z' || !digits(s, 4, &y) || !digits(s + 5, 2, &mo) ||
	    !digits(s + 8, 2, &d) || !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) ||
	    !digits(s + 17, 2, &sec)) {
		return NS_ERR_FORMAT;
	}
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) {
		return NS_ERR_FORMAT;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm normalises Feb 30 into March: refuse what does not round-trip */
	if (t == (time_t)-1 || gmtime_r(&t, &back) == NULL || back.tm_mday != d ||
	    back.tm_mon != mo - 1 || back.tm_year != y - 1900) {
		return NS_ERR_FORMAT;
	}
	*out = (int64_t)t;
	return 0;
}

static int get_time(json_t *o, const char *name, int64_t *out)
{
	const char *s;
	size_t n;

	if (get_str(o, name, TIME_LEN, 0, &s, &n) != 0) {
		return NS_ERR_FORMAT;
	}
	return parse_time(s, n, out);
}

static int get_int(json_t *o, const char *name, json_int_t min, json_int_t max, json_int_t *out)
{
	json_t *v = json_object_get(o, name);

	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		return NS_ERR_FORMAT;
	}
	*out = json_integer_value(v);
	return 0;
}

/* The keep-awake members (docs/api.md), optional: an older server has
 * none, and its sandboxes end at expires_at whatever happens. */
static int keep_awake_from(json_t *o, ns_sandbox_info *out, const char **why)
{
	json_int_t lifetime = out->timeout;
	json_t *v;

	out->max_lifetime = out->timeout;
	out->max_expires_at = out->expires_at;
	*why = "bad \"max_lifetime\"";
	if (json_object_get(o, "max_lifetime") != NULL &&
	    get_int(o, "max_lifetime", 1, NS_API_SANDBOX_LIFETIME_MAX, &lifetime) != 0) {
		return NS_ERR_FORMAT;
	}
	out->max_lifetime = (uint32_t)lifetime;
	*why = "bad \"max_expires_at\"";
	if (json_object_get(o, "max_expires_at") != NULL &&
	    get_time(o, "max_expires_at", &out->max_expires_at) != 0) {
		return NS_ERR_FORMAT;
	}
	*why = "bad \"last_activity_at\"";
	v = json_object_get(o, "last_activity_at");
	if (v != NULL && !json_is_null(v) &&
	    get_time(o, "last_activity_at", &out->last_activity_at) != 0) {
		return NS_ERR_FORMAT;
	}
	*why = NULL;
	return 0;
}

/* One sandbox object into out; *why names the bad member. */
static int sandbox_from(json_t *o, void *dst, const char **why)
{
	ns_sandbox_info *out = dst;
	json_t *reason;
	json_int_t timeout;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(o)) {
		*why = "a sandbox is not a JSON object";
		return NS_ERR_FORMAT;
	}
	*why = "bad or missing \"id\"";
	if (get_field(o, "id", out->id, sizeof(out->id), 1) != 0) {
		return NS_ERR_FORMAT;
	}
	*why = "bad or missing \"template\"";
	if (get_field(o, "template", out->template_name, sizeof(out->template_name), 0) != 0) {
		return NS_ERR_FORMAT;
	}
	*why = "bad or missing \"state\"";
	if (get_field(o, "state", out->state, sizeof(out->state), 0) != 0) {
		return NS_ERR_FORMAT;
	}
	*why = "bad or missing \"stop_reason\"";
	reason = json_object_get(o, "stop_reason");
	if (reason == NULL ||
	    (!json_is_null(reason) &&
	     get_field(o, "stop_reason", out->stop_reason, sizeof(out->stop_reason), 0) != 0)) {
		return NS_ERR_FORMAT;
	}
	*why = "bad or missing \"created_at\"";
	if (get_time(o, "created_at", &out->created_at) != 0) {
		return NS_ERR_FORMAT;
	}
	*why = "bad or missing \"expires_at\"";
	if (get_time(o, "expires_at", &out->expires_at) != 0) {
		return NS_ERR_FORMAT;
	}
	*why = "bad or missing \"timeout\"";
	if (get_int(o, "timeout", 1, NS_API_SANDBOX_TIMEOUT_MAX, &timeout) != 0) {
		return NS_ERR_FORMAT;
	}
	out->timeout = (uint32_t)timeout;
	return keep_awake_from(o, out, why);
}

/* One object of body through from into out (size bytes, zeroed first);
 * the caller clears out when it fails. */
static int decode_one(const char *body, size_t len, void *out, size_t size,
                      int (*from)(json_t *, void *, const char **), const char **why)
{
	const char *w = NULL;
	json_t *j;
	int rc = NS_ERR_FORMAT;

	memset(out, 0, size);
	if ((j = load(body, len, &w)) != NULL) {
		rc = from(j, out, &w);
	}
	json_decref(j);
	if (why != NULL) {
		*why = w;
	}
	return rc;
}

int ns_api_decode_sandbox(const char *body, size_t len, ns_sandbox_info *out, const char **why)
{
	int rc;

	if (out == NULL) {
		return NS_ERR_INVALID;
	}
	if ((rc = decode_one(body, len, out, sizeof(*out), sandbox_from, why)) != 0) {
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

int ns_api_decode_sandbox_list(const char *body, size_t len, ns_sandbox_info *out, size_t cap,
                               size_t *n, const char **why)
{
	const char *w = NULL;
	ns_sandbox_info one;
	json_t *j, *arr;
	size_t i, count = 0;
	int rc = NS_ERR_FORMAT;

	if (n == NULL || (out == NULL && cap > 0)) {
		return NS_ERR_INVALID;
	}
	*n = 0;
	if (cap > 0) {
		memset(out, 0, cap * sizeof(*out));
	}
	if ((j = load(body, len, &w)) == NULL) {
		goto out;
	}
	arr = json_object_get(j, "sandboxes");
	if (!json_is_array(arr)) {
		w = "bad or missing \"sandboxes\"";
		goto out;
	}
	count = json_array_size(arr);
	for (i = 0; i < count; i++) {
		if (sandbox_from(json_array_get(arr, i), i < cap ? &out[i] : &one, &w) != 0) {
			goto out;
		}
	}
	*n = count;
	rc = 0;
out:
	json_decref(j);
	if (rc != 0 && cap > 0) {
		memset(out, 0, cap * sizeof(*out));
	}
	if (why != NULL) {
		*why = w;
	}
	return rc;
}

/* An optional string member: absent or null leaves *out NULL; else as
 * get_dup. */
static int get_opt_dup(json_t *o, const char *name, size_t max, char **out)
{
	json_t *v = json_object_get(o, name);

	*out = NULL;
	return v == NULL || json_is_null(v) ? 0 : get_dup(o, name, max, 0, out);
}

/* The legacy WebSocket members (docs/api.md): a URL nullspace proxy can
 * read, and a pin of exactly 64 lowercase hex digits. */
static int ws_from(json_t *o, ns_ssh_access *a, const char **why)
{
	ns_ws_url u;
	size_t i;
	int rc;

	*why = "bad \"websocket_url\"";
	if ((rc = get_opt_dup(o, "websocket_url", NS_WS_URL_MAX - 1, &a->websocket_url)) != 0) {
		return rc;
	}
	if (a->websocket_url != NULL && ns_ws_url_parse(a->websocket_url, &u) != 0) {
		return NS_ERR_FORMAT;
	}
	*why = "bad \"websocket_tls_sha256\"";
	if ((rc = get_opt_dup(o, "websocket_tls_sha256", 64, &a->websocket_tls_sha256)) != 0) {
		return rc;
	}
	for (i = 0; a->websocket_tls_sha256 != NULL && i < 64; i++) {
		char c = a->websocket_tls_sha256[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return NS_ERR_FORMAT; /* also a shorter string: its NUL */
		}
	}
	return 0;
}

/* Every member of the access object, or *why says which one is bad. */
static int access_from(json_t *o, void *dst, const char **why)
{
	ns_ssh_access *a = dst;
	json_t *relay;
	json_int_t port;
	int rc;

#define DUP(obj, name, max, id, dst)                                                               \
	do {                                                                                       \
		*why = "bad or missing \"" name "\"";                                              \
		if ((rc = get_dup(obj, name, max, id, dst)) != 0) {                                \
			return rc;                                                                 \
		}                                                                                  \
	} while (0)
	DUP(o, "access_id", NS_API_ID_MAX, 1, &a->access_id);
	DUP(o, "sandbox_id", NS_API_ID_MAX, 1, &a->sandbox_id);
	DUP(o, "user", NS_API_ID_MAX, 1, &a->user);
	DUP(o, "certificate", NS_CERT_LINE_MAX, 0, &a->certificate);
	*why = "bad or missing \"expires_at\"";
	if (get_time(o, "expires_at", &a->expires_at) != 0) {
		return NS_ERR_FORMAT;
	}
	*why = "bad or missing \"relay\"";
	relay = json_object_get(o, "relay");
	if (!json_is_object(relay)) {
		return NS_ERR_FORMAT;
	}
	DUP(relay, "host", HOST_MAX, 0, &a->relay_host);
	*why = "bad or missing \"relay.port\"";
	if (get_int(relay, "port", 1, 65535, &port) != 0) {
		return NS_ERR_FORMAT;
	}
	a->relay_port = (unsigned)port;
	DUP(relay, "host_key", NS_KEY_LINE_MAX, 0, &a->relay_host_key);
	DUP(relay, "known_hosts", KNOWN_HOSTS_MAX, 0, &a->relay_known_hosts);
	*why = "bad \"relay.host_ca\"";
	if ((rc = get_opt_dup(relay, "host_ca", NS_KEY_LINE_MAX, &a->relay_host_ca)) != 0) {
		return rc;
	}
	DUP(o, "command", COMMAND_MAX, 0, &a->command);
#undef DUP
	if ((rc = ws_from(o, a, why)) != 0) {
		return rc;
	}
	*why = NULL;
	return 0;
}

int ns_api_decode_access(const char *body, size_t len, ns_ssh_access *out, const char **why)
{
	int rc;

	if (out == NULL) {
		return NS_ERR_INVALID;
	}
	rc = decode_one(body, len, out, sizeof(*out), access_from, why);
	out->size = sizeof(*out); /* decode_one zeroed it */
	if (rc != 0) {
		ns_ssh_access_free(out); /* zeroes it all */
	}
	return rc;
}

int ns_api_decode_error(const char *body, size_t len, char *msg, size_t cap)
{
	const char *w = NULL, *s;
	json_t *j, *e;
	size_t i, n;
	int rc = NS_ERR_FORMAT;

	if (msg == NULL || cap == 0) {
		return NS_ERR_INVALID;
	}
	msg[0] = '\0';
	if ((j = load(body, len, &w)) == NULL) {
		return NS_ERR_FORMAT;
	}
	e = json_object_get(j, "error");
	if (json_is_string(e) && json_string_length(e) > 0) {
		s = json_string_value(e);
		n = json_string_length(e);
		/* a message for a human: cut to fit, control bytes made harmless */
		for (i = 0; i < n && i + 1 < cap; i++) {
			unsigned char c = (unsigned char)s[i];

			msg[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
		}
		msg[i] = '\0';
		rc = 0;
	}
	json_decref(j);
	return rc;
}
