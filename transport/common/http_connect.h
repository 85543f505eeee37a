/* An HTTP CONNECT tunnel through a forward proxy (RFC 9110 9.3.6), for
 * `nullspace proxy` behind HTTPS_PROXY: the proxy's URL as the environment
 * gives it, the NO_PROXY rule, the CONNECT request, and the proxy's reply
 * read with strict limits. Pure functions: no I/O, no environment. */
#ifndef NS_TRANSPORT_HTTP_CONNECT_H
#define NS_TRANSPORT_HTTP_CONNECT_H

#include <stddef.h>
#include <stdint.h>

#define NS_HTTP_CONNECT_HEAD_MAX 8192   /* a reply's status line and headers, bytes */
#define NS_HTTP_CONNECT_LINE_MAX 1024   /* one reply line, CRLF included */
#define NS_HTTP_CONNECT_HEADERS_MAX 64  /* header lines in a reply */
#define NS_HTTP_PROXY_HOST_MAX 256      /* a proxy's host (a name or a v6 literal) */
#define NS_HTTP_PROXY_USERINFO_MAX 256  /* "user:pass", percent-decoded */
#define NS_HTTP_PROXY_URL_MAX 1024      /* a whole proxy URL */
#define NS_HTTP_PROXY_PORT_DEFAULT 1080 /* as curl: a proxy URL without a port */
#define NS_HTTP_NO_PROXY_MAX 4096       /* a NO_PROXY value */
/* A request: the line, Host, Proxy-Authorization (base64 of the userinfo)
 * and the blank line. */
#define NS_HTTP_CONNECT_REQ_MAX (3 * NS_HTTP_PROXY_HOST_MAX + 2 * NS_HTTP_PROXY_USERINFO_MAX + 128)

/* A proxy URL: "http://[user[:pass]@]host[:port][/]" (or without the
 * scheme). Userinfo is percent-decoded; it is a secret: wipe the struct. */
typedef struct ns_http_proxy {
	char host[NS_HTTP_PROXY_HOST_MAX]; /* brackets of a v6 literal removed */
	uint16_t port;
	char userinfo[NS_HTTP_PROXY_USERINFO_MAX]; /* "" when none */
} ns_http_proxy;

/* 0, or NS_ERR_FORMAT (another scheme than http, a path, bad host or port,
 * bad percent-encoding), NS_ERR_TOOBIG past a limit. */
int ns_http_proxy_parse(const char *url, ns_http_proxy *out);

/* Does NO_PROXY (comma- or blank-separated entries: "*", a host, ".domain"
 * or "domain" matching the domain and its subdomains, an IP address, each
 * with an optional ":port" that must then match) exempt host:port? 1 or 0;
 * case-insensitive; a v6 host in brackets or not. */
int ns_http_no_proxy(const char *no_proxy, const char *host, uint16_t port);

/* "CONNECT host:port HTTP/1.1", Host, and Proxy-Authorization: Basic when
 * p->userinfo is set, into out (cap): its length, or NS_ERR_TOOBIG.
 * out holds a credential then: wipe it. */
int ns_http_connect_request(const ns_http_proxy *p, const char *host, uint16_t port, char *out,
                            size_t cap);

/* The proxy's reply head in buf (len bytes): 0 with *status (100-599) and
 * *head_len (through the blank line); NS_ERR_AGAIN while it is not whole;
 * NS_ERR_TOOBIG past a limit (a line, the header count, the head);
 * NS_ERR_FORMAT otherwise. *why (may be NULL) names the problem. */
int ns_http_connect_reply(const uint8_t *buf, size_t len, int *status, size_t *head_len,
                          const char **why);

#endif
