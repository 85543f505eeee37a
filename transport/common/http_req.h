/* The head of a plain HTTP/1.x request, read with strict limits: enough for
 * an operator's admin endpoint (the relay's /healthz and /metrics), which
 * answers GET and closes. Headers are checked for shape and skipped. */
#ifndef NS_TRANSPORT_HTTP_REQ_H
#define NS_TRANSPORT_HTTP_REQ_H

#include <stddef.h>
#include <stdint.h>

#define NS_HTTP_REQ_HEAD_MAX 4096  /* request line and headers, bytes */
#define NS_HTTP_REQ_METHOD_MAX 16  /* a method token, bytes */
#define NS_HTTP_REQ_TARGET_MAX 256 /* the request target, bytes */

typedef struct ns_http_req {
	char method[NS_HTTP_REQ_METHOD_MAX + 1];
	char target[NS_HTTP_REQ_TARGET_MAX + 1]; /* origin form: starts with '/' */
	int minor;                               /* HTTP/1.minor: 0 or 1 */
} ns_http_req;

/* Read a request head from buf (len bytes): 0 with req and *head_len (up
 * to and with the blank line) once whole; NS_ERR_AGAIN while it may still
 * come; NS_ERR_TOOBIG past NS_HTTP_REQ_HEAD_MAX or a field's limit;
 * NS_ERR_FORMAT for anything else. *why names the fault for the log
 * ("bare-lf", "bad-method", "bad-target", "bad-version", "bad-header",
 * "head-too-large", "method-too-long", "target-too-long"). */
int ns_http_req_parse(const uint8_t *buf, size_t len, ns_http_req *req, size_t *head_len,
                      const char **why);

#endif
