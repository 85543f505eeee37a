/* Bodies of the Commands and Files API requests, parsed without I/O
 * (fuzzed by fuzz/fuzz_api_files.c), and the shell-quoted command lines
 * they become inside the sandbox (`nullspace sandbox-helper ...`). */
#ifndef NS_API_REQUEST_FILES_H
#define NS_API_REQUEST_FILES_H

#include <stddef.h>
#include <stdint.h>

#define NS_API_COMMAND_TIMEOUT_DEFAULT 60 /* seconds */
#define NS_API_COMMAND_TIMEOUT_MAX 3600
#define NS_API_COMMAND_OUTPUT_MAX (16 * 1024 * 1024) /* bytes per stream, non-streaming */
#define NS_API_COMMAND_ENV_MAX 64                    /* variables */
#define NS_API_COMMAND_LINE_MAX (16 * 1024)          /* the quoted command line */

typedef struct ns_command_request {
	char *line;       /* malloc'd: the helper's command line, quoted */
	uint32_t timeout; /* seconds */
} ns_command_request;

/* {"cmd": "...", "env": {"K": "V"}, "cwd": "/path", "timeout": s} into the
 * helper's command line for exe. 0, NS_ERR_FORMAT, NS_ERR_INVALID or
 * NS_ERR_TOOBIG with *why for the client. */
int ns_api_parse_command(const char *body, size_t len, const char *exe, ns_command_request *out,
                         const char **why);
void ns_command_request_free(ns_command_request *r);

typedef struct ns_files_url_request {
	char path[4097];
	int upload;
	int expires_in_minutes;
} ns_files_url_request;
/* {"path": P, "upload": false, "expires_in_minutes": 10}. */
int ns_api_parse_files_url(const char *body, size_t len, ns_files_url_request *out,
                           const char **why);

/* `'exe' sandbox-helper OP 'arg'...` (args: n strings): a malloc'd line, or
 * NULL when out of memory or over NS_API_COMMAND_LINE_MAX. */
char *ns_api_helper_line(const char *exe, const char *op, const char *const *args, size_t n);

#endif
