/* `nullspace proxy URL`: an ssh ProxyCommand joining stdin/stdout to a
 * relay's WebSocket listener (issue 13) or SSH port (tcp://): resumable by
 * default (proxy_resume.c over proxy_link.c); with --no-resume one plain
 * WebSocket connection pumped here: stdin out in masked binary frames (a
 * fresh random mask each), binary frames in to stdout. wss:// runs over
 * BearSSL: the certificate checked against the system CAs or --pin-sha256. */
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

#define CHUNK 32768      /* stdin bytes per frame */
#define CONNECT_MS 15000 /* TCP connect, TLS, the upgrade */

/* The connection to the relay: the socket, and its TLS engine for wss://. */
typedef struct pconn {
	int fd;
	ns_tls_client *tls;
} pconn;

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: nullspace proxy [--no-resume] [--pin-sha256 HEX] [RENEW] ws[s]://URL\n"
	    "       nullspace proxy [RENEW] tcp://HOST:PORT\n"
	    "RENEW: --renew ID [--expires-in MINUTES] [--no-port-forwarding] [--agent-forwarding]\n"
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
	    "that fails (`nullspace ssh` does it by default, --websocket too); not with\n"
	    "--no-resume.\n"
	    "\n"
	    "An ssh ProxyCommand for the relay's WebSocket listener: joins stdin and stdout\n"
	    "to the signed URL (ws[s]://HOST:PORT/v1/sandboxes/ID/ssh?exp=...&sig=...), e.g.\n"
	    "  ssh -o ProxyCommand=\"nullspace proxy 'URL'\" ID@relay\n"
	    "resumable as tcp:// (a reconnect may follow the URL's expiry: the resume token\n"
	    "is the credential then); --no-resume: one plain connection.\n"
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
	    "with CONNECT, for tcp:// and ws[s]://, on every reconnect too, unless\n"
	    "no_proxy / NO_PROXY (host, .domain, *, each with an optional :port) names\n"
	    "the relay.\n",
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
	ns_cli_resume_proxy_renew(rn);
	return ns_cli_resume_proxy(host, (uint16_t)port);
}

/* ws[s]:// with --no-resume: one connection, frames pumped until either
 * side ends. */
static int ws_plain(const ns_plink_cfg *cfg)
{
	static uint8_t buf[NS_WS_HTTP_HEAD_MAX > CHUNK ? NS_WS_HTTP_HEAD_MAX : CHUNK];
	static ns_plink l;
	char err[512];
	size_t rlen;
	pconn c;
	int rc;

	if ((rc = ns_plink_dial(&l, cfg, 0, CONNECT_MS, err, sizeof(err))) != 0) {
		fprintf(stderr, "nullspace proxy: %s\n", err);
		return rc;
	}
	rlen = l.ilen - l.ioff;
	memcpy(buf, l.in + l.ioff, rlen);
	c.fd = l.fd;
	c.tls = l.tls;
	rc = pump(&c, buf, rlen);
	ns_plink_close(&l);
	return rc;
}

/* The command line: options in any order, the URL last. */
typedef struct proxy_args {
	int resume, has_pin, permits;
	uint8_t pin[NS_TLS_PIN_LEN];
	const char *renew, *url;
	unsigned long minutes;
} proxy_args;

/* 0, or the exit code (said). */
static int parse_args(int argc, char **argv, proxy_args *a)
{
	int i, rc;

	memset(a, 0, sizeof(*a));
	a->resume = 1;
	a->minutes = NS_PROXY_RENEW_DEFAULT_MIN;
	for (i = 1; i < argc - 1; i++) {
		if (strcmp(argv[i], "--no-resume") == 0) {
			a->resume = 0;
		} else if (strcmp(argv[i], "--pin-sha256") == 0 && i + 1 < argc - 1) {
			if ((rc = parse_pin(argv[++i], a->pin)) != 0) {
				return rc;
			}
			a->has_pin = 1;
		} else if (strcmp(argv[i], "--renew") == 0 && i + 1 < argc - 1) {
			a->renew = argv[++i];
		} else if (strcmp(argv[i], "--expires-in") == 0 && i + 1 < argc - 1 &&
		           ns_cli_parse_uint(argv[i + 1], NS_API_EXPIRES_MIN, NS_API_EXPIRES_MAX,
		                             &a->minutes) == 0) {
			i++;
		} else if (strcmp(argv[i], "--no-port-forwarding") == 0) {
			a->permits |= NS_CLI_NO_PORT_FORWARDING;
		} else if (strcmp(argv[i], "--agent-forwarding") == 0) {
			a->permits |= NS_CLI_AGENT_FORWARDING;
		} else {
			usage(stderr);
			return NS_EXIT_USAGE;
		}
	}
	if (argc < 2 || argv[argc - 1][0] == '-') {
		usage(stderr);
		return NS_EXIT_USAGE;
	}
	a->url = argv[argc - 1];
	if (strncmp(a->url, "tcp://", 6) == 0 && (!a->resume || a->has_pin)) {
		fprintf(stderr, "nullspace proxy: tcp:// is the resumable transport (without "
		                "--no-resume; ssh connects to the SSH port itself otherwise) and "
		                "has no TLS (no --pin-sha256)\n");
		return NS_EXIT_USAGE;
	}
	if (a->renew != NULL && !a->resume) {
		fprintf(stderr, "nullspace proxy: --renew needs the resumable transport: it does "
		                "not go with --no-resume\n");
		return NS_EXIT_USAGE;
	}
	return 0;
}

/* ws[s]://URL: resumable (renewing with --renew), or one plain connection. */
static int ws_cmd(const proxy_args *a, ns_proxy_renew *rn)
{
	ns_ws_url u;
	ns_plink_cfg cfg;

	if (ns_ws_url_parse(a->url, &u) != 0) {
		fprintf(stderr, "nullspace proxy: not a ws:// or wss:// URL (see --help)\n");
		return NS_EXIT_USAGE;
	}
	if (a->has_pin && !u.tls) {
		fprintf(stderr, "nullspace proxy: --pin-sha256 is for wss:// URLs\n");
		return NS_EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	memset(&cfg, 0, sizeof(cfg));
	cfg.host = u.host;
	cfg.port = u.port;
	cfg.ws = 1;
	cfg.tls = u.tls;
	cfg.target = u.target;
	cfg.pin = a->has_pin ? a->pin : NULL;
	if (!a->resume) {
		return ws_plain(&cfg);
	}
	ns_cli_resume_proxy_renew(rn);
	return ns_cli_resume_proxy_to(&cfg);
}

int ns_cmd_proxy(int argc, char **argv)
{
	ns_proxy_renew *rn = NULL;
	proxy_args a;
	int rc;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if ((rc = parse_args(argc, argv, &a)) != 0) {
		return rc;
	}
	if (sodium_init() < 0) {
		return NS_EXIT_FAILURE;
	}
	if (a.renew != NULL) {
		/* off (said) when it cannot start */
		(void)!ns_proxy_renew_new(a.renew, (int)a.minutes, a.permits, &rn);
	}
	rc = strncmp(a.url, "tcp://", 6) == 0 ? tcp_proxy(a.url + 6, rn) : ws_cmd(&a, rn);
	ns_proxy_renew_free(rn);
	sodium_memzero(&a, sizeof(a));
	return rc;
}
