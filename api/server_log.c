/* The API server's log: one line per request (method, path, status and,
 * for minted access, the access id, for a refusal its reason; never a
 * header, a body or a key), one per connection refused or closed by a
 * limit, and libmicrohttpd's own messages, to the configured sink or stderr. */
#include <stdio.h>
#include <string.h>

#include "server_int.h"
#include "log_str.h"

#define LOG_LINE_MAX 512
#define LOG_PATH_MAX 200
#define LOG_METHOD_MAX 15

static void emit(const ns_api_server_config *cfg, const char *line)
{
	if (cfg->log != NULL) {
		cfg->log(cfg->log_ud, line);
	} else {
		fprintf(stderr, "%s\n", line);
	}
}

void ns_api_log_line(const ns_api_server_config *cfg, const char *line)
{
	emit(cfg, line);
}

void ns_api_log_request(const ns_api_server_config *cfg, const char *method, const char *url,
                        const ns_api_reply *r)
{
	char m[LOG_METHOD_MAX + 1], path[LOG_PATH_MAX + 1], line[LOG_LINE_MAX];

	ns_log_cstr(method, m, sizeof(m)); /* what a client sends must not forge log lines */
	ns_log_cstr(url, path, sizeof(path));
	if (r->access_id[0] != '\0') {
		snprintf(line, sizeof(line), "api: %s %s %u access=%s", m, path, r->status,
		         r->access_id);
	} else if (r->reason != NULL) {
		snprintf(line, sizeof(line), "api: %s %s %u reason=%s", m, path, r->status,
		         r->reason);
	} else {
		snprintf(line, sizeof(line), "api: %s %s %u", m, path, r->status);
	}
	emit(cfg, line);
}

void ns_api_log_limit(const ns_api_server_config *cfg, const char *event, const char *reason,
                      const char *peer, unsigned limit)
{
	char line[LOG_LINE_MAX];

	snprintf(line, sizeof(line), "api: event=%s reason=%s peer=%s limit=%u", event, reason,
	         peer, limit);
	emit(cfg, line);
}

void ns_api_log_mhd(void *cls, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX - 8], line[LOG_LINE_MAX];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) {
		msg[--n] = '\0';
	}
	snprintf(line, sizeof(line), "api: %s", msg);
	emit(cls, line);
}
