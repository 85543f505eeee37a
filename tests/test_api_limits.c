/* Tests for the API server's limits under attack (api/server_conn.c and the
 * checks in api/server.c): the total and per-address connection caps, the
 * header and body deadlines against clients trickling a byte at a
 * time, control bytes in URLs and headers refused before routing (%00 once
 * cut a path short), and the running-sandboxes cap through a real runtime.
 * A forked child serves on 127.0.0.1 with small limits; clients speak raw
 * HTTP from chosen 127.0.0.x source addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <sodium.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib_http.h"
#include "lib_port.h"
#include "nullspace/error.h"
#include "runtime.h"
#include "server_int.h"

#define SB "sb_4k2j9x0q1m7a"
#define MAX_CONNS 8
#define PER_ADDRESS 3
#define HEADER_MS 1500
#define BODY_MS 2500
#define EVICT_MS 500
#define RESP_MAX 8192

typedef struct server {
	pid_t pid;
	unsigned port;
	char log_path[64];
	int log_fd;
	char dir[64]; /* the runtime's folder, "" without one */
} server;

static ns_key ca, relay;
static ns_apikeys keys;
static char api_key[NS_APIKEY_LEN + 1];
static server main_srv = {.pid = -1, .log_fd = -1};
static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static int log_fd_of_child = -1;

static void log_line(void *ud, const char *line)
{
	(void)ud;
	dprintf(log_fd_of_child, "%s\n", line);
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p) != 0 && errno != ENOENT;
}

/* The child: a runtime (when max_sandboxes > 0) and the server, until SIGTERM. */
static void serve(ns_api_server_config *cfg, const server *sv, uint32_t max_sandboxes)
{
	char sbdir[128], regdir[128], line[NS_KEY_LINE_MAX], err[512];
	ns_runtime_config rc;
	ns_runtime *rt = NULL;
	ns_api_server *s = NULL;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGTERM, on_term);
	log_fd_of_child = sv->log_fd;
	if (max_sandboxes > 0) {
		memset(&rc, 0, sizeof(rc));
		snprintf(sbdir, sizeof(sbdir), "%s/sandboxes", sv->dir);
		snprintf(regdir, sizeof(regdir), "%s/registry", sv->dir);
		if (ns_key_to_line(relay.pk, "relay", line, sizeof(line)) != 0) {
			_exit(3);
		}
		rc.exe = getenv("NULLSPACE");
		rc.sandboxes_dir = sbdir;
		rc.registry_dir = regdir;
		rc.relay_client_key_line = line;
		rc.max_sandboxes = max_sandboxes;
		rc.log = log_line;
		if (ns_runtime_open(&rc, &rt, err, sizeof(err)) != 0) {
			dprintf(sv->log_fd, "runtime: %s\n", err);
			_exit(3);
		}
		cfg->runtime = rt;
	}
	if (ns_api_server_start(cfg, &s, err, sizeof(err)) != 0) {
		dprintf(sv->log_fd, "start: %s\n", err);
		ns_runtime_close(rt);
		_exit(2);
	}
	while (!stopping) {
		ns_api_server_run(s, 200);
		if (rt != NULL) {
			ns_runtime_tick(rt, (int64_t)time(NULL));
		}
	}
	ns_api_server_stop(s);
	ns_runtime_close(rt);
	ns_apikeys_free(&keys);
	exit(0); /* cleanly: LeakSanitizer checks the server side too */
}

/* Starts a server on a fresh port: 0 once it answers. */
static int start(server *sv, const ns_api_server_config *base, uint32_t max_sandboxes)
{
	ns_api_server_config cfg = *base;
	int i, fd;

	snprintf(sv->log_path, sizeof(sv->log_path), "/tmp/ns_api_limits_log_XXXXXX");
	if ((sv->log_fd = mkstemp(sv->log_path)) < 0) {
		return -1;
	}
	sv->port = ns_port_unused();
	cfg.listen_port = sv->port;
	if ((sv->pid = fork()) < 0) {
		return -1;
	}
	if (sv->pid == 0) {
		serve(&cfg, sv, max_sandboxes);
	}
	for (i = 0; i < 200; i++) { /* up to 20 s: a runtime under ASan is slow */
		if ((fd = ns_http_dial("127.0.0.1", sv->port)) >= 0) {
			close(fd);
			return 0;
		}
		if (waitpid(sv->pid, NULL, WNOHANG) == sv->pid) {
			sv->pid = -1;
			return -1;
		}
		ns_http_sleep_ms(100);
	}
	return -1;
}

/* Stops the server: its exit status (0: clean, no leak). */
static int stop(server *sv)
{
	int status = -1;

	if (sv->pid > 0) {
		kill(sv->pid, SIGTERM);
		waitpid(sv->pid, &status, 0);
		sv->pid = -1;
	}
	if (sv->log_fd >= 0) {
		close(sv->log_fd);
		unlink(sv->log_path);
		sv->log_fd = -1;
	}
	if (sv->dir[0] != '\0') {
		nftw(sv->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		sv->dir[0] = '\0';
	}
	return status;
}

static void config(ns_api_server_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen_host = "127.0.0.1";
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
	char hex[2 * NS_APIKEY_HASH_LEN + 2];
	ns_api_server_config cfg;
	int line;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0 || ns_key_generate(&ca, "ca") != 0 ||
	    ns_key_generate(&relay, "relay") != 0) {
		return -1;
	}
	ns_apikey_generate(api_key);
	ns_apikey_hash(api_key, strlen(api_key), h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	if (ns_apikeys_parse(hex, strlen(hex), &keys, &line) != 0) {
		return -1;
	}
	config(&cfg);
	cfg.max_connections = MAX_CONNS;
	cfg.max_per_address = PER_ADDRESS;
	cfg.header_deadline_ms = HEADER_MS;
	cfg.body_deadline_ms = BODY_MS;
	cfg.evict_age_ms = EVICT_MS;
	return start(&main_srv, &cfg, 0);
}

static int teardown(void **state)
{
	(void)state;
	stop(&main_srv);
	ns_apikeys_free(&keys);
	return 0;
}

static int health(const char *src, char *out, size_t cap)
{
	static const char req[] = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n";

	return ns_http_request(src, main_srv.port, req, sizeof(req) - 1, out, cap);
}

/* Waits (up to 5 s) until the server answers health from src again. */
static void settle(const char *src)
{
	char out[RESP_MAX];
	int i;

	for (i = 0; i < 50 && health(src, out, sizeof(out)) != 200; i++) {
		ns_http_sleep_ms(100);
	}
	assert_int_equal(health(src, out, sizeof(out)), 200);
}

static int log_has(const server *sv, const char *needle)
{
	static char text[1 << 20];
	ssize_t n = pread(sv->log_fd, text, sizeof(text) - 1, 0);

	text[n > 0 ? n : 0] = '\0';
	return strstr(text, needle) != NULL;
}

static void test_health_closes(void **state)
{
	char out[RESP_MAX];
	int64_t t0 = ns_http_now_ms();

	(void)state;
	assert_int_equal(health("127.0.0.2", out, sizeof(out)), 200);
	assert_true(ns_http_now_ms() - t0 < 2000);
	/* one request a connection: nothing idle keeps a slot */
	assert_non_null(strcasestr(out, "\r\nConnection: close\r\n"));
}

/* Opens n connections from src, each with a request line sent and no more. */
static void hold(int *fds, int n, const char *src)
{
	static const char part[] = "GET /v1/health HTTP/1.1\r\n";
	int i;

	for (i = 0; i < n; i++) {
		fds[i] = ns_http_dial(src, main_srv.port);
		assert_true(fds[i] >= 0);
		ns_http_send(fds[i], part, sizeof(part) - 1);
	}
}

static void release(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		close(fds[i]);
	}
}

static void test_per_address(void **state)
{
	char out[RESP_MAX];
	int fds[PER_ADDRESS], extra;
	int64_t t0;

	(void)state;
	hold(fds, PER_ADDRESS, "127.0.0.3");
	ns_http_sleep_ms(100); /* all accepted */
	/* one more from the same address is closed at once, without an answer */
	extra = ns_http_dial("127.0.0.3", main_srv.port);
	assert_true(extra >= 0);
	assert_int_equal(ns_http_closed_within(extra, 800, out, sizeof(out)), 1);
	assert_string_equal(out, "");
	close(extra);
	/* another address is served at once */
	t0 = ns_http_now_ms();
	assert_int_equal(health("127.0.0.4", out, sizeof(out)), 200);
	assert_true(ns_http_now_ms() - t0 < 800);
	release(fds, PER_ADDRESS);
	assert_true(log_has(
	    &main_srv, "api: event=refused reason=per-address-limit peer=127.0.0.3 limit=3\n"));
	settle("127.0.0.3");
}

static const char *const FILL[MAX_CONNS] = {
    "127.0.0.5", "127.0.0.5", "127.0.0.5", "127.0.0.6",
    "127.0.0.6", "127.0.0.6", "127.0.0.7", "127.0.0.7",
};

/* The newcomer from 127.0.0.8 is closed at once, unanswered. */
static void refused(void)
{
	char out[RESP_MAX];
	int extra = ns_http_dial("127.0.0.8", main_srv.port);

	assert_true(extra >= 0);
	assert_int_equal(ns_http_closed_within(extra, 400, out, sizeof(out)), 1);
	assert_string_equal(out, "");
	close(extra);
}

/* Every slot taken by connections stalled in their headers: a newcomer is
 * refused while they are young, then makes room by evicting the oldest. */
static void test_total_evict(void **state)
{
	char out[RESP_MAX];
	int fds[MAX_CONNS], i;

	(void)state;
	for (i = 0; i < MAX_CONNS; i++) {
		hold(&fds[i], 1, FILL[i]);
	}
	ns_http_sleep_ms(50);
	refused();
	assert_true(log_has(&main_srv,
	                    "api: event=refused reason=connection-limit peer=127.0.0.8 limit=8\n"));
	ns_http_sleep_ms(EVICT_MS);
	assert_int_equal(health("127.0.0.8", out, sizeof(out)), 200);
	assert_int_equal(ns_http_closed_within(fds[0], 500, out, sizeof(out)), 1);
	assert_true(
	    log_has(&main_srv, "api: event=closed reason=evicted peer=127.0.0.5 limit=8\n"));
	release(fds, MAX_CONNS);
	settle("127.0.0.8");
}

/* Connections past their headers (which takes a key) are not evicted. */
static void test_total_bodies(void **state)
{
	char head[256];
	int fds[MAX_CONNS], i;

	(void)state;
	snprintf(head, sizeof(head),
	         "POST /v1/sandboxes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
	         "Content-Length: 100\r\n\r\n{",
	         api_key);
	for (i = 0; i < MAX_CONNS; i++) {
		fds[i] = ns_http_dial(FILL[i], main_srv.port);
		assert_true(fds[i] >= 0);
		ns_http_send(fds[i], head, strlen(head));
	}
	ns_http_sleep_ms(EVICT_MS + 100);
	refused();
	release(fds, MAX_CONNS);
	settle("127.0.0.8");
}

static void test_header_deadline(void **state)
{
	char out[RESP_MAX];
	int fd = ns_http_dial("127.0.0.9", main_srv.port);
	long ms;

	(void)state;
	assert_true(fd >= 0);
	ms =
	    ns_http_trickle(fd, "GET /v1/health HTTP/1.1\r\nX-Slow: ", 'a', 5000, out, sizeof(out));
	close(fd);
	assert_true(ms >= HEADER_MS - 200 && ms < HEADER_MS + 2500);
	assert_string_equal(out, "");
	assert_true(log_has(
	    &main_srv, "api: event=closed reason=header-deadline peer=127.0.0.9 limit=1500\n"));
	settle("127.0.0.9");
}

static void test_body_deadline(void **state)
{
	char out[RESP_MAX], head[256];
	int fd = ns_http_dial("127.0.0.10", main_srv.port);
	long ms;

	(void)state;
	assert_true(fd >= 0);
	snprintf(head, sizeof(head),
	         "POST /v1/sandboxes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
	         "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{",
	         api_key);
	ms = ns_http_trickle(fd, head, ' ', 6000, out, sizeof(out));
	close(fd);
	assert_true(ms >= BODY_MS - 200 && ms < BODY_MS + 2500);
	assert_true(log_has(&main_srv,
	                    "api: event=closed reason=body-deadline peer=127.0.0.10 limit=2500\n"));
	settle("127.0.0.10");
}

/* An answer given early (401 from the headers) while the body still
 * trickles in: sent, and the connection closed, at once. */
static void test_early_answer(void **state)
{
	static const char head[] = "POST /v1/sandboxes HTTP/1.1\r\nHost: x\r\n"
	                           "Content-Length: 100000\r\n\r\n{";
	char out[RESP_MAX];
	int fd = ns_http_dial("127.0.0.11", main_srv.port);
	long ms;

	(void)state;
	assert_true(fd >= 0);
	ms = ns_http_trickle(fd, head, ' ', 6000, out, sizeof(out));
	close(fd);
	assert_true(ms >= 0 && ms < 1000);
	assert_non_null(strstr(out, "HTTP/1.1 401 "));
	assert_true(log_has(&main_srv, "api: POST /v1/sandboxes 401\n"));
	settle("127.0.0.11");
}

typedef struct ctl_case {
	const char *line; /* request line, with "%k" where the key header goes */
	const char *header;
	int status;
} ctl_case;

static void test_control_bytes(void **state)
{
	static const ctl_case cases[] = {
	    /* %00 once routed this as DELETE /v1/sandboxes/sb_4k2j9x0q1m7a */
	    {"DELETE /v1/sandboxes/" SB "%00x_notreal", NULL, 400},
	    {"POST /v1/sandboxes/" SB "%00/kill", NULL, 400},
	    {"GET /v1/health%00", NULL, 400},
	    {"GET /v1/health%0a", NULL, 400},
	    {"GET /v1/health%7F", NULL, 400},
	    {"GET /v1/health?x=%00", NULL, 400},
	    {"GET /v1/health?%0d=1", NULL, 400},
	    {"GET /v1/he\x01lth", NULL, 400},
	    {"GET /v1/health\x7f", NULL, 400},
	    {"GET /v1/health\x1b", NULL, 400},
	    {"GET /v1/health", "X-Note: a\x01z", 400},
	    {"GET /v1/health", "X-Note: a\x7fz", 400},
	    {"GET /v1/sandboxes", "X-Note: a\x02z", 400},
	    /* what is fine stays fine */
	    {"GET /v1/health", "X-Note: a\tz", 200},
	    {"GET /v1/health?x=%2500", NULL, 200},
	    {"GET /v1/health?x=%20%ff", NULL, 200},
	    {"GET /v1/sandboxes/%73b_4k2j9x0q1m7a", NULL, 500}, /* decoded: no runtime */
	};
	char req[1024], out[RESP_MAX];
	size_t i;
	int st;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(req, sizeof(req),
		         "%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n%s%s\r\n",
		         cases[i].line, api_key, cases[i].header != NULL ? cases[i].header : "",
		         cases[i].header != NULL ? "\r\n" : "");
		st = ns_http_request("127.0.0.12", main_srv.port, req, strlen(req), out,
		                     sizeof(out));
		if (st != cases[i].status) {
			fail_msg("case %zu (%s): status %d, want %d", i, cases[i].line, st,
			         cases[i].status);
		}
		if (st == 400) {
			assert_non_null(strstr(out, "\"error\":\""));
		}
	}
	assert_true(log_has(&main_srv, "api: DELETE /v1/sandboxes/" SB
	                               "%00x_notreal 400 reason=control-byte-in-url\n"));
	assert_true(log_has(&main_srv, "api: GET /v1/he?lth 400 reason=control-byte-in-url\n"));
	assert_true(log_has(&main_srv, "api: GET /v1/health 400 reason=control-byte-in-header\n"));
}

/* The cap on running sandboxes, through a real runtime (NULLSPACE names the
 * binary agents run from) capped at 1. */
static server sv = {.pid = -1, .log_fd = -1}; /* test_sandbox_limit's, with a runtime */

static void test_sandbox_limit(void **state)
{
	ns_api_server_config cfg;
	char req[512], out[RESP_MAX], id[NS_API_ID_MAX + 1];
	const char *p;

	(void)state;
	if (getenv("NULLSPACE") == NULL || access(getenv("NULLSPACE"), X_OK) != 0) {
		skip();
	}
	memset(&sv, 0, sizeof(sv));
	sv.log_fd = -1;
	snprintf(sv.dir, sizeof(sv.dir), "/tmp/ns_api_limits.XXXXXX");
	assert_non_null(mkdtemp(sv.dir));
	config(&cfg);
	assert_int_equal(start(&sv, &cfg, 1), 0);
	snprintf(req, sizeof(req),
	         "POST /v1/sandboxes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
	         "Content-Length: 2\r\n\r\n{}",
	         api_key);
	assert_int_equal(ns_http_request("127.0.0.13", sv.port, req, strlen(req), out, sizeof(out)),
	                 201);
	p = strstr(out, "\"id\":\"");
	assert_non_null(p);
	snprintf(id, sizeof(id), "%.*s", NS_API_ID_MAX, p + 6);
	id[strcspn(id, "\"")] = '\0';
	assert_int_equal(ns_http_request("127.0.0.13", sv.port, req, strlen(req), out, sizeof(out)),
	                 429);
	assert_non_null(strstr(out, "too many sandboxes running"));
	assert_true(log_has(&sv, "api: POST /v1/sandboxes 429 reason=sandbox-limit\n"));
	/* a killed one frees its slot */
	snprintf(req, sizeof(req),
	         "DELETE /v1/sandboxes/%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
	         id, api_key);
	assert_int_equal(ns_http_request("127.0.0.13", sv.port, req, strlen(req), out, sizeof(out)),
	                 200);
	snprintf(req, sizeof(req),
	         "POST /v1/sandboxes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
	         "Content-Length: 2\r\n\r\n{}",
	         api_key);
	assert_int_equal(ns_http_request("127.0.0.13", sv.port, req, strlen(req), out, sizeof(out)),
	                 201);
	assert_int_equal(stop(&sv), 0);
}

/* Stops the runtime's server even when a check above failed. */
static int stop_sv(void **state)
{
	(void)state;
	stop(&sv);
	return 0;
}

/* Last: the server stops cleanly, every connection's entry freed (the
 * child's LeakSanitizer would make its exit status nonzero). */
static void test_clean_exit(void **state)
{
	int fds[2], status;

	(void)state;
	hold(fds, 2, "127.0.0.14"); /* open at the stop: their entries freed too */
	ns_http_sleep_ms(100);
	status = stop(&main_srv);
	release(fds, 2);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_health_closes),
	    cmocka_unit_test(test_per_address),
	    cmocka_unit_test(test_total_evict),
	    cmocka_unit_test(test_total_bodies),
	    cmocka_unit_test(test_header_deadline),
	    cmocka_unit_test(test_body_deadline),
	    cmocka_unit_test(test_early_answer),
	    cmocka_unit_test(test_control_bytes),
	    cmocka_unit_test_teardown(test_sandbox_limit, stop_sv),
	    cmocka_unit_test(test_clean_exit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
