/* `nullspace proxy URL`: an ssh ProxyCommand joining stdin/stdout to a
 * relay's WebSocket listener (issue 13): the upgrade with a random key and
 * its Sec-WebSocket-Accept checked, stdin out in masked binary frames (a
 * fresh random mask each), binary frames in to stdout. wss:// runs the
 * same over BearSSL (transport/common/tls_client.c): the server's
 * certificate checked against the system CAs, or only against
 * --pin-sha256. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "net.h"
#include "nullspace/error.h"
#include "tls_client.h"
#include "tls_io.h"
#include "proxy_int.h"
#include "sandbox_int.h"
#include "ws_frame.h"
#include "ws_http.h"
#include "ws_url.h"

#define CMD "proxy"
#define CHUNK 32768            /* stdin bytes per frame */
#define CONNECT_MS 15000       /* TCP connect */
#define EXIT_PROXY_REFUSED 77  /* 401, 403, 410 */
#define EXIT_PROXY_NOTFOUND 68 /* 404 */
#define EXIT_PROXY_UNREACH 69  /* no connection, or lost before the upgrade */
#define EXIT_PROXY_PROTOCOL 76 /* a broken answer or frame, a close code not 1000 */
#define EXIT_PROXY_TLS 79      /* wss://: handshake failed, certificate refused */

/* The connection to the relay: the socket, and its TLS engine for wss://. */
typedef struct pconn {
	int fd;
	ns_tls_client *tls;
} pconn;
#define EXIT_PROXY_TUNNEL 70 /* the HTTP proxy (HTTPS_PROXY) refused the CONNECT */

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: nullspace proxy [--pin-sha256 HEX] URL\n"
	    "       nullspace proxy [--renew ID [--expires-in MINUTES]\n"
	    "                       [--no-port-forwarding] [--agent-forwarding]] tcp://HOST:PORT\n"
	    "\n"
	    "tcp://HOST:PORT: an ssh ProxyCommand to the relay's SSH port whose connection\n"
	    "survives network loss: after a drop it reconnects for up to the relay's grace\n"
	    "time (--resume-grace) and the session goes on where it was, e.g.\n"
	    "  ssh -o ProxyCommand=\"nullspace proxy tcp://%%h:%%p\" ID@relay\n"
	    "One line on stderr when it reconnects, resumes or gives up.\n"
	    "--renew ID: a margin before sandbox ID's certificate (NULLSPACE_HOME/ssh)\n"
	    "expires, mint a new one for the same key through the API (MINUTES long, with\n"
	    "those permits) and hand it to the relay, so that a relay run with\n"
	    "--end-sessions-at-expiry does not end the session; one line on stderr when\n"
	    "that fails (`nullspace ssh` does it by default).\n"
	    "\n"
	    "An ssh ProxyCommand for the relay's WebSocket listener: joins stdin and stdout\n"
	    "to the signed URL (ws[s]://HOST:PORT/v1/sandboxes/ID/ssh?exp=...&sig=...), e.g.\n"
	    "  ssh -o ProxyCommand=\"nullspace proxy 'URL'\" ID@relay\n"
	    "The URL is a credential: keep it out of logs and shell history.\n"
	    "\n"
	    "wss:// checks the relay's certificate against the system CAs (SSL_CERT_FILE,\n"
	    "else %s), host name included; with --pin-sha256\n"
	    "HEX (the SHA-256 of the relay's DER certificate, 64 hex digits, colons allowed:\n"
	    "`nullspace up` keeps it in NULLSPACE_HOME/state/ws_tls_cert.sha256) only that\n"
	    "certificate is accepted, whatever its chain, name or dates. An IP address\n"
	    "host needs the pin. TLS 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305.\n"
	    "\n"
	    "Exit status: 0 when either side ended cleanly; 2 a bad command line or URL;\n"
	    "69 no connection (or lost before the upgrade); 79 the TLS handshake failed or\n"
	    "the certificate was refused (untrusted, wrong pin, wrong name); 77 refused\n"
	    "(HTTP 401, 403, 410: bad signature, expired, sandbox stopped); 68 not found\n"
	    "(404); 76 a protocol error (bad answer, bad frame, a close code other than\n"
	    "1000); 1 a local I/O error; 70 the HTTP proxy refused the tunnel (its status\n"
	    "shown).\n"
	    "\n"
	    "Behind an HTTP proxy: https_proxy / HTTPS_PROXY (for ws:// first http_proxy /\n"
	    "HTTP_PROXY) = http://[user:pass@]host[:port] (port 1080 when none) is used\n"
	    "with CONNECT, unless no_proxy / NO_PROXY (host, .domain, *, each with an\n"
	    "optional :port) names the relay.\n",
	    NS_TLS_CA_FILE_DEFAULT);
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t k;

	while (n > 0) {
		k = write(fd, p, n);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* All n bytes into the TLS engine; records out when flush is set. */
static int tls_write_all(pconn *c, const uint8_t *p, size_t n, int flush)
{
	br_ssl_engine_context *eng = ns_tls_client_engine(c->tls);
	ssize_t k;

	while (n > 0) {
		if ((k = ns_tls_send(eng, c->fd, p, n)) < 0) {
			return -1; /* a blocking socket: only a failure */
		}
		p += k;
		n -= (size_t)k;
	}
	return flush && ns_tls_flush(eng, c->fd) != 0 ? -1 : 0;
}

static int conn_write(pconn *c, const uint8_t *p, size_t n, int flush)
{
	return c->tls != NULL ? tls_write_all(c, p, n, flush) : write_all(c->fd, p, n);
}

static ssize_t conn_read(pconn *c, uint8_t *buf, size_t n)
{
	return c->tls != NULL ? ns_tls_recv(ns_tls_client_engine(c->tls), c->fd, buf, n)
	                      : read(c->fd, buf, n);
}

/* One masked frame of op with n payload bytes (modified: masked). */
static int send_frame(pconn *c, int op, uint8_t *p, size_t n)
{
	uint8_t h[NS_WS_HDR_MAX], mask[4];
	size_t hl;

	randombytes_buf(mask, sizeof(mask));
	hl = ns_ws_frame_header(h, op, n, mask);
	ns_ws_mask(p, n, mask, 0);
	return conn_write(c, h, hl, 0) != 0 || conn_write(c, p, n, 1) != 0 ? -1 : 0;
}

static int send_close(pconn *c, uint16_t code)
{
	uint8_t b[2] = {(uint8_t)(code >> 8), (uint8_t)code};

	return send_frame(c, NS_WS_OP_CLOSE, b, 2);
}

static int status_exit(int status)
{
	return status == 404                                     ? EXIT_PROXY_NOTFOUND
	       : status == 401 || status == 403 || status == 410 ? EXIT_PROXY_REFUSED
	                                                         : EXIT_PROXY_PROTOCOL;
}

/* The upgrade; 0 with the bytes after the head in rest (*rlen), else the
 * exit code. */
static int handshake(pconn *c, const ns_ws_url *u, uint8_t *rest, size_t *rlen)
{
	uint8_t raw[16], head[NS_WS_HTTP_HEAD_MAX];
	char key[NS_WS_KEY_LEN + 1], want[NS_WS_ACCEPT_LEN + 1], got[NS_WS_ACCEPT_LEN + 1];
	char req[NS_WS_TARGET_MAX + NS_WS_HOST_MAX + 256];
	size_t len = 0, hl = 0;
	ssize_t k;
	int n, rc = NS_ERR_AGAIN, status = 0;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(key, sizeof(key), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(req, sizeof(req),
	             "GET %s HTTP/1.1\r\nHost: %s%s%s:%u\r\nUpgrade: websocket\r\n"
	             "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	             "Sec-WebSocket-Key: %s\r\n\r\n",
	             u->target, strchr(u->host, ':') ? "[" : "", u->host,
	             strchr(u->host, ':') ? "]" : "", u->port, key);
	if (conn_write(c, (const uint8_t *)req, (size_t)n, 1) != 0) {
		return EXIT_PROXY_UNREACH;
	}
	while (rc == NS_ERR_AGAIN && len < sizeof(head)) {
		k = conn_read(c, head + len, sizeof(head) - len);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			return EXIT_PROXY_UNREACH;
		}
		len += (size_t)k;
		rc = ns_ws_http_response(head, len, &status, got, &hl);
	}
	if (rc != 0) {
		return ns_cli_fail(CMD, "not a WebSocket answer from %s", u->host),
		       EXIT_PROXY_PROTOCOL;
	}
	ns_ws_http_accept(key, want);
	if (status != 101) {
		size_t i = hl;
		while (i < len && head[i] != '\r' && head[i] != '\n' && i - hl < 200) {
			i++;
		}
		fprintf(stderr, "nullspace proxy: refused: HTTP %d: %.*s\n", status, (int)(i - hl),
		        (const char *)head + hl);
		return status_exit(status);
	}
	if (sodium_memcmp(want, got, NS_WS_ACCEPT_LEN) != 0) {
		return ns_cli_fail(CMD, "bad Sec-WebSocket-Accept"), EXIT_PROXY_PROTOCOL;
	}
	memcpy(rest, head + hl, len - hl);
	*rlen = len - hl;
	return 0;
}

/* Socket bytes in buf (n): payloads to stdout, pings answered. 1 to go
 * on, else the exit code + 0x100 (0x100: a clean end). */
static int from_socket(pconn *c, ns_ws_dec *d, uint8_t *buf, size_t n)
{
	size_t off = 0, used;
	ns_ws_ev ev;
	uint8_t pong[NS_WS_CTL_MAX];

	while (off < n) {
		ns_ws_dec_next(d, buf + off, n - off, &used, &ev);
		off += used;
		if (ev.type == NS_WS_EV_DATA && write_all(1, ev.p, ev.len) != 0) {
			return 0x100 | NS_EXIT_FAILURE;
		}
		if (ev.type == NS_WS_EV_PING) {
			memcpy(pong, ev.p, ev.len);
			(void)send_frame(c, NS_WS_OP_PONG, pong, ev.len);
		}
		if (ev.type == NS_WS_EV_CLOSE) {
			(void)send_close(c, ev.code == NS_WS_CLOSE_NO_STATUS ? NS_WS_CLOSE_NORMAL
			                                                     : ev.code);
			return 0x100 |
			       (ev.code == NS_WS_CLOSE_NORMAL || ev.code == NS_WS_CLOSE_NO_STATUS
			            ? 0
			            : EXIT_PROXY_PROTOCOL);
		}
		if (ev.type == NS_WS_EV_ERROR) {
			fprintf(stderr, "nullspace proxy: bad frame from the relay: %s\n", ev.why);
			(void)send_close(c, ev.code);
			return 0x100 | EXIT_PROXY_PROTOCOL;
		}
		if (ev.type == NS_WS_EV_NONE && used == 0) {
			break;
		}
	}
	return 1;
}

/* stdin <-> the socket until either ends. */
static int pump(pconn *c, uint8_t *buf, size_t rlen)
{
	struct pollfd pf[2];
	ns_ws_dec d;
	int in_open = 1, rc, buffered;
	ssize_t k;

	ns_ws_dec_init(&d, 0, NS_WS_FRAME_MAX);
	if (rlen > 0 && (rc = from_socket(c, &d, buf, rlen)) != 1) {
		return rc & 0xff;
	}
	for (;;) {
		pf[0].fd = in_open ? 0 : -1;
		pf[0].events = POLLIN;
		pf[1].fd = c->fd;
		pf[1].events = POLLIN;
		/* plaintext TLS already holds is read without waiting */
		buffered = c->tls != NULL && ns_tls_buffered(ns_tls_client_engine(c->tls));
		if (poll(pf, 2, buffered ? 0 : -1) < 0) {
			if (errno == EINTR) {
				continue;
			}
			return NS_EXIT_FAILURE;
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			k = read(0, buf, CHUNK);
			if (k < 0 && errno == EINTR) {
				continue;
			}
			if (k <= 0) {
				in_open = 0; /* ssh is done: say so, wait for the answer */
				(void)send_close(c, NS_WS_CLOSE_NORMAL);
				if (c->tls == NULL) {
					shutdown(c->fd, SHUT_WR); /* TLS: the records would stop */
				}
			} else if (send_frame(c, NS_WS_OP_BINARY, buf, (size_t)k) != 0) {
				return 0; /* the relay is gone: ssh sees its EOF */
			}
		}
		if (buffered || (pf[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			k = conn_read(c, buf, CHUNK);
			if (k < 0 && errno == EINTR) {
				continue;
			}
			if (k <= 0) {
				return 0; /* the relay closed: EOF to ssh */
			}
			if ((rc = from_socket(c, &d, buf, (size_t)k)) != 1) {
				return rc & 0xff;
			}
		}
	}
}

/* --pin-sha256 HEX: 64 hex digits, colons between bytes allowed. */
static int parse_pin(const char *hex, uint8_t pin[NS_TLS_PIN_LEN])
{
	size_t len = 0;
	const char *end = NULL;

	if (sodium_hex2bin(pin, NS_TLS_PIN_LEN, hex, strlen(hex), ":", &len, &end) != 0 ||
	    len != NS_TLS_PIN_LEN || *end != '\0') {
		fprintf(stderr, "nullspace proxy: --pin-sha256 wants 64 hex digits (SHA-256)\n");
		return NS_EXIT_USAGE;
	}
	return 0;
}

/* The TLS handshake on c->fd: 0, or the exit code after one line. */
static int tls_start(pconn *c, const ns_ws_url *u, const uint8_t *pin)
{
	ns_tls_client_config cfg;
	const char *ca = getenv("SSL_CERT_FILE");
	char err[512];
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	cfg.host = u->host;
	cfg.pin = pin;
	cfg.ca_file = ca != NULL && ca[0] != '\0' ? ca : NS_TLS_CA_FILE_DEFAULT;
	if (ns_tls_client_new(&cfg, &c->tls, err, sizeof(err)) != 0) {
		fprintf(stderr, "nullspace proxy: %s\n", err);
		return EXIT_PROXY_TLS;
	}
	rc = ns_tls_client_handshake(c->tls, c->fd, NS_TLS_HANDSHAKE_MS);
	if (rc == 0) {
		return 0;
	}
	if (rc == BR_ERR_X509_NOT_TRUSTED && pin != NULL) {
		fprintf(stderr,
		        "nullspace proxy: TLS refused: the certificate of %s does not "
		        "match --pin-sha256\n",
		        u->host);
	} else if (rc > 0) {
		fprintf(stderr, "nullspace proxy: TLS refused: %s (%s)\n", ns_tls_error_name(rc),
		        pin != NULL ? "pinned" : cfg.ca_file);
	} else {
		fprintf(stderr, "nullspace proxy: TLS handshake with %s failed: %s\n", u->host,
		        ns_strerror(rc));
	}
	return EXIT_PROXY_TLS;
}

/* tcp://HOST:PORT or tcp://[V6]:PORT: the resumable transport to the
 * relay's SSH port (proxy_resume.c). */
static int tcp_proxy(const char *hp, ns_proxy_renew *rn)
{
	char host[256];
	const char *colon = strrchr(hp, ':'), *h = hp;
	unsigned long port = 0;
	size_t hl;

	if (colon == NULL || ns_cli_parse_uint(colon + 1, 1, 65535, &port) != 0) {
		fprintf(stderr, "nullspace proxy: tcp://HOST:PORT wants a port (1-65535)\n");
		return NS_EXIT_USAGE;
	}
	hl = (size_t)(colon - hp);
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host)) {
		fprintf(stderr, "nullspace proxy: tcp://HOST:PORT wants a host\n");
		return NS_EXIT_USAGE;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (sodium_init() < 0) {
		return NS_EXIT_FAILURE;
	}
	ns_cli_resume_proxy_renew(rn);
	return ns_cli_resume_proxy(host, (uint16_t)port);
}

/* [--renew ID [--expires-in M] [--no-port-forwarding] [--agent-forwarding]]
 * tcp://...: renewal off (said) when it cannot start; the exit code. */
static int tcp_cmd(int argc, char **argv)
{
	const char *id = NULL;
	unsigned long minutes = NS_PROXY_RENEW_DEFAULT_MIN;
	ns_proxy_renew *rn = NULL;
	int i, permits = 0, rc;

	for (i = 1; i < argc - 1; i++) {
		if (strcmp(argv[i], "--renew") == 0 && i + 1 < argc - 1) {
			id = argv[++i];
		} else if (strcmp(argv[i], "--expires-in") == 0 && i + 1 < argc - 1 &&
		           ns_cli_parse_uint(argv[i + 1], NS_API_EXPIRES_MIN, NS_API_EXPIRES_MAX,
		                             &minutes) == 0) {
			i++;
		} else if (strcmp(argv[i], "--no-port-forwarding") == 0) {
			permits |= NS_CLI_NO_PORT_FORWARDING;
		} else if (strcmp(argv[i], "--agent-forwarding") == 0) {
			permits |= NS_CLI_AGENT_FORWARDING;
		} else {
			usage(stderr);
			return NS_EXIT_USAGE;
		}
	}
	if (id != NULL && sodium_init() >= 0) {
		(void)!ns_proxy_renew_new(id, (int)minutes, permits, &rn); /* off when it fails */
	}
	rc = tcp_proxy(argv[argc - 1] + 6, rn);
	ns_proxy_renew_free(rn);
	return rc;
}

int ns_cmd_proxy(int argc, char **argv)
{
	static uint8_t buf[NS_WS_HTTP_HEAD_MAX > CHUNK ? NS_WS_HTTP_HEAD_MAX : CHUNK];
	uint8_t pin[NS_TLS_PIN_LEN];
	const char *url;
	size_t rlen = 0;
	ns_ws_url u;
	pconn c = {-1, NULL};
	int rc, has_pin = 0;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strncmp(argv[argc - 1], "tcp://", 6) == 0) {
		return tcp_cmd(argc, argv);
	}
	if (argc == 4 && strcmp(argv[1], "--pin-sha256") == 0) {
		if ((rc = parse_pin(argv[2], pin)) != 0) {
			return rc;
		}
		has_pin = 1;
		argc -= 2;
		argv += 2;
	}
	if (argc != 2 || argv[1][0] == '-') {
		usage(stderr);
		return NS_EXIT_USAGE;
	}
	url = argv[1];
	if (sodium_init() < 0) {
		return NS_EXIT_FAILURE;
	}
	if (ns_ws_url_parse(url, &u) != 0) {
		fprintf(stderr, "nullspace proxy: not a ws:// or wss:// URL (see --help)\n");
		return NS_EXIT_USAGE;
	}
	if (has_pin && !u.tls) {
		fprintf(stderr, "nullspace proxy: --pin-sha256 is for wss:// URLs\n");
		return NS_EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((c.fd = ns_cli_proxy_dial(u.host, u.port, u.tls, CONNECT_MS)) < 0) {
		return c.fd == NS_CLI_DIAL_REFUSED ? EXIT_PROXY_TUNNEL
		       : c.fd == NS_CLI_DIAL_USAGE ? NS_EXIT_USAGE
		                                   : EXIT_PROXY_UNREACH;
	}
	rc = u.tls ? tls_start(&c, &u, has_pin ? pin : NULL) : 0;
	if (rc == 0) {
		rc = handshake(&c, &u, buf, &rlen);
	}
	if (rc == 0) {
		rc = pump(&c, buf, rlen);
	}
	ns_tls_client_free(c.tls);
	close(c.fd);
	return rc;
}
