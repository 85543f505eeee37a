/* The dial of one connection of `nullspace proxy` (proxy_int.h): the
 * socket (an HTTPS_PROXY tunnel or straight), the TLS handshake checked
 * against the system CAs or the pin, and the WebSocket upgrade with a
 * random key, all on a blocking socket within a deadline. Messages go to
 * err: a resumable connection redials quietly. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <sodium.h>

#include "nullspace/error.h"
#include "proxy_int.h"
#include "tls_io.h"

static void set_timeout(int fd, int ms)
{
	struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* The TLS handshake on l->fd (NS_TLS_HANDSHAKE_MS): 0, or EXIT_PROXY_TLS
 * with the reason (l->soft when the path failed rather than a check). */
static int tls_start(ns_plink *l, const ns_plink_cfg *cfg, char *err, size_t cap)
{
	ns_tls_client_config tc;
	const char *ca = getenv("SSL_CERT_FILE");
	int rc;

	memset(&tc, 0, sizeof(tc));
	tc.host = cfg->host;
	tc.pin = cfg->pin;
	tc.ca_file = ca != NULL && ca[0] != '\0' ? ca : NS_TLS_CA_FILE_DEFAULT;
	if (ns_tls_client_new(&tc, &l->tls, err, cap) != 0) {
		return EXIT_PROXY_TLS;
	}
	set_timeout(l->fd, NS_TLS_HANDSHAKE_MS);
	rc = ns_tls_client_handshake(l->tls, l->fd, NS_TLS_HANDSHAKE_MS);
	if (rc == 0) {
		return 0;
	}
	if (rc == BR_ERR_X509_NOT_TRUSTED && cfg->pin != NULL) {
		snprintf(err, cap, "TLS refused: the certificate of %s does not match --pin-sha256",
		         cfg->host);
	} else if (rc > 0) {
		snprintf(err, cap, "TLS refused: %s (%s)", ns_tls_error_name(rc),
		         cfg->pin != NULL ? "pinned" : tc.ca_file);
	} else {
		snprintf(err, cap, "TLS handshake with %s failed: %s", cfg->host, ns_strerror(rc));
		l->soft = 1; /* no answer, or the connection went: a cut, not a refusal */
	}
	return EXIT_PROXY_TLS;
}

static int status_exit(int status)
{
	return status == 404                                     ? EXIT_PROXY_NOTFOUND
	       : status == 401 || status == 403 || status == 410 ? EXIT_PROXY_REFUSED
	                                                         : EXIT_PROXY_PROTOCOL;
}

static ssize_t head_read(ns_plink *l, uint8_t *buf, size_t n)
{
	return l->tls != NULL ? ns_tls_recv(ns_tls_client_engine(l->tls), l->fd, buf, n)
	                      : read(l->fd, buf, n);
}

/* The request for the URL's target; resume: SB/ssh/resume (docs/relay.md). */
static int request(const ns_plink_cfg *cfg, int resume, const char *key, char *req, size_t cap)
{
	const char *q = strchr(cfg->target, '?');
	int tl = q != NULL ? (int)(q - cfg->target) : (int)strlen(cfg->target);
	int v6 = strchr(cfg->host, ':') != NULL;

	return snprintf(req, cap,
	                "GET %.*s%s%s HTTP/1.1\r\nHost: %s%s%s:%u\r\nUpgrade: websocket\r\n"
	                "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	                "Sec-WebSocket-Key: %s\r\n\r\n",
	                tl, cfg->target, resume ? "/resume" : "", q != NULL ? q : "", v6 ? "[" : "",
	                cfg->host, v6 ? "]" : "", (unsigned)cfg->port, key);
}

/* The upgrade: 0 with the bytes after the head in l->in, else the exit
 * code with the reason. */
static int handshake(ns_plink *l, const ns_plink_cfg *cfg, int resume, char *err, size_t cap)
{
	uint8_t raw[16];
	char key[NS_WS_KEY_LEN + 1], want[NS_WS_ACCEPT_LEN + 1], got[NS_WS_ACCEPT_LEN + 1];
	char req[NS_WS_TARGET_MAX + NS_WS_HOST_MAX + 256];
	size_t len = 0, hl = 0, i;
	ssize_t k;
	int n, rc = NS_ERR_AGAIN, status = 0;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(key, sizeof(key), raw, sizeof(raw), sodium_base64_VARIANT_ORIGINAL);
	n = request(cfg, resume, key, req, sizeof(req));
	if (n <= 0 || (size_t)n >= sizeof(req) || l->olen != 0) {
		return snprintf(err, cap, "the URL is too long"), EXIT_PROXY_PROTOCOL;
	}
	memcpy(l->out, req, (size_t)n);
	l->olen = (size_t)n;
	if (ns_plink_flush(l) != 0 || l->olen != 0) {
		return snprintf(err, cap, "lost before the upgrade"), EXIT_PROXY_UNREACH;
	}
	while (rc == NS_ERR_AGAIN && len < sizeof(l->in)) {
		k = head_read(l, l->in + len, sizeof(l->in) - len);
		if (k < 0 && errno == EINTR) {
			continue;
		}
		if (k <= 0) {
			return snprintf(err, cap, "lost before the upgrade"), EXIT_PROXY_UNREACH;
		}
		len += (size_t)k;
		rc = ns_ws_http_response(l->in, len, &status, got, &hl);
	}
	if (rc != 0) {
		return snprintf(err, cap, "not a WebSocket answer from %s", cfg->host),
		       EXIT_PROXY_PROTOCOL;
	}
	ns_ws_http_accept(key, want);
	if (status != 101) {
		for (i = hl; i < len && l->in[i] >= 0x20 && l->in[i] < 0x7f && i - hl < 200; i++) {
		}
		snprintf(err, cap, "refused: HTTP %d: %.*s", status, (int)(i - hl),
		         (const char *)l->in + hl);
		return status_exit(status);
	}
	if (sodium_memcmp(want, got, NS_WS_ACCEPT_LEN) != 0) {
		return snprintf(err, cap, "bad Sec-WebSocket-Accept"), EXIT_PROXY_PROTOCOL;
	}
	l->ioff = hl;
	l->ilen = len;
	return 0;
}

int ns_plink_dial(ns_plink *l, const ns_plink_cfg *cfg, int resume, int timeout_ms, char *err,
                  size_t cap)
{
	int rc = 0, soft;

	memset(l, 0, sizeof(*l));
	l->ws = cfg->ws;
	ns_ws_dec_init(&l->dec, 0, NS_WS_FRAME_MAX);
	l->fd = ns_cli_proxy_dial(cfg->host, cfg->port, cfg->tls || !cfg->ws, timeout_ms,
	                          &l->proxy_status, err, cap);
	if (l->fd < 0) {
		rc = l->fd == NS_CLI_DIAL_REFUSED ? EXIT_PROXY_TUNNEL
		     : l->fd == NS_CLI_DIAL_USAGE ? 2
		                                  : EXIT_PROXY_UNREACH;
		l->fd = -1;
		return rc;
	}
	if (cfg->tls) {
		rc = tls_start(l, cfg, err, cap);
	}
	set_timeout(l->fd, timeout_ms); /* the upgrade's answer, a stalled path */
	if (rc == 0 && cfg->ws) {
		rc = handshake(l, cfg, resume, err, cap);
	}
	if (rc != 0) {
		soft = l->soft;
		ns_plink_close(l);
		l->soft = soft;
		return rc;
	}
	set_timeout(l->fd, 0);
	return 0;
}
