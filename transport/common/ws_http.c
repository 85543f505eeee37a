/* The WebSocket upgrade request: "GET target HTTP/1.1" and headers, each
 * line and the whole head capped, header names matched case-insensitively,
 * Upgrade / Connection read as token lists; the four upgrade headers are
 * required, Sec-WebSocket-Key exactly once and 16 bytes of base64. */
#include <string.h>
#include <strings.h>

#include <bearssl.h>
#include <sodium.h>

#include "nullspace/error.h"
#include "ws_http.h"

typedef struct seen {
	int upgrade, connection, version, key, host;
} seen;

static int is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* 1 when the comma-separated list v (n bytes) holds token tok. */
static int has_token(const char *v, size_t n, const char *tok)
{
	size_t i = 0, s, e, tl = strlen(tok);

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) {
			i++;
		}
		s = i;
		while (i < n && v[i] != ',') {
			i++;
		}
		e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t')) {
			e--;
		}
		if (e - s == tl && strncasecmp(v + s, tok, tl) == 0) {
			return 1;
		}
	}
	return 0;
}

static int name_is(const char *l, size_t nl, const char *name)
{
	return nl == strlen(name) && strncasecmp(l, name, nl) == 0;
}

static int key_ok(const char *v, size_t n)
{
	uint8_t raw[NS_WS_KEY_LEN];
	size_t got = 0;

	return n == NS_WS_KEY_LEN &&
	       sodium_base642bin(raw, sizeof(raw), v, n, NULL, &got, NULL,
	                         sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       got == 16;
}

/* One header line l (n bytes, no CRLF). */
static int header(const char *l, size_t n, ns_ws_http_req *req, seen *s, const char **why)
{
	size_t c, vs, ve;

	for (c = 0; c < n && is_tchar(l[c]); c++) {
	}
	if (c == 0 || c == n || l[c] != ':') {
		*why = "bad-header";
		return NS_ERR_FORMAT;
	}
	for (vs = c + 1; vs < n && (l[vs] == ' ' || l[vs] == '\t'); vs++) {
	}
	for (ve = n; ve > vs && (l[ve - 1] == ' ' || l[ve - 1] == '\t'); ve--) {
	}
	for (c = vs; c < ve; c++) {
		if ((unsigned char)l[c] < 0x20 && l[c] != '\t') {
			*why = "bad-header";
			return NS_ERR_FORMAT;
		}
	}
	c = (size_t)((const char *)memchr(l, ':', n) - l);
	if (name_is(l, c, "Upgrade")) {
		s->upgrade |= has_token(l + vs, ve - vs, "websocket");
	} else if (name_is(l, c, "Connection")) {
		s->connection |= has_token(l + vs, ve - vs, "upgrade");
	} else if (name_is(l, c, "Sec-WebSocket-Version")) {
		s->version = ve - vs == 2 && memcmp(l + vs, "13", 2) == 0 ? 1 : -1;
	} else if (name_is(l, c, "Host")) {
		s->host++;
	} else if (name_is(l, c, "Sec-WebSocket-Key")) {
		if (s->key++ || !key_ok(l + vs, ve - vs)) {
			*why = "bad-key";
			return NS_ERR_FORMAT;
		}
		memcpy(req->key, l + vs, NS_WS_KEY_LEN);
		req->key[NS_WS_KEY_LEN] = '\0';
	}
	return 0;
}

/* "GET SP target SP HTTP/1.1" */
static int request_line(const char *l, size_t n, ns_ws_http_req *req, const char **why)
{
	const char *sp;
	size_t tl;

	if (n < 4 || memcmp(l, "GET ", 4) != 0) {
		*why = "bad-method";
		return NS_ERR_FORMAT;
	}
	sp = memchr(l + 4, ' ', n - 4);
	if (sp == NULL || (size_t)(l + n - sp) != 9 || memcmp(sp, " HTTP/1.1", 9) != 0) {
		*why = "bad-version";
		return NS_ERR_FORMAT;
	}
	tl = (size_t)(sp - (l + 4));
	if (tl == 0 || tl > NS_WS_TARGET_MAX) {
		*why = "bad-target";
		return NS_ERR_FORMAT;
	}
	memcpy(req->target, l + 4, tl);
	req->target[tl] = '\0';
	req->target_len = tl;
	return 0;
}

int ns_ws_http_parse(const uint8_t *buf, size_t len, ns_ws_http_req *req, size_t *head_len,
                     const char **why)
{
	const char *p = (const char *)buf, *nl;
	size_t off = 0, n, lines = 0;
	seen s;
	int rc;

	memset(req, 0, sizeof(*req));
	memset(&s, 0, sizeof(s));
	*head_len = 0;
	*why = "ok";
	for (;;) {
		nl = memchr(p + off, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - (p + off)) + 1 : len - off;
		if (n > NS_WS_HTTP_LINE_MAX || off + n > NS_WS_HTTP_HEAD_MAX) {
			*why = n > NS_WS_HTTP_LINE_MAX ? "line-too-long" : "head-too-large";
			return NS_ERR_TOOBIG;
		}
		if (nl == NULL) {
			return NS_ERR_AGAIN;
		}
		if (n < 2 || p[off + n - 2] != '\r') {
			*why = "bare-lf";
			return NS_ERR_FORMAT;
		}
		if (n == 2 && lines > 0) {
			break; /* the blank line */
		}
		if (lines > NS_WS_HTTP_HEADERS_MAX) {
			*why = "too-many-headers";
			return NS_ERR_TOOBIG;
		}
		rc = lines == 0 ? request_line(p + off, n - 2, req, why)
		                : header(p + off, n - 2, req, &s, why);
		if (rc != 0) {
			return rc;
		}
		lines++;
		off += n;
	}
	*head_len = off + 2;
	if (!s.upgrade || !s.connection) {
		*why = "not-websocket";
		return NS_ERR_FORMAT;
	}
	if (s.version != 1 || s.key != 1 || s.host != 1) {
		*why = s.version != 1 ? "bad-ws-version" : s.key != 1 ? "bad-key" : "bad-host";
		return NS_ERR_FORMAT;
	}
	return 0;
}

static int is_b64(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '+' || v[i] == '/' || v[i] == '=')) {
			return 0;
		}
	}
	return 1;
}

/* "HTTP/1.1 NNN reason" */
static int status_line(const char *l, size_t n, int *status)
{
	if (n < 12 || memcmp(l, "HTTP/1.1 ", 9) != 0 || l[9] < '1' || l[9] > '5' || l[10] < '0' ||
	    l[10] > '9' || l[11] < '0' || l[11] > '9' || (n > 12 && l[12] != ' ')) {
		return NS_ERR_FORMAT;
	}
	*status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	return 0;
}

int ns_ws_http_response(const uint8_t *buf, size_t len, int *status,
                        char accept[NS_WS_ACCEPT_LEN + 1], size_t *head_len)
{
	const char *p = (const char *)buf, *nl, *l, *colon;
	size_t off = 0, n, lines = 0, c, vs, ve;

	*status = 0;
	*head_len = 0;
	accept[0] = '\0';
	for (;;) {
		nl = memchr(p + off, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - (p + off)) + 1 : len - off;
		if (n > NS_WS_HTTP_LINE_MAX || off + n > NS_WS_HTTP_HEAD_MAX ||
		    lines > NS_WS_HTTP_HEADERS_MAX) {
			return NS_ERR_TOOBIG;
		}
		if (nl == NULL) {
			return NS_ERR_AGAIN;
		}
		if (n < 2 || p[off + n - 2] != '\r') {
			return NS_ERR_FORMAT;
		}
		l = p + off;
		if (n == 2 && lines > 0) {
			break;
		}
		if (lines == 0 && status_line(l, n - 2, status) != 0) {
			return NS_ERR_FORMAT;
		}
		colon = lines > 0 ? memchr(l, ':', n - 2) : NULL;
		c = colon != NULL ? (size_t)(colon - l) : 0;
		if (c > 0 && name_is(l, c, "Sec-WebSocket-Accept")) {
			for (vs = c + 1; vs < n - 2 && (l[vs] == ' ' || l[vs] == '\t'); vs++) {
			}
			for (ve = n - 2; ve > vs && (l[ve - 1] == ' ' || l[ve - 1] == '\t'); ve--) {
			}
			if (ve - vs == NS_WS_ACCEPT_LEN && accept[0] == '\0' &&
			    is_b64(l + vs, ve - vs)) {
				memcpy(accept, l + vs, NS_WS_ACCEPT_LEN);
				accept[NS_WS_ACCEPT_LEN] = '\0';
			}
		}
		lines++;
		off += n;
	}
	*head_len = off + 2;
	return 0;
}

void ns_ws_http_accept(const char *key, char out[NS_WS_ACCEPT_LEN + 1])
{
	br_sha1_context h;
	uint8_t d[br_sha1_SIZE];

	br_sha1_init(&h);
	br_sha1_update(&h, key, strlen(key));
	br_sha1_update(&h, NS_WS_GUID, strlen(NS_WS_GUID));
	br_sha1_out(&h, d);
	sodium_bin2base64(out, NS_WS_ACCEPT_LEN + 1, d, sizeof(d), sodium_base64_VARIANT_ORIGINAL);
}
