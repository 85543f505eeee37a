/* Tests for api/server*.c: a real server on 127.0.0.1 (random port) run by
 * a forked child, spoken to with libcurl: health, API keys (401 with
 * WWW-Authenticate), 404, 405 with Allow, 400 bodies, 413 (with and without
 * Content-Length), the log lines; and the pure JSON/known_hosts/command
 * builders. Routes needing the runtime are covered end to end elsewhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib_port.h"
#include "nullspace/error.h"
#include "nullspace/cert.h"
#include "request.h"
#include "server_int.h"
#include "ws_url.h"

#define SB "sb_4k2j9x0q1m7a"
#define RESP_MAX (256 * 1024)

static ns_key ca, relay;
static ns_apikeys keys;
static char api_key[NS_APIKEY_LEN + 1];
static char log_path[] = "/tmp/ns_api_log_XXXXXX";
static int log_fd = -1;
static unsigned port;
static pid_t child = -1;
static ns_api_server *server;

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void log_line(void *ud, const char *line)
{
	(void)ud;
	dprintf(log_fd, "%s\n", line);
}

static void config(ns_api_server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen_host = "127.0.0.1";
	cfg->listen_port = port;
	cfg->runtime = NULL; /* handlers that need it answer 500 */
	cfg->keys = &keys;
	cfg->ca = &ca;
	cfg->relay_host = "127.0.0.1";
	cfg->relay_port = 2222;
	cfg->relay_host_key = relay.pk;
	cfg->log = log_line;
}

static int setup(void **state)
{
	uint8_t h[NS_APIKEY_HASH_LEN];
	char hex[2 * NS_APIKEY_HASH_LEN + 2], err[256];
	ns_api_server_config cfg;
	int line, i, rc = -1;

	(void)state;
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    ns_key_generate(&ca, "ca") != 0 || ns_key_generate(&relay, "relay") != 0) {
		return -1;
	}
	ns_apikey_generate(api_key);
	ns_apikey_hash(api_key, strlen(api_key), h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if (ns_apikeys_parse(hex, strlen(hex), &keys, &line) != 0 ||
	    (log_fd = mkstemp(log_path)) < 0) {
		return -1;
	}
	for (i = 0; i < 20 && rc != 0; i++) {
		port = ns_port_unused();
		config(&cfg);
		rc = ns_api_server_start(&cfg, &server, err, sizeof(err));
	}
	if (rc != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if ((child = fork()) < 0) {
		return -1;
	}
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGTERM, on_term);
		while (!stopping) {
			ns_api_server_run(server, 200);
		}
		/* a clean exit, so that LeakSanitizer checks the server side too */
		ns_api_server_stop(server);
		ns_apikeys_free(&keys);
		curl_global_cleanup();
		exit(0);
	}
	return 0;
}

/* Last: the server process stops cleanly, its memory all freed (the
 * child's LeakSanitizer would make the exit status nonzero). */
static void test_clean_exit(void **state)
{
	int status = -1;

	(void)state;
	assert_true(child > 0);
	kill(child, SIGTERM);
	assert_int_equal(waitpid(child, &status, 0), child);
	child = -1;
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int teardown(void **state)
{
	int status;

	(void)state;
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, &status, 0);
	}
	ns_api_server_stop(server); /* the parent's copy of the listening socket */
	ns_apikeys_free(&keys);
	close(log_fd);
	unlink(log_path);
	curl_global_cleanup();
	return 0;
}

typedef struct resp {
	long status;
	char body[RESP_MAX];
	size_t len;
	char headers[8192];
	size_t hlen;
	json_t *json;
	CURLcode cc;
} resp;

static int allow_curl_error; /* the server may hang up */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	resp *r = ud;
	size_t len = size * n;

	if (len > sizeof(r->body) - 1 - r->len) {
		return 0;
	}
	memcpy(r->body + r->len, p, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	resp *r = ud;
	size_t len = size * n;

	if (len <= sizeof(r->headers) - 1 - r->hlen) {
		memcpy(r->headers + r->hlen, p, len);
		r->hlen += len;
		r->headers[r->hlen] = '\0';
	}
	return len;
}

/* Streams a body of a given size ('{' then spaces...) without a length. */
typedef struct source {
	size_t left;
	int started;
} source;

static size_t on_read(char *p, size_t size, size_t n, void *ud)
{
	source *s = ud;
	size_t len = size * n < s->left ? size * n : s->left;

	memset(p, ' ', len);
	if (len > 0 && !s->started) {
		p[0] = '{';
		s->started = 1;
	}
	s->left -= len;
	return len;
}

enum { AUTH_NONE, AUTH_GOOD, AUTH_BAD, AUTH_RAW };
enum { BODY_NORMAL, BODY_EXPECT, BODY_CHUNKED };

/* One request; auth_raw is a whole Authorization header for AUTH_RAW. */
static void http(const char *method, const char *path, int auth, const char *auth_raw,
                 const char *body, size_t len, int mode, resp *r)
{
	char url[512], hdr[256];
	struct curl_slist *h = NULL;
	source src = {len, 0};
	CURL *c = curl_easy_init();
	CURLcode cc;

	assert_non_null(c);
	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (auth == AUTH_GOOD) {
		snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", api_key);
		h = curl_slist_append(h, hdr);
	} else if (auth == AUTH_BAD) {
		h = curl_slist_append(
		    h, "Authorization: Bearer nsk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	} else if (auth == AUTH_RAW) {
		h = curl_slist_append(h, auth_raw);
	}
	if (strcmp(method, "POST") == 0) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		if (mode == BODY_CHUNKED) {
			curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(c, CURLOPT_READDATA, &src);
			h = curl_slist_append(h, "Transfer-Encoding: chunked");
		} else {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, body != NULL ? body : "");
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		}
		h = curl_slist_append(h, mode == BODY_EXPECT ? "Expect: 100-continue" : "Expect:");
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	cc = curl_easy_perform(c);
	r->cc = cc;
	if (cc != CURLE_OK && !allow_curl_error) {
		fprintf(stderr, "%s %s: %s\n", method, path, curl_easy_strerror(cc));
		assert_int_equal(cc, CURLE_OK);
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	r->json = json_loadb(r->body, r->len, 0, NULL);
}

static void done(resp *r)
{
	json_decref(r->json);
	r->json = NULL;
}

static int has_header(const resp *r, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "%s\r\n", line);
	return strcasestr(r->headers, want) != NULL;
}

/* status, JSON content type, and {"error": want} when want is given */
static void expect(resp *r, long status, const char *want_error)
{
	assert_int_equal(r->status, status);
	assert_true(has_header(r, "Content-Type: application/json"));
	assert_non_null(r->json);
	assert_true(json_is_object(r->json));
	if (want_error != NULL) {
		json_t *e = json_object_get(r->json, "error");

		assert_non_null(e);
		assert_true(json_is_string(e));
		assert_int_equal(json_object_size(r->json), 1);
		if (want_error[0] != '\0') {
			assert_string_equal(json_string_value(e), want_error);
		}
	}
}

static resp *R;

/* One request whose answer only expect() checks: the body's whole length. */
static void check(const char *method, const char *path, int auth, const char *auth_raw,
                  const char *body, long status, const char *want_error)
{
	http(method, path, auth, auth_raw, body, body != NULL ? strlen(body) : 0, 0, R);
	expect(R, status, want_error);
	done(R);
}

static void test_health(void **state)
{
	(void)state;
	http("GET", "/v1/health", AUTH_NONE, NULL, NULL, 0, 0, R);
	expect(R, 200, NULL);
	assert_string_equal(json_string_value(json_object_get(R->json, "status")), "ok");
	assert_int_equal(json_object_size(R->json), 1);
	done(R);
	http("GET", "/v1/health", AUTH_BAD, NULL, NULL, 0, 0, R); /* keys do not matter */
	expect(R, 200, NULL);
	done(R);
	http("POST", "/v1/health", AUTH_NONE, NULL, "{}", 2, 0, R);
	expect(R, 405, "");
	assert_true(has_header(R, "Allow: GET"));
	done(R);
}

static void test_auth(void **state)
{
	static const char *const raws[] = {
	    "Authorization: Basic dXNlcjpwYXNz",
	    "Authorization: Bearer",
	    "Authorization: Bearer ",
	    "Authorization: Bearernsk_x",
	    "Authorization: nsk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	};
	char hdr[256];
	size_t i;

	(void)state;
	http("GET", "/v1/sandboxes", AUTH_NONE, NULL, NULL, 0, 0, R);
	expect(R, 401, "");
	assert_true(has_header(R, "WWW-Authenticate: Bearer"));
	done(R);
	http("GET", "/v1/sandboxes", AUTH_BAD, NULL, NULL, 0, 0, R);
	expect(R, 401, "");
	assert_true(has_header(R, "WWW-Authenticate: Bearer"));
	done(R);
	for (i = 0; i < sizeof(raws) / sizeof(raws[0]); i++) {
		check("GET", "/v1/sandboxes", AUTH_RAW, raws[i], NULL, 401, "");
	}
	/* the key with one character less or more */
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %.*s", NS_APIKEY_LEN - 1, api_key);
	check("GET", "/v1/sandboxes", AUTH_RAW, hdr, NULL, 401, "");
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %sA", api_key);
	check("GET", "/v1/sandboxes", AUTH_RAW, hdr, NULL, 401, "");
	/* every non-health route needs the key, known or not, whatever the method */
	check("DELETE", "/v1/sandboxes/" SB, AUTH_NONE, NULL, NULL, 401, "");
	check("POST", "/v1/sandboxes/" SB "/ssh-access", AUTH_NONE, NULL, "{}", 401, "");
	check("GET", "/v1/nope", AUTH_NONE, NULL, NULL, 401, "");
	/* with the key the runtime is reached (none here: 500); scheme case-insensitive */
	check("GET", "/v1/sandboxes", AUTH_GOOD, NULL, NULL, 500, "no sandbox runtime");
	snprintf(hdr, sizeof(hdr), "Authorization: bEARER   %s", api_key);
	check("GET", "/v1/sandboxes/" SB, AUTH_RAW, hdr, NULL, 500, "no sandbox runtime");
}

static void test_routes(void **state)
{
	(void)state;
	check("GET", "/v1/nope", AUTH_GOOD, NULL, NULL, 404, "no such route");
	check("GET", "/", AUTH_GOOD, NULL, NULL, 404, "no such route");
	check("GET", "/v1/sandboxes/bad.id", AUTH_GOOD, NULL, NULL, 404, "");
	http("PUT", "/v1/sandboxes", AUTH_GOOD, NULL, NULL, 0, 0, R);
	expect(R, 405, "");
	assert_true(has_header(R, "Allow: GET, POST"));
	done(R);
	http("POST", "/v1/sandboxes/" SB, AUTH_GOOD, NULL, "{}", 2, 0, R);
	expect(R, 405, "");
	assert_true(has_header(R, "Allow: GET, DELETE"));
	done(R);
	http("GET", "/v1/sandboxes/" SB "/kill", AUTH_GOOD, NULL, NULL, 0, 0, R);
	expect(R, 405, "");
	assert_true(has_header(R, "Allow: POST"));
	done(R);
	http("DELETE", "/v1/sandboxes/" SB "/ssh-access", AUTH_GOOD, NULL, NULL, 0, 0, R);
	expect(R, 405, "");
	assert_true(has_header(R, "Allow: POST"));
	done(R);
	check("POST", "/v1/sandboxes/" SB "/kill", AUTH_GOOD, NULL, NULL, 500,
	      "no sandbox runtime");
	check("POST", "/v1/sandboxes/" SB "/ssh-access", AUTH_GOOD, NULL, "{}", 500,
	      "no sandbox runtime");
}

static void test_bodies(void **state)
{
	const char *bad = "{\"template\": ";

	(void)state;
	check("POST", "/v1/sandboxes", AUTH_GOOD, NULL, bad, 400,
	      "the request body is not valid JSON (or repeats a member)");
	check("POST", "/v1/sandboxes", AUTH_GOOD, NULL, "[1]", 400,
	      "the request body must be a JSON object");
	check("POST", "/v1/sandboxes", AUTH_GOOD, NULL, "{\"timeout\": 10.5}", 400,
	      "timeout must be an integer from 1 to 86400 (seconds)");
	/* valid bodies (and none) get past the parser to the runtime */
	check("POST", "/v1/sandboxes", AUTH_GOOD, NULL, NULL, 500, "no sandbox runtime");
	http("POST", "/v1/sandboxes", AUTH_GOOD, NULL, "{\"timeout\": 60}", 15, BODY_EXPECT, R);
	expect(R, 500, "no sandbox runtime");
	done(R);
}

static void test_too_big(void **state)
{
	size_t big = 70 * 1024;
	char *body = malloc(big);

	(void)state;
	assert_non_null(body);
	memset(body, ' ', big);
	body[0] = '{';
	body[NS_API_BODY_MAX - 1] = '}';
	/* exactly NS_API_BODY_MAX bytes: read and parsed */
	http("POST", "/v1/sandboxes", AUTH_GOOD, NULL, body, NS_API_BODY_MAX, 0, R);
	expect(R, 500, "no sandbox runtime");
	done(R);
	/* 70 KiB with Content-Length, with and without Expect: 100-continue */
	http("POST", "/v1/sandboxes", AUTH_GOOD, NULL, body, big, 0, R);
	expect(R, 413, "the request body is over 64 KiB");
	done(R);
	http("POST", "/v1/sandboxes", AUTH_GOOD, NULL, body, big, BODY_EXPECT, R);
	expect(R, 413, "the request body is over 64 KiB");
	done(R);
	http("POST", "/v1/sandboxes", AUTH_GOOD, NULL, body, NS_API_BODY_MAX + 1, 0, R);
	expect(R, 413, "");
	done(R);
	/* chunked, no length known up front: cut when it passes the limit */
	http("POST", "/v1/sandboxes", AUTH_GOOD, NULL, NULL, big, BODY_CHUNKED, R);
	expect(R, 413, "the request body is over 64 KiB");
	done(R);
	http("POST", "/v1/sandboxes/" SB "/ssh-access", AUTH_GOOD, NULL, body, big, 0, R);
	expect(R, 413, "");
	done(R);
	/* a client that keeps on sending past the limit is hung up on */
	allow_curl_error = 1;
	http("POST", "/v1/sandboxes", AUTH_GOOD, NULL, NULL, 4 * 1024 * 1024, BODY_CHUNKED, R);
	allow_curl_error = 0;
	assert_true(R->cc != CURLE_OK || R->status == 413);
	done(R);
	/* the server is still fine */
	check("GET", "/v1/health", AUTH_NONE, NULL, NULL, 200, NULL);
	free(body);
}

static void test_log(void **state)
{
	char text[65536], want[128];
	ssize_t n;

	(void)state;
	http("GET", "/v1/health", AUTH_NONE, NULL, NULL, 0, 0, R);
	done(R);
	http("GET", "/v1/sandboxes%0aapi:%20forged", AUTH_GOOD, NULL, NULL, 0, 0, R);
	done(R);
	n = pread(log_fd, text, sizeof(text) - 1, 0);
	assert_true(n > 0);
	text[n] = '\0';
	assert_non_null(strstr(text, "api: GET /v1/health 200\n"));
	assert_non_null(strstr(text, "api: GET /v1/sandboxes 401\n"));
	assert_non_null(strstr(text, "api: GET /v1/nope 404\n"));
	assert_non_null(strstr(text, "api: PUT /v1/sandboxes 405\n"));
	assert_non_null(strstr(text, "api: POST /v1/sandboxes 400\n"));
	assert_non_null(strstr(text, "api: POST /v1/sandboxes 413\n"));
	assert_non_null(strstr(text, "api: POST /v1/sandboxes/" SB "/ssh-access 413\n"));
	assert_non_null(strstr(text, "api: POST /v1/sandboxes/" SB "/kill 500\n"));
	/* a decoded newline in the path cannot start a line of its own */
	assert_null(strstr(text, "\napi: forged"));
	/* never the key, its digest or a header */
	assert_null(strstr(text, api_key));
	assert_null(strstr(text, api_key + 4));
	assert_null(strstr(text, "Bearer"));
	assert_null(strstr(text, "Authorization"));
	snprintf(want, sizeof(want), "%.12s", api_key + 4);
	assert_null(strstr(text, want));
}

static void test_start_errors(void **state)
{
	ns_api_server_config cfg;
	ns_api_server *s = (ns_api_server *)1;
	ns_key pub = ca;
	char err[256];

	(void)state;
	config(&cfg); /* the port is taken by the server under test */
	assert_int_equal(ns_api_server_start(&cfg, &s, err, sizeof(err)), NS_ERR_IO);
	assert_null(s);
	assert_non_null(strstr(err, "127.0.0.1"));
	cfg.listen_host = "localhost";
	assert_int_equal(ns_api_server_start(&cfg, &s, err, sizeof(err)), NS_ERR_INVALID);
	cfg.listen_host = "127.0.0.1";
	cfg.listen_port = 70000;
	assert_int_equal(ns_api_server_start(&cfg, &s, err, sizeof(err)), NS_ERR_INVALID);
	config(&cfg);
	pub.has_sk = 0;
	cfg.ca = &pub;
	assert_int_equal(ns_api_server_start(&cfg, &s, err, sizeof(err)), NS_ERR_INVALID);
	config(&cfg);
	cfg.keys = NULL;
	assert_int_equal(ns_api_server_start(&cfg, &s, err, sizeof(err)), NS_ERR_INVALID);
	config(&cfg);
	cfg.relay_port = 0;
	assert_int_equal(ns_api_server_start(&cfg, &s, err, sizeof(err)), NS_ERR_INVALID);
	/* a WebSocket listener with a short secret, or an address a URL cannot
	 * hold, is refused before listening (the port above is taken: a
	 * config that passed the checks would say NS_ERR_IO) */
	config(&cfg);
	cfg.ws_hostport = "127.0.0.1:8781";
	cfg.ws_secret = (const uint8_t *)"short";
	cfg.ws_secret_len = 5;
	assert_int_equal(ns_api_server_start(&cfg, &s, err, sizeof(err)), NS_ERR_INVALID);
	assert_non_null(strstr(err, "WebSocket"));
	assert_null(strstr(err, "short"));
	cfg.ws_secret = (const uint8_t *)"0123456789abcdef0123456789abcdef";
	cfg.ws_secret_len = 32;
	cfg.ws_hostport = "bad host:1";
	assert_int_equal(ns_api_server_start(&cfg, &s, err, sizeof(err)), NS_ERR_INVALID);
	cfg.ws_hostport = "127.0.0.1:8781";
	assert_int_equal(ns_api_server_start(&cfg, &s, err, sizeof(err)), NS_ERR_IO);
	config(&cfg);
	cfg.relay_host = "relay host";
	assert_int_equal(ns_api_server_start(&cfg, &s, err, sizeof(err)), NS_ERR_INVALID);
	/* IPv6 loopback, when the host has it */
	config(&cfg);
	cfg.listen_host = "::1";
	cfg.listen_port = ns_port_unused();
	if (ns_api_server_start(&cfg, &s, err, sizeof(err)) == 0) {
		assert_int_equal(ns_api_server_run(s, 0), 0);
		ns_api_server_stop(s);
	}
	ns_api_server_stop(NULL);
	assert_int_equal(ns_api_server_run(NULL, 0), NS_ERR_INVALID);
}

static void test_known_hosts_and_command(void **state)
{
	char key[NS_KEY_LINE_MAX], want[NS_KEY_LINE_MAX + 64], out[NS_KEY_LINE_MAX + 64];

	(void)state;
	assert_int_equal(ns_key_to_line(relay.pk, NULL, key, sizeof(key)), 0);
	assert_int_equal(ns_api_known_hosts_line("127.0.0.1", 2222, relay.pk, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "[127.0.0.1]:2222 %s", key);
	assert_string_equal(out, want);
	assert_int_equal(
	    ns_api_known_hosts_line("relay.example.com", 22, relay.pk, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "relay.example.com %s", key);
	assert_string_equal(out, want);
	assert_int_equal(ns_api_known_hosts_line("::1", 2222, relay.pk, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "[::1]:2222 %s", key);
	assert_string_equal(out, want);
	assert_int_equal(ns_api_known_hosts_line("::1", 22, relay.pk, out, sizeof(out)), 0);
	snprintf(want, sizeof(want), "::1 %s", key);
	assert_string_equal(out, want);
	assert_int_equal(ns_api_known_hosts_line("", 22, relay.pk, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_api_known_hosts_line("a b", 22, relay.pk, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_api_known_hosts_line("h", 0, relay.pk, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_api_known_hosts_line("127.0.0.1", 2222, relay.pk, out, 20),
	                 NS_ERR_NOMEM);
	assert_string_equal(out, "");

	assert_int_equal(ns_api_access_command(SB, "127.0.0.1", 2222, out, sizeof(out)), 0);
	assert_string_equal(out, "ssh -i id_ed25519 -o CertificateFile=id_ed25519-cert.pub "
	                         "-o IdentitiesOnly=yes -o UserKnownHostsFile=known_hosts "
	                         "-o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes "
	                         "-p 2222 " SB "@127.0.0.1");
	assert_null(strchr(out, '\\'));
	assert_null(strchr(out, '\n'));
	assert_null(strstr(out, "  "));
	assert_int_equal(ns_api_access_command(SB, "relay.example.com", 22, out, sizeof(out)), 0);
	assert_non_null(strstr(out, " -p 22 " SB "@relay.example.com"));
	assert_int_equal(ns_api_access_command(SB, "h;rm -rf /", 22, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_api_access_command("-oProxyCommand=x", "h", 22, out, sizeof(out)),
	                 NS_ERR_INVALID);
	assert_int_equal(ns_api_access_command("a b", "h", 22, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_api_access_command(SB, "-h", 22, out, sizeof(out)), NS_ERR_INVALID);
	assert_int_equal(ns_api_access_command(SB, "h", 22, out, 30), NS_ERR_NOMEM);
	assert_string_equal(out, "");
}

static void test_json_builders(void **state)
{
	ns_sandbox_info sb;
	ns_api_server_config cfg;
	ns_minted m;
	char t[32], key[NS_KEY_LINE_MAX], *text, want_url[NS_WS_URL_MAX];
	json_t *j, *relay_j;
	ns_api_reply r;

	(void)state;
	assert_int_equal(ns_api_time_format(0, t, sizeof(t)), 0);
	assert_string_equal(t, "1970-01-01T00:00:00Z");
	assert_int_equal(ns_api_time_format(1795860000, t, sizeof(t)), 0);
	assert_string_equal(t, "2026-11-28T10:00:00Z");

	memset(&sb, 0, sizeof(sb));
	strcpy(sb.id, SB);
	strcpy(sb.template_name, "base");
	strcpy(sb.state, "running");
	sb.created_at = 1795860000;
	sb.expires_at = 1795860600;
	sb.timeout = 600;
	sb.max_lifetime = 3600;
	sb.max_expires_at = 1795863600;
	j = ns_api_sandbox_json(&sb);
	assert_non_null(j);
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text,
	                    "{\"created_at\":\"2026-11-28T10:00:00Z\",\"expires_at\":"
	                    "\"2026-11-28T10:10:00Z\",\"id\":\"" SB "\",\"last_activity_at\":null,"
	                    "\"max_expires_at\":\"2026-11-28T11:00:00Z\",\"max_lifetime\":3600,"
	                    "\"state\":\"running\","
	                    "\"stop_reason\":null,\"template\":\"base\",\"timeout\":600}");
	free(text);
	json_decref(j);
	sb.last_activity_at = 1795860300; /* after a keep-awake report */
	j = ns_api_sandbox_json(&sb);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "last_activity_at")),
	                    "2026-11-28T10:05:00Z");
	json_decref(j);
	strcpy(sb.state, "stopped");
	strcpy(sb.stop_reason, "timeout");
	j = ns_api_sandbox_json(&sb);
	assert_string_equal(json_string_value(json_object_get(j, "stop_reason")), "timeout");
	json_decref(j);

	config(&cfg);
	memset(&m, 0, sizeof(m));
	strcpy(m.access_id, "acc_0123456789abcdefghijklmn");
	strcpy(m.cert_line, NS_CERT_ALG " AAAA acc_0123456789abcdefghijklmn");
	m.expires_at = 1795860600;
	j = ns_api_access_json(&cfg, SB, &m);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 7);
	assert_string_equal(json_string_value(json_object_get(j, "access_id")), m.access_id);
	assert_string_equal(json_string_value(json_object_get(j, "sandbox_id")), SB);
	assert_string_equal(json_string_value(json_object_get(j, "user")), SB);
	assert_string_equal(json_string_value(json_object_get(j, "certificate")), m.cert_line);
	assert_string_equal(json_string_value(json_object_get(j, "expires_at")),
	                    "2026-11-28T10:10:00Z");
	relay_j = json_object_get(j, "relay");
	assert_true(json_is_object(relay_j));
	assert_int_equal(json_object_size(relay_j), 4);
	assert_string_equal(json_string_value(json_object_get(relay_j, "host")), "127.0.0.1");
	assert_int_equal(json_integer_value(json_object_get(relay_j, "port")), 2222);
	assert_int_equal(ns_key_to_line(relay.pk, NULL, key, sizeof(key)), 0);
	assert_string_equal(json_string_value(json_object_get(relay_j, "host_key")), key);
	assert_non_null(strstr(json_string_value(json_object_get(relay_j, "known_hosts")),
	                       "[127.0.0.1]:2222 ssh-ed25519 AAAA"));
	assert_non_null(
	    strstr(json_string_value(json_object_get(j, "command")), "-p 2222 " SB "@127.0.0.1"));
	assert_null(json_object_get(j, "websocket_url")); /* no listener, no URL */
	json_decref(j);
	/* with the WebSocket listener: the URL signed for this sandbox and the
	 * access's expiry, the pin null on plain ws */
	cfg.ws_hostport = "127.0.0.1:8781";
	cfg.ws_secret = (const uint8_t *)"0123456789abcdef0123456789abcdef";
	cfg.ws_secret_len = 32;
	assert_int_equal(ns_ws_url_make(0, cfg.ws_hostport, SB, 1795860600, cfg.ws_secret,
	                                cfg.ws_secret_len, want_url, sizeof(want_url)),
	                 0);
	j = ns_api_access_json(&cfg, SB, &m);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 9);
	assert_string_equal(json_string_value(json_object_get(j, "websocket_url")), want_url);
	assert_non_null(
	    strstr(want_url, "ws://127.0.0.1:8781/v1/sandboxes/" SB "/ssh?exp=1795860600&sig="));
	assert_true(json_is_null(json_object_get(j, "websocket_tls_sha256")));
	json_decref(j);
	cfg.ws_tls = 1;
	cfg.ws_tls_sha256 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
	j = ns_api_access_json(&cfg, SB, &m);
	assert_non_null(strstr(json_string_value(json_object_get(j, "websocket_url")), "wss://"));
	assert_string_equal(json_string_value(json_object_get(j, "websocket_tls_sha256")),
	                    cfg.ws_tls_sha256);
	json_decref(j);

	/* error replies are printable ASCII JSON */
	memset(&r, 0, sizeof(r));
	ns_api_reply_error(&r, 400, "bad\n\"thing\" \xff");
	assert_int_equal(r.status, 400);
	assert_string_equal(r.body, "{\"error\":\"bad?\\\"thing\\\" ?\"}\n");
	ns_api_reply_clear(&r);
	assert_null(r.body);
	ns_api_reply_json(&r, 200, NULL);
	assert_int_equal(r.status, 500);
	ns_api_reply_clear(&r);
	/* answers holding credentials: same text, wiped when cleared */
	r.secret = 1;
	ns_api_reply_json(&r, 201, json_pack("{s:s}", "certificate", "c"));
	assert_int_equal(r.status, 201);
	assert_string_equal(r.body, "{\"certificate\":\"c\"}\n");
	assert_int_equal(r.len, strlen(r.body));
	ns_api_reply_clear(&r);
	assert_null(r.body);
	assert_int_equal(r.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_health),        cmocka_unit_test(test_auth),
	    cmocka_unit_test(test_routes),        cmocka_unit_test(test_bodies),
	    cmocka_unit_test(test_too_big),       cmocka_unit_test(test_log),
	    cmocka_unit_test(test_start_errors),  cmocka_unit_test(test_known_hosts_and_command),
	    cmocka_unit_test(test_json_builders), cmocka_unit_test(test_clean_exit),
	};
	static resp r;
	int rc;

	R = &r;
	rc = cmocka_run_group_tests(tests, setup, teardown);
	return rc;
}
