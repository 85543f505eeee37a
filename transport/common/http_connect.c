/* HTTP CONNECT through a forward proxy for `nullspace proxy`: the proxy URL
 * (userinfo percent-decoded, kept as a secret), the NO_PROXY rule as curl
 * reads it, the CONNECT request with Basic proxy credentials, and a strict
 * reader of the proxy's reply head (line, header count and size capped). */
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "http_connect.h"
#include "nullspace/error.h"

static int host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_';
}

static int hex_val(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

/* Percent-decode s[0..n) into out (cap): 0 or NS_ERR_FORMAT/TOOBIG. */
static int pct_decode(const char *s, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%') {
			if (i + 2 >= n) {
				return NS_ERR_FORMAT;
			}
			if ((hi = hex_val(s[i + 1])) < 0 || (lo = hex_val(s[i + 2])) < 0) {
				return NS_ERR_FORMAT;
			}
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if ((unsigned char)c < 0x20 || c == 0x7f) {
			return NS_ERR_FORMAT; /* it goes into a header line */
		}
		if (o + 1 >= cap) {
			return NS_ERR_TOOBIG;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* host[:port] or [v6][:port], n bytes, into p. */
static int parse_hostport(const char *a, size_t n, ns_http_proxy *p)
{
	const char *hs = a, *he, *colon = NULL;
	unsigned long port = 0;
	size_t i;

	if (n > 0 && a[0] == '[') {
		he = memchr(a, ']', n);
		if (he == NULL || he == a + 1) {
			return NS_ERR_FORMAT;
		}
		hs = a + 1;
		colon = he + 1 < a + n ? he + 1 : NULL;
		if (colon != NULL && *colon != ':') {
			return NS_ERR_FORMAT;
		}
		for (i = 0; hs + i < he; i++) {
			if (hex_val(hs[i]) < 0 && hs[i] != ':' && hs[i] != '.') {
				return NS_ERR_FORMAT;
			}
		}
	} else {
		colon = memchr(a, ':', n);
		he = colon != NULL ? colon : a + n;
		for (i = 0; hs + i < he; i++) {
			if (!host_char(hs[i])) {
				return NS_ERR_FORMAT;
			}
		}
	}
	if (he == hs) {
		return NS_ERR_FORMAT;
	}
	if ((size_t)(he - hs) >= sizeof(p->host)) {
		return NS_ERR_TOOBIG;
	}
	memcpy(p->host, hs, (size_t)(he - hs));
	p->host[he - hs] = '\0';
	p->port = NS_HTTP_PROXY_PORT_DEFAULT;
	if (colon == NULL) {
		return 0;
	}
	for (i = 1; colon + i < a + n; i++) {
		if (colon[i] < '0' || colon[i] > '9' || i > 5) {
			return NS_ERR_FORMAT;
		}
		port = port * 10 + (unsigned long)(colon[i] - '0');
	}
	if (i == 1 || port == 0 || port > 65535) {
		return NS_ERR_FORMAT;
	}
	p->port = (uint16_t)port;
	return 0;
}

int ns_http_proxy_parse(const char *url, ns_http_proxy *out)
{
	const char *a, *at, *end;
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (url == NULL || (n = strlen(url)) == 0) {
		return NS_ERR_FORMAT;
	}
	if (n > NS_HTTP_PROXY_URL_MAX) {
		return NS_ERR_TOOBIG;
	}
	a = url;
	if (strstr(url, "://") != NULL) {
		if (strncasecmp(url, "http://", 7) != 0) {
			return NS_ERR_FORMAT; /* https:// or socks proxies: not ours */
		}
		a = url + 7;
	}
	end = a + strlen(a);
	if (end > a && end[-1] == '/') {
		end--; /* "http://proxy:3128/" as people write it */
	}
	if (memchr(a, '/', (size_t)(end - a)) != NULL || memchr(a, '?', (size_t)(end - a))) {
		return NS_ERR_FORMAT;
	}
	at = memrchr(a, '@', (size_t)(end - a));
	if (at != NULL) {
		rc = pct_decode(a, (size_t)(at - a), out->userinfo, sizeof(out->userinfo));
		if (rc != 0) {
			sodium_memzero(out, sizeof(*out));
			return rc;
		}
		a = at + 1;
	}
	if ((rc = parse_hostport(a, (size_t)(end - a), out)) != 0) {
		sodium_memzero(out, sizeof(*out));
	}
	return rc;
}

/* Does one NO_PROXY entry e (n bytes) cover host:port? */
static int entry_match(const char *e, size_t n, const char *host, uint16_t port)
{
	const char *colon = NULL;
	size_t hl = strlen(host), i;
	unsigned long p = 0;

	if (n == 1 && e[0] == '*') {
		return 1;
	}
	if (n > 0 && e[0] == '[') { /* [v6] or [v6]:port */
		const char *rb = memchr(e, ']', n);
		if (rb == NULL) {
			return 0;
		}
		colon = rb + 1 < e + n && rb[1] == ':' ? rb + 1 : NULL;
		e++;
		n = (size_t)(rb - e);
	} else if ((colon = memrchr(e, ':', n)) != NULL && memchr(e, ':', n) != colon) {
		colon = NULL; /* a bare v6 address: no port */
	} else if (colon != NULL) {
		n = (size_t)(colon - e);
	}
	if (colon != NULL) {
		for (i = 1; colon[i] >= '0' && colon[i] <= '9' && i <= 5; i++) {
			p = p * 10 + (unsigned long)(colon[i] - '0');
		}
		if (p != port) {
			return 0;
		}
	}
	if (n > 0 && e[0] == '.') {
		e++;
		n--;
	}
	if (n == 0 || n > hl) {
		return 0;
	}
	/* the host itself, or a subdomain of it */
	return strncasecmp(host + hl - n, e, n) == 0 && (hl == n || host[hl - n - 1] == '.');
}

int ns_http_no_proxy(const char *no_proxy, const char *host, uint16_t port)
{
	const char *p = no_proxy, *e;
	char h[NS_HTTP_PROXY_HOST_MAX];
	size_t n;

	if (no_proxy == NULL || host == NULL || strlen(no_proxy) > NS_HTTP_NO_PROXY_MAX) {
		return 0;
	}
	n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(h)) {
		return 0;
	}
	memcpy(h, host, n);
	h[n] = '\0';
	while (n > 0 && h[n - 1] == '.') {
		h[--n] = '\0'; /* "example.com." is example.com */
	}
	for (;;) {
		p += strspn(p, ", \t");
		if (*p == '\0') {
			return 0;
		}
		e = p + strcspn(p, ", \t");
		if (entry_match(p, (size_t)(e - p), h, port)) {
			return 1;
		}
		p = e;
	}
}

int ns_http_connect_request(const ns_http_proxy *p, const char *host, uint16_t port, char *out,
                            size_t cap)
{
	char auth[sodium_base64_ENCODED_LEN(NS_HTTP_PROXY_USERINFO_MAX,
	                                    sodium_base64_VARIANT_ORIGINAL)];
	const char *lb = strchr(host, ':') != NULL ? "[" : "", *rb = *lb != '\0' ? "]" : "";
	size_t n = 0;
	int k, rc = 0;

	auth[0] = '\0';
	if (p->userinfo[0] != '\0') {
		sodium_bin2base64(auth, sizeof(auth), (const unsigned char *)p->userinfo,
		                  strlen(p->userinfo), sodium_base64_VARIANT_ORIGINAL);
	}
	k = snprintf(out, cap, "CONNECT %s%s%s:%u HTTP/1.1\r\nHost: %s%s%s:%u\r\n%s%s%s\r\n", lb,
	             host, rb, (unsigned)port, lb, host, rb, (unsigned)port,
	             auth[0] != '\0' ? "Proxy-Authorization: Basic " : "", auth,
	             auth[0] != '\0' ? "\r\n" : "");
	if (k < 0 || (size_t)k >= cap) {
		rc = NS_ERR_TOOBIG;
		if (cap > 0) {
			sodium_memzero(out, cap);
		}
	} else {
		n = (size_t)k;
	}
	sodium_memzero(auth, sizeof(auth));
	return rc != 0 ? rc : (int)n;
}

/* "HTTP/1.x NNN[ reason]" (n bytes, CRLF removed): the status or -1. */
static int status_line(const uint8_t *s, size_t n)
{
	if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') || s[8] != ' ' ||
	    s[9] < '1' || s[9] > '5' || s[10] < '0' || s[10] > '9' || s[11] < '0' || s[11] > '9' ||
	    (n > 12 && s[12] != ' ')) {
		return -1;
	}
	return (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
}

/* A header line (n bytes, no CRLF): "name: value", printable. */
static int header_ok(const uint8_t *s, size_t n)
{
	const uint8_t *colon = memchr(s, ':', n);
	size_t i;

	if (colon == NULL || colon == s || s[0] == ' ' || s[0] == '\t') {
		return 0; /* no name, or obs-fold */
	}
	for (i = 0; i < n; i++) {
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f) {
			return 0;
		}
	}
	return 1;
}

int ns_http_connect_reply(const uint8_t *buf, size_t len, int *status, size_t *head_len,
                          const char **why)
{
	const char *w = "incomplete";
	size_t off = 0, lines = 0, ll;
	const uint8_t *nl;
	int rc = NS_ERR_AGAIN, st = -1;

	*status = 0;
	*head_len = 0;
	while (rc == NS_ERR_AGAIN) {
		size_t left =
		    len - off < NS_HTTP_CONNECT_LINE_MAX ? len - off : NS_HTTP_CONNECT_LINE_MAX;
		nl = memchr(buf + off, '\n', left);
		if (nl == NULL) {
			if (left == NS_HTTP_CONNECT_LINE_MAX || len >= NS_HTTP_CONNECT_HEAD_MAX) {
				w = "line-too-long";
				rc = NS_ERR_TOOBIG;
			}
			break;
		}
		ll = (size_t)(nl - (buf + off)) + 1;
		if (off + ll > NS_HTTP_CONNECT_HEAD_MAX) {
			w = "head-too-large";
			rc = NS_ERR_TOOBIG;
		} else if (ll < 2 || nl[-1] != '\r') {
			w = "bare-lf";
			rc = NS_ERR_FORMAT;
		} else if (lines == 0 && (st = status_line(buf + off, ll - 2)) < 0) {
			w = "bad-status-line";
			rc = NS_ERR_FORMAT;
		} else if (lines > 0 && ll == 2) {
			*status = st;
			*head_len = off + ll;
			w = NULL;
			rc = 0;
		} else if (lines > 0 && !header_ok(buf + off, ll - 2)) {
			w = "bad-header";
			rc = NS_ERR_FORMAT;
		} else if (lines > NS_HTTP_CONNECT_HEADERS_MAX) {
			w = "too-many-headers";
			rc = NS_ERR_TOOBIG;
		}
		lines++;
		off += ll;
	}
	if (why != NULL) {
		*why = w;
	}
	return rc;
}
