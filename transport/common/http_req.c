/* A strict reader of an HTTP/1.x request head (RFC 9112 section 2-3): the
 * request line "METHOD SP /target SP HTTP/1.x CRLF", header lines of
 * visible bytes with a colon, a blank line. CRLF only; nothing decoded. */
#include <string.h>

#include "http_req.h"
#include "nullspace/error.h"

static int fault(const char **why, const char *what, int rc)
{
	*why = what;
	return rc;
}

static int tchar(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* The request line, p..p+n (its CRLF off). */
static int request_line(const uint8_t *p, size_t n, ns_http_req *req, const char **why)
{
	size_t i = 0, start;

	while (i < n && tchar(p[i])) { /* method */
		i++;
	}
	if (i == 0 || i >= n || p[i] != ' ') {
		return fault(why, "bad-method", NS_ERR_FORMAT);
	}
	if (i > NS_HTTP_REQ_METHOD_MAX) {
		return fault(why, "method-too-long", NS_ERR_TOOBIG);
	}
	memcpy(req->method, p, i);
	start = ++i; /* SP, then the target: visible bytes, origin form */
	while (i < n && p[i] > 0x20 && p[i] < 0x7f) {
		i++;
	}
	if (i == start || p[start] != '/' || i >= n || p[i] != ' ') {
		return fault(why, "bad-target", NS_ERR_FORMAT);
	}
	if (i - start > NS_HTTP_REQ_TARGET_MAX) {
		return fault(why, "target-too-long", NS_ERR_TOOBIG);
	}
	memcpy(req->target, p + start, i - start);
	i++; /* SP, then exactly "HTTP/1.0" or "HTTP/1.1" */
	if (n - i != 8 || memcmp(p + i, "HTTP/1.", 7) != 0 ||
	    (p[i + 7] != '0' && p[i + 7] != '1')) {
		return fault(why, "bad-version", NS_ERR_FORMAT);
	}
	req->minor = p[i + 7] - '0';
	return 0;
}

/* A header line: a token, a colon, then visible bytes, spaces and tabs. */
static int header_line(const uint8_t *p, size_t n, const char **why)
{
	size_t i = 0;

	while (i < n && tchar(p[i])) {
		i++;
	}
	if (i == 0 || i >= n || p[i] != ':') {
		return fault(why, "bad-header", NS_ERR_FORMAT);
	}
	for (i++; i < n; i++) {
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f) {
			return fault(why, "bad-header", NS_ERR_FORMAT);
		}
	}
	return 0;
}

int ns_http_req_parse(const uint8_t *buf, size_t len, ns_http_req *req, size_t *head_len,
                      const char **why)
{
	size_t off = 0, end, line = 0;
	int rc;

	memset(req, 0, sizeof(*req));
	*head_len = 0;
	*why = "";
	for (;;) {
		for (end = off; end < len && end < NS_HTTP_REQ_HEAD_MAX && buf[end] != '\n';
		     end++) {
		}
		if (end >= NS_HTTP_REQ_HEAD_MAX) {
			return fault(why, "head-too-large", NS_ERR_TOOBIG);
		}
		if (end == len) {
			return NS_ERR_AGAIN;
		}
		if (end == off || buf[end - 1] != '\r') {
			return fault(why, "bare-lf", NS_ERR_FORMAT);
		}
		if (end - 1 == off && line > 0) { /* the blank line */
			*head_len = end + 1;
			return 0;
		}
		rc = line == 0 ? request_line(buf + off, end - 1 - off, req, why)
		               : header_line(buf + off, end - 1 - off, why);
		if (rc != 0) {
			return rc;
		}
		line++;
		off = end + 1;
	}
}
