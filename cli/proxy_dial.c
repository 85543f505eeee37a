/* How `nullspace proxy` reaches the relay (its WebSocket listener, or its
 * SSH port for tcp://): straight, or through an HTTP proxy's CONNECT tunnel
 * when the environment names one (https_proxy/HTTPS_PROXY; for ws:// first
 * http_proxy/HTTP_PROXY) and NO_PROXY does not exempt the host. The
 * proxy's credentials (user:pass in its URL) go only into
 * Proxy-Authorization, never into a message. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "file.h"
#include "http_connect.h"
#include "net.h"
#include "nullspace/error.h"
#include "proxy_int.h"

/* The first non-empty of the variables, and its name. */
static const char *env_first(const char *const *names, const char **name)
{
	const char *v;
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		if ((v = getenv(names[i])) != NULL && v[0] != '\0') {
			*name = names[i];
			return v;
		}
	}
	return NULL;
}

/* The proxy's reply head, a byte at a time (the tunnel's bytes stay in the
 * socket); 0 with *status, or -1 (the reason in err). */
static int read_reply(int fd, const char *what, int timeout_ms, int *status, char *err, size_t cap)
{
	uint8_t head[NS_HTTP_CONNECT_HEAD_MAX];
	struct pollfd pf = {fd, POLLIN, 0};
	size_t len = 0, hl = 0, i;
	const char *why = NULL;
	ssize_t k;
	int rc = NS_ERR_AGAIN;

	while (rc == NS_ERR_AGAIN && len < sizeof(head)) {
		if (poll(&pf, 1, timeout_ms) <= 0) {
			snprintf(err, cap, "no answer from the HTTP proxy %s", what);
			return -1;
		}
		k = read(fd, head + len, 1);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			snprintf(err, cap, "the HTTP proxy %s closed the connection", what);
			return -1;
		}
		len++;
		rc = ns_http_connect_reply(head, len, status, &hl, &why);
	}
	if (rc != 0) {
		snprintf(err, cap, "a broken answer from the HTTP proxy %s (%s)", what,
		         why != NULL ? why : "too long");
		return -1;
	}
	if (*status < 200 || *status > 299) {
		for (i = 0; i < hl && head[i] >= 0x20 && head[i] < 0x7f && i < 120; i++) {
		}
		snprintf(err, cap, "the HTTP proxy %s refused the tunnel: %.*s", what, (int)i,
		         (const char *)head);
		return -1;
	}
	return 0;
}

/* CONNECT host:port through p; the tunnel's fd, or a NS_CLI_DIAL_* code. */
static int tunnel(const ns_http_proxy *p, const char *var, const char *host, uint16_t port,
                  int timeout_ms, int *status, char *err, size_t cap)
{
	char req[NS_HTTP_CONNECT_REQ_MAX], e[256], what[NS_HTTP_PROXY_HOST_MAX + 64];
	int fd, n, rc;

	snprintf(what, sizeof(what), "%s%s%s:%u (%s)", strchr(p->host, ':') ? "[" : "", p->host,
	         strchr(p->host, ':') ? "]" : "", (unsigned)p->port, var);
	if ((fd = ns_net_connect_ms(p->host, p->port, timeout_ms, e, sizeof(e))) < 0) {
		snprintf(err, cap, "cannot reach the HTTP proxy %s: %s", what, e);
		return NS_CLI_DIAL_UNREACH;
	}
	n = ns_http_connect_request(p, host, port, req, sizeof(req));
	rc = n > 0 && ns_file_write_all(fd, req, (size_t)n) == 0 ? 0 : -1;
	sodium_memzero(req, sizeof(req));
	if (rc != 0) {
		snprintf(err, cap, "cannot talk to the HTTP proxy %s", what);
		close(fd);
		return NS_CLI_DIAL_UNREACH;
	}
	if (read_reply(fd, what, timeout_ms, status, err, cap) != 0) {
		close(fd);
		return *status != 0 ? NS_CLI_DIAL_REFUSED : NS_CLI_DIAL_UNREACH;
	}
	return fd;
}

int ns_cli_proxy_dial(const char *host, uint16_t port, int tls, int timeout_ms, int *status,
                      char *err, size_t cap)
{
	static const char *const for_ws[] = {"http_proxy", "HTTP_PROXY", "https_proxy",
	                                     "HTTPS_PROXY", NULL};
	static const char *const for_wss[] = {"https_proxy", "HTTPS_PROXY", NULL};
	static const char *const no[] = {"no_proxy", "NO_PROXY", NULL};
	const char *var = NULL, *nvar = NULL, *url = env_first(tls ? for_wss : for_ws, &var);
	const char *np = env_first(no, &nvar);
	ns_http_proxy p;
	int fd;

	*status = 0;
	if (url != NULL && !ns_http_no_proxy(np, host, port)) {
		if (ns_http_proxy_parse(url, &p) != 0) {
			snprintf(err, cap, "%s is not an http://[user:pass@]host:port proxy URL",
			         var);
			return NS_CLI_DIAL_USAGE;
		}
		fd = tunnel(&p, var, host, port, timeout_ms, status, err, cap);
		sodium_memzero(&p, sizeof(p));
		return fd;
	}
	if ((fd = ns_net_connect_ms(host, port, timeout_ms, err, cap)) < 0) {
		return NS_CLI_DIAL_UNREACH;
	}
	return fd;
}
