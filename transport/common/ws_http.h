/* The HTTP/1.1 upgrade request of a WebSocket client (RFC 6455 4.2.1),
 * read with strict limits, and the Sec-WebSocket-Accept answer. */
#ifndef NS_TRANSPORT_WS_HTTP_H
#define NS_TRANSPORT_WS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "ws_url.h"

#define NS_WS_HTTP_HEAD_MAX 8192  /* request line and headers, bytes */
#define NS_WS_HTTP_LINE_MAX 1024  /* one line, CRLF included */
#define NS_WS_HTTP_HEADERS_MAX 32 /* header lines */
#define NS_WS_KEY_LEN 24          /* base64 of 16 bytes */
#define NS_WS_ACCEPT_LEN 28       /* base64 of a SHA-1 */
#define NS_WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

typedef struct ns_ws_http_req {
	char target[NS_WS_TARGET_MAX + 1];
	size_t target_len;
	char key[NS_WS_KEY_LEN + 1];
} ns_ws_http_req;

/* Read the request head from buf (len bytes): 0 with *head_len (the bytes
 * up to the blank line) and req filled; NS_ERR_AGAIN when more bytes are
 * needed; NS_ERR_TOOBIG past a limit; NS_ERR_FORMAT for anything else
 * (*why names it for the log: "not-websocket" for a request without the
 * upgrade headers, "bad-method", "bad-version", ...). */
int ns_ws_http_parse(const uint8_t *buf, size_t len, ns_ws_http_req *req, size_t *head_len,
                     const char **why);

/* The server's answer as a client reads it: 0 with the status (100-599),
 * *head_len and the Sec-WebSocket-Accept value (accept, "" when absent or
 * malformed) once the head is whole; NS_ERR_AGAIN, NS_ERR_TOOBIG or
 * NS_ERR_FORMAT as ns_ws_http_parse. */
int ns_ws_http_response(const uint8_t *buf, size_t len, int *status,
                        char accept[NS_WS_ACCEPT_LEN + 1], size_t *head_len);

/* base64(SHA-1(key GUID)) into out (NS_ACCEPT_LEN + 1 bytes, NUL). */
void ns_ws_http_accept(const char *key, char out[NS_WS_ACCEPT_LEN + 1]);

#endif
