/* Tests for the SDK calls (api/sdk.c, api/sdk_http.c) against a fake API
 * served by libmicrohttpd in this process (127.0.0.1, a kernel-chosen port):
 * the requests sent (method, path, headers, JSON bodies), the decoded
 * answers, statuses mapped to NS_ERR_* with the server's message, an
 * unreachable API, oversized and unreadable bodies, no redirects, the key
 * never in a message, and where ns_api_open finds the URL and the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib_port.h"
#include "nullspace/error.h"
#include "nullspace/sdk.h"

#define KEY "nsk_testtesttesttesttesttesttesttesttesttesttest"
#define WRONG_KEY "nsk_wrongwrongwrong"
#define SB_ID "sb_4k2j9x0q1m7a"
#define SB_JSON(state, reason)                                                                     \
	"{\"id\": \"" SB_ID "\", \"template\": \"base\", \"state\": \"" state "\", "               \
	"\"stop_reason\": " reason ", \"created_at\": \"2026-11-28T10:00:00Z\", "                  \
	"\"expires_at\": \"2026-11-28T10:02:00Z\", \"timeout\": 120}"
#define ACCESS_JSON                                                                                \
	"{\"access_id\": \"acc_0f3kq9\", \"sandbox_id\": \"" SB_ID "\", \"user\": \"" SB_ID        \
	"\", \"certificate\": \"ssh-ed25519-cert-v01@openssh.com AAAAcert acc_0f3kq9\", "          \
	"\"expires_at\": \"2026-11-28T10:05:00Z\", \"relay\": {\"host\": \"127.0.0.1\", "          \
	"\"port\": 2222, \"host_key\": \"ssh-ed25519 AAAAhost\", "                                 \
	"\"known_hosts\": \"[127.0.0.1]:2222 ssh-ed25519 AAAAhost\"}, \"command\": \"ssh\", "      \
	"\"websocket_url\": \"" WS_URL "\", \"websocket_tls_sha256\": null}"
#define WS_URL "ws://127.0.0.1:8781/v1/sandboxes/" SB_ID "/ssh?exp=1795860300&sig=00"

/* What the fake server saw last. */
static struct {
	pthread_mutex_t lock;
	int requests;
	char method[16], path[256], auth[256], ctype[128], accept[128], body[4096];
} seen = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct MHD_Daemon *daemon_;
static char url[64], closed_url[64], tmp[] = "/tmp/ns_sdk_XXXXXX";
static char *big_body;

typedef struct upload {
	char buf[4096];
	size_t len;
} upload;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *body)
{
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	MHD_add_response_header(r, "Content-Type", "application/json");
	if (status == 302) {
		MHD_add_response_header(r, "Location", "/v1/sandboxes/" SB_ID);
	}
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src != NULL ? src : "");
}

/* The canned routes; path and method already recorded. */
static enum MHD_Result route(struct MHD_Connection *c, const char *m, const char *p, upload *u)
{
	if (strcmp(p, "/v1/sandboxes") == 0 && strcmp(m, "POST") == 0) {
		if (strstr(u->buf, "\"nope\"") != NULL) {
			return reply(c, 400, "{\"error\": \"unknown template nope\"}");
		}
		return reply(c, 201, SB_JSON("running", "null"));
	}
	if (strcmp(p, "/v1/sandboxes") == 0 && strcmp(m, "GET") == 0) {
		return reply(c, 200,
		             "{\"sandboxes\": [" SB_JSON("running", "null") ", " SB_JSON(
		                 "stopped", "\"timeout\"") "]}");
	}
	if (strcmp(p, "/v1/sandboxes/" SB_ID) == 0 && strcmp(m, "GET") == 0) {
		return reply(c, 200, SB_JSON("running", "null"));
	}
	if (strcmp(p, "/v1/sandboxes/" SB_ID) == 0 && strcmp(m, "DELETE") == 0) {
		return reply(c, 200, SB_JSON("stopped", "\"killed\""));
	}
	if (strcmp(p, "/v1/sandboxes/" SB_ID "/ssh-access") == 0 && strcmp(m, "POST") == 0) {
		return reply(c, 201, ACCESS_JSON);
	}
	if (strcmp(p, "/v1/sandboxes/sb_stopped/ssh-access") == 0) {
		return reply(c, 409, "{\"error\": \"sandbox sb_stopped is stopped (timeout)\"}");
	}
	if (strcmp(p, "/v1/sandboxes/sb_garbage") == 0) {
		return reply(c, 200, "<html>hello</html>");
	}
	if (strcmp(p, "/v1/sandboxes/sb_boom") == 0) {
		return reply(c, 500, "{\"error\": \"the sandbox agent did not start\"}");
	}
	if (strcmp(p, "/v1/sandboxes/sb_html404") == 0) {
		return reply(c, 404, "<html>404</html>");
	}
	if (strcmp(p, "/v1/sandboxes/sb_redirect") == 0) {
		return reply(c, 302, "{}");
	}
	if (strcmp(p, "/v1/sandboxes/sb_big") == 0) {
		return reply(c, 200, big_body);
	}
	return reply(c, 404, "{\"error\": \"no such sandbox\"}");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *path,
                               const char *method, const char *version, const char *data,
                               size_t *data_size, void **con_cls)
{
	upload *u = *con_cls;
	const char *auth;

	(void)cls;
	(void)version;
	if (u == NULL) {
		if ((u = calloc(1, sizeof(*u))) == NULL) {
			return MHD_NO;
		}
		*con_cls = u;
		return MHD_YES;
	}
	if (*data_size > 0) {
		size_t n = *data_size < sizeof(u->buf) - 1 - u->len ? *data_size
		                                                    : sizeof(u->buf) - 1 - u->len;
		memcpy(u->buf + u->len, data, n);
		u->len += n;
		*data_size = 0;
		return MHD_YES;
	}
	auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
	pthread_mutex_lock(&seen.lock);
	seen.requests++;
	copy(seen.method, sizeof(seen.method), method);
	copy(seen.path, sizeof(seen.path), path);
	copy(seen.auth, sizeof(seen.auth), auth);
	copy(seen.ctype, sizeof(seen.ctype),
	     MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"));
	copy(seen.accept, sizeof(seen.accept),
	     MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept"));
	copy(seen.body, sizeof(seen.body), u->buf);
	pthread_mutex_unlock(&seen.lock);
	if (auth == NULL || strcmp(auth, "Bearer " KEY) != 0) {
		return reply(c, 401, "{\"error\": \"missing or unknown API key\"}");
	}
	return route(c, method, path, u);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode why)
{
	(void)cls;
	(void)c;
	(void)why;
	free(*con_cls);
	*con_cls = NULL;
}

static int setup(void **state)
{
	struct sockaddr_in a;
	const union MHD_DaemonInfo *info;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL,
	                           NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &a,
	                           MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (daemon_ == NULL ||
	    (info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)) == NULL) {
		return -1;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)info->port);
	snprintf(closed_url, sizeof(closed_url), "http://127.0.0.1:%u", ns_port_unused());
	if ((big_body = malloc(NS_API_RESPONSE_MAX + 2)) == NULL || mkdtemp(tmp) == NULL) {
		return -1;
	}
	memset(big_body, ' ', NS_API_RESPONSE_MAX + 1);
	big_body[NS_API_RESPONSE_MAX + 1] = '\0';
	unsetenv("NULLSPACE_API_URL");
	unsetenv("NULLSPACE_API_KEY");
	setenv("NULLSPACE_HOME", tmp, 1); /* an empty home: no config file */
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	MHD_stop_daemon(daemon_);
	free(big_body);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static ns_api *open_ok(const char *u, const char *k)
{
	char err[NS_API_ERR_MAX];
	ns_api *api = NULL;

	if (ns_api_open(&api, u, k, err, sizeof(err)) != 0) {
		fail_msg("ns_api_open: %s", err);
	}
	assert_string_equal(ns_api_error(api), "");
	assert_int_equal(ns_api_status(api), 0);
	return api;
}

static void no_key_in(const ns_api *api)
{
	assert_null(strstr(ns_api_error(api), KEY));
	assert_null(strstr(ns_api_error(api), WRONG_KEY));
	assert_null(strstr(ns_api_error(api), "nsk_"));
}

static void test_calls(void **state)
{
	ns_api *api = open_ok(url, KEY);
	ns_sandbox_info sb, list[4];
	ns_ssh_access acc;
	ns_ssh_access_opts opts;
	json_t *j;
	size_t n = 0;

	(void)state;
	ns_ssh_access_init(&acc);
	assert_string_equal(ns_api_url(api), url);
	assert_int_equal(ns_api_sandbox_create(api, NULL, 120, &sb), 0);
	assert_int_equal(ns_api_status(api), 201);
	assert_string_equal(ns_api_error(api), "");
	assert_string_equal(seen.method, "POST");
	assert_string_equal(seen.path, "/v1/sandboxes");
	assert_string_equal(seen.auth, "Bearer " KEY);
	assert_string_equal(seen.ctype, "application/json");
	assert_string_equal(seen.accept, "application/json");
	j = json_loads(seen.body, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "template")), "base");
	assert_int_equal(json_integer_value(json_object_get(j, "timeout")), 120);
	json_decref(j);
	assert_string_equal(sb.id, SB_ID);
	assert_string_equal(sb.state, "running");
	assert_int_equal(sb.timeout, 120);
	assert_null(strstr(seen.body, "max_lifetime")); /* only when asked for */
	{
		ns_sandbox_opts so;

		ns_sandbox_opts_init(&so);
		so.timeout_s = 60;
		so.max_lifetime_s = 3600;
		assert_int_equal(ns_api_sandbox_create_opts(api, &so, &sb), 0);
		j = json_loads(seen.body, JSON_REJECT_DUPLICATES, NULL);
		assert_non_null(j);
		assert_int_equal(json_integer_value(json_object_get(j, "timeout")), 60);
		assert_int_equal(json_integer_value(json_object_get(j, "max_lifetime")), 3600);
		json_decref(j);
		so.max_lifetime_s = 59; /* below the timeout: refused before any request */
		assert_int_equal(ns_api_sandbox_create_opts(api, &so, &sb), NS_ERR_INVALID);
		so.size = 0;
		assert_int_equal(ns_api_sandbox_create_opts(api, &so, &sb), NS_ERR_INVALID);
	}

	assert_int_equal(ns_api_sandbox_get(api, SB_ID, &sb), 0);
	assert_string_equal(seen.method, "GET");
	assert_string_equal(seen.path, "/v1/sandboxes/" SB_ID);
	assert_string_equal(seen.body, "");

	assert_int_equal(ns_api_sandbox_list(api, list, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[1].stop_reason, "timeout");

	assert_int_equal(ns_api_create_ssh_access(api, SB_ID, "ssh-ed25519 AAAAkey me@x", 5, &acc),
	                 0);
	assert_string_equal(seen.path, "/v1/sandboxes/" SB_ID "/ssh-access");
	j = json_loads(seen.body, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "public_key")),
	                    "ssh-ed25519 AAAAkey me@x");
	assert_int_equal(json_integer_value(json_object_get(j, "expires_in_minutes")), 5);
	json_decref(j);
	assert_string_equal(acc.user, SB_ID);
	assert_int_equal(acc.relay_port, 2222);
	assert_string_equal(acc.relay_host_key, "ssh-ed25519 AAAAhost");
	assert_string_equal(acc.websocket_url, WS_URL);
	assert_null(acc.websocket_tls_sha256);
	ns_ssh_access_free(&acc);

	/* 0 minutes: the default (a freed access is set up again first) */
	assert_int_equal(ns_api_create_ssh_access(api, SB_ID, "ssh-ed25519 AAAAkey", 0, &acc),
	                 NS_ERR_INVALID);
	ns_ssh_access_init(&acc);
	assert_int_equal(ns_api_create_ssh_access(api, SB_ID, "ssh-ed25519 AAAAkey", 0, &acc), 0);
	assert_non_null(strstr(seen.body, "\"expires_in_minutes\":10"));
	/* the defaults leave the permits out of the request */
	assert_null(strstr(seen.body, "permit_"));
	ns_ssh_access_free(&acc);

	/* options: the permits that differ from the API's defaults */
	ns_ssh_access_opts_init(&opts);
	opts.expires_in_minutes = 7;
	opts.no_port_forwarding = 1;
	opts.agent_forwarding = 1;
	ns_ssh_access_init(&acc);
	assert_int_equal(
	    ns_api_create_ssh_access_opts(api, SB_ID, "ssh-ed25519 AAAAkey", &opts, &acc), 0);
	j = json_loads(seen.body, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "expires_in_minutes")), 7);
	assert_true(json_is_false(json_object_get(j, "permit_port_forwarding")));
	assert_true(json_is_true(json_object_get(j, "permit_agent_forwarding")));
	json_decref(j);
	ns_ssh_access_free(&acc);
	opts.size = 0; /* not set up: refused */
	ns_ssh_access_init(&acc);
	assert_int_equal(
	    ns_api_create_ssh_access_opts(api, SB_ID, "ssh-ed25519 AAAAkey", &opts, &acc),
	    NS_ERR_INVALID);

	assert_int_equal(ns_api_sandbox_kill(api, SB_ID), 0);
	assert_string_equal(seen.method, "DELETE");
	assert_string_equal(seen.path, "/v1/sandboxes/" SB_ID);
	assert_int_equal(ns_api_status(api), 200);
	ns_api_close(api);
}

/* A caller built against the first, shorter ns_ssh_access: it gets what
 * it knows, nothing is written past its size, what it has no room for is
 * freed (ASan would see the leak). */
static void test_access_older_caller(void **state)
{
	ns_api *api = open_ok(url, KEY);
	union {
		ns_ssh_access a;
		unsigned char b[sizeof(ns_ssh_access) + 16];
	} u;
	size_t i;

	(void)state;
	memset(&u, 0x55, sizeof(u));
	u.a.size = NS_SSH_ACCESS_SIZE_MIN;
	assert_int_equal(ns_api_create_ssh_access(api, SB_ID, "ssh-ed25519 AAAAkey", 5, &u.a), 0);
	assert_string_equal(u.a.user, SB_ID);
	assert_string_equal(u.a.command, "ssh");
	for (i = NS_SSH_ACCESS_SIZE_MIN; i < sizeof(u.b); i++) {
		assert_int_equal(u.b[i], 0x55);
	}
	ns_ssh_access_free(&u.a);
	for (i = NS_SSH_ACCESS_SIZE_MIN; i < sizeof(u.b); i++) {
		assert_int_equal(u.b[i], 0x55);
	}
	u.a.size = NS_SSH_ACCESS_SIZE_MIN - 1; /* older than any: refused */
	assert_int_equal(ns_api_create_ssh_access(api, SB_ID, "ssh-ed25519 AAAAkey", 5, &u.a),
	                 NS_ERR_INVALID);
	ns_api_close(api);
}

static void test_statuses(void **state)
{
	ns_api *api = open_ok(url, KEY), *bad = open_ok(url, WRONG_KEY);
	ns_sandbox_info sb;
	ns_ssh_access acc;

	(void)state;
	ns_ssh_access_init(&acc);
	assert_int_equal(ns_api_sandbox_get(bad, SB_ID, &sb), NS_ERR_AUTH);
	assert_int_equal(ns_api_status(bad), 401);
	assert_string_equal(ns_api_error(bad),
	                    "the API refused the API key (401): missing or unknown API key");
	no_key_in(bad);

	assert_int_equal(ns_api_sandbox_get(api, "sb_missing", &sb), NS_ERR_NOTFOUND);
	assert_int_equal(ns_api_status(api), 404);
	assert_non_null(strstr(ns_api_error(api), "no such sandbox"));
	assert_int_equal(ns_api_sandbox_get(api, "sb_html404", &sb), NS_ERR_NOTFOUND);

	assert_int_equal(ns_api_create_ssh_access(api, "sb_stopped", "ssh-ed25519 AAAA", 5, &acc),
	                 NS_ERR_STATE);
	assert_int_equal(ns_api_status(api), 409);
	assert_non_null(strstr(ns_api_error(api), "sandbox sb_stopped is stopped (timeout)"));
	assert_null(acc.certificate);

	assert_int_equal(ns_api_sandbox_create(api, "nope", 0, &sb), NS_ERR_FORMAT);
	assert_int_equal(ns_api_status(api), 400);
	assert_non_null(strstr(ns_api_error(api), "unknown template nope"));
	assert_non_null(strstr(seen.body, "\"timeout\":600")); /* 0: the default */

	assert_int_equal(ns_api_sandbox_get(api, "sb_boom", &sb), NS_ERR_PROTOCOL);
	assert_int_equal(ns_api_status(api), 500);
	assert_non_null(strstr(ns_api_error(api), "the sandbox agent did not start"));

	assert_int_equal(ns_api_sandbox_get(api, "sb_redirect", &sb), NS_ERR_PROTOCOL);
	assert_int_equal(ns_api_status(api), 302); /* not followed */

	assert_int_equal(ns_api_sandbox_get(api, "sb_garbage", &sb), NS_ERR_FORMAT);
	assert_int_equal(ns_api_status(api), 200);
	assert_non_null(strstr(ns_api_error(api), "cannot read"));

	assert_int_equal(ns_api_sandbox_get(api, "sb_big", &sb), NS_ERR_FORMAT);
	assert_non_null(strstr(ns_api_error(api), "over"));

	/* a good call after failures clears the message */
	assert_int_equal(ns_api_sandbox_get(api, SB_ID, &sb), 0);
	assert_string_equal(ns_api_error(api), "");
	no_key_in(api);
	ns_api_close(api);
	ns_api_close(bad);
}

static void test_invalid_args(void **state)
{
	ns_api *api = open_ok(url, KEY);
	ns_sandbox_info sb;
	ns_ssh_access acc;
	int before = seen.requests;

	(void)state;
	ns_ssh_access_init(&acc);
	assert_int_equal(ns_api_sandbox_get(api, "../health", &sb), NS_ERR_INVALID);
	assert_int_equal(ns_api_sandbox_get(api, "sb?x=1", &sb), NS_ERR_INVALID);
	assert_int_equal(ns_api_sandbox_get(api, "", &sb), NS_ERR_INVALID);
	assert_int_equal(ns_api_sandbox_kill(api, "sb 1"), NS_ERR_INVALID);
	assert_int_equal(ns_api_sandbox_kill(api, NULL), NS_ERR_INVALID);
	assert_int_equal(ns_api_create_ssh_access(api, SB_ID, "ssh-ed25519 AAAA", 61, &acc),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_api_create_ssh_access(api, SB_ID, "ssh-ed25519 AAAA", -1, &acc),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_api_create_ssh_access(api, SB_ID, NULL, 5, &acc), NS_ERR_INVALID);
	assert_int_equal(ns_api_create_ssh_access(api, SB_ID, "ssh-ed25519 \xff", 5, &acc),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_api_sandbox_create(api, NULL, NS_API_SANDBOX_TIMEOUT_MAX + 1, &sb),
	                 NS_ERR_INVALID);
	assert_int_not_equal(ns_api_error(api)[0], '\0');
	assert_int_equal(seen.requests, before); /* nothing was sent */
	ns_api_close(api);
}

static void test_unreachable(void **state)
{
	ns_api *api = open_ok(closed_url, KEY);
	ns_sandbox_info sb;

	(void)state;
	assert_int_equal(ns_api_sandbox_get(api, SB_ID, &sb), NS_ERR_IO);
	assert_int_equal(ns_api_status(api), 0);
	assert_non_null(strstr(ns_api_error(api), "cannot reach the API at"));
	assert_non_null(strstr(ns_api_error(api), closed_url));
	no_key_in(api);
	ns_api_close(api);
}

static void test_open(void **state)
{
	char err[NS_API_ERR_MAX], home[128], slash[80];
	ns_api_config cfg;
	ns_sandbox_info sb;
	ns_api *api = NULL;

	(void)state;
	/* nothing configured */
	assert_int_equal(ns_api_open(&api, NULL, NULL, err, sizeof(err)), NS_ERR_NOTFOUND);
	assert_null(api);
	assert_non_null(strstr(err, "nullspace up"));
	assert_non_null(strstr(err, "NULLSPACE_API_URL"));
	assert_int_equal(ns_api_open(&api, url, NULL, err, sizeof(err)), NS_ERR_NOTFOUND);
	assert_int_equal(ns_api_open(&api, "ftp://127.0.0.1/", KEY, err, sizeof(err)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_api_open(&api, url, "two words", err, sizeof(err)), NS_ERR_INVALID);
	assert_null(strstr(err, "two words"));
	assert_int_equal(ns_api_open(&api, url, "k\r\nX-Evil: 1", err, sizeof(err)),
	                 NS_ERR_INVALID);

	/* trailing slashes are trimmed */
	snprintf(slash, sizeof(slash), "%s//", url);
	api = open_ok(slash, KEY);
	assert_string_equal(ns_api_url(api), url);
	assert_int_equal(ns_api_sandbox_get(api, SB_ID, &sb), 0);
	assert_string_equal(seen.path, "/v1/sandboxes/" SB_ID);
	ns_api_close(api);

	/* the config file under NULLSPACE_HOME */
	snprintf(home, sizeof(home), "%s/home", tmp);
	setenv("NULLSPACE_HOME", home, 1);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.api_url, sizeof(cfg.api_url), "%s", url);
	snprintf(cfg.api_key, sizeof(cfg.api_key), "%s", KEY);
	assert_int_equal(ns_api_config_save(home, &cfg, err, sizeof(err)), 0);
	api = open_ok(NULL, NULL);
	assert_string_equal(ns_api_url(api), url);
	assert_int_equal(ns_api_sandbox_get(api, SB_ID, &sb), 0);
	ns_api_close(api);

	/* the environment beats the file */
	setenv("NULLSPACE_API_KEY", WRONG_KEY, 1);
	api = open_ok(NULL, NULL);
	assert_int_equal(ns_api_sandbox_get(api, SB_ID, &sb), NS_ERR_AUTH);
	assert_string_equal(seen.auth, "Bearer " WRONG_KEY);
	no_key_in(api);
	ns_api_close(api);
	setenv("NULLSPACE_API_URL", closed_url, 1);
	api = open_ok(NULL, NULL);
	assert_string_equal(ns_api_url(api), closed_url);
	ns_api_close(api);

	/* arguments beat the environment */
	api = open_ok(url, KEY);
	assert_string_equal(ns_api_url(api), url);
	assert_int_equal(ns_api_sandbox_get(api, SB_ID, &sb), 0);
	ns_api_close(api);

	/* an empty variable counts as unset */
	setenv("NULLSPACE_API_URL", "", 1);
	setenv("NULLSPACE_API_KEY", "", 1);
	api = open_ok(NULL, NULL);
	assert_string_equal(ns_api_url(api), url);
	ns_api_close(api);
	unsetenv("NULLSPACE_API_URL");
	unsetenv("NULLSPACE_API_KEY");
	setenv("NULLSPACE_HOME", tmp, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_calls),
	    cmocka_unit_test(test_statuses),
	    cmocka_unit_test(test_access_older_caller),
	    cmocka_unit_test(test_invalid_args),
	    cmocka_unit_test(test_unreachable),
	    cmocka_unit_test(test_open),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
