/* The wss:// client context of `nullspace proxy`: ns_tls_policy, the X.509
 * engine (BearSSL's minimal one over the CA bundle, or the pin), SNI for a
 * host name; and the handshake run on a blocking socket under a deadline
 * (poll), the only blocking part: data then flows through tls_io.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clock.h"
#include "file.h"
#include "nullspace/error.h"
#include "tls_client.h"
#include "tls_io.h"
#include "tls_pem.h"
#include "tls_server.h"

struct ns_tls_client {
	br_ssl_client_context cc;
	br_x509_minimal_context xc;
	ns_tls_pin_ctx pin;
	ns_tls_anchors anchors;
	unsigned char iobuf[NS_TLS_IOBUF];
};

static int is_ip(const char *h)
{
	uint8_t b[16];

	return inet_pton(AF_INET, h, b) == 1 || inet_pton(AF_INET6, h, b) == 1;
}

static int load_anchors(ns_tls_client *c, const char *path, char *err, size_t cap)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if ((rc = ns_file_read(path, NS_TLS_PEM_FILE_MAX, &text, &len)) != 0) {
		snprintf(err, cap, "cannot read the CA file %s: %s", path, ns_strerror(rc));
		return rc;
	}
	rc = ns_tls_anchors_parse((const uint8_t *)text, len, &c->anchors);
	free(text);
	if (rc != 0) {
		snprintf(err, cap, "no CA certificate in %s (%s)", path, ns_strerror(rc));
	}
	return rc;
}

int ns_tls_client_new(const ns_tls_client_config *cfg, ns_tls_client **out, char *err, size_t cap)
{
	ns_tls_client *c = calloc(1, sizeof(*c));
	br_ssl_engine_context *eng;
	int rc, ip = is_ip(cfg->host);

	*out = NULL;
	if (c == NULL) {
		snprintf(err, cap, "out of memory");
		return NS_ERR_NOMEM;
	}
	if (cfg->pin == NULL && ip) {
		snprintf(err, cap,
		         "wss:// to an IP address needs --pin-sha256 (the CA check matches "
		         "host names only)");
		free(c);
		return NS_ERR_INVALID;
	}
	br_ssl_client_zero(&c->cc);
	eng = &c->cc.eng;
	ns_tls_policy(eng, NS_TLS_SUITES_EC | NS_TLS_SUITES_RSA);
	br_ssl_client_set_default_rsapub(&c->cc);
	br_ssl_engine_set_default_rsavrfy(eng);
	br_ssl_engine_set_default_ecdsa(eng);
	if (cfg->pin != NULL) {
		ns_tls_pin_init(&c->pin, cfg->pin);
		br_ssl_engine_set_x509(eng, &c->pin.vtable);
	} else {
		if ((rc = load_anchors(c, cfg->ca_file, err, cap)) != 0) {
			ns_tls_client_free(c);
			return rc;
		}
		br_x509_minimal_init_full(&c->xc, c->anchors.ta, c->anchors.n);
		br_ssl_engine_set_x509(eng, &c->xc.vtable);
	}
	br_ssl_engine_set_buffer(eng, c->iobuf, sizeof(c->iobuf), 1);
	if (!br_ssl_client_reset(&c->cc, ip ? NULL : cfg->host, 0)) {
		snprintf(err, cap, "TLS setup failed (%s)",
		         ns_tls_error_name(br_ssl_engine_last_error(eng)));
		ns_tls_client_free(c);
		return NS_ERR_CRYPTO;
	}
	*out = c;
	return 0;
}

br_ssl_engine_context *ns_tls_client_engine(ns_tls_client *c)
{
	return &c->cc.eng;
}

int ns_tls_client_handshake(ns_tls_client *c, int fd, int timeout_ms)
{
	br_ssl_engine_context *eng = &c->cc.eng;
	uint64_t end = ns_clock_ms() + (uint64_t)timeout_ms, now;
	struct pollfd pf;
	unsigned st;
	int k;

	for (;;) {
		st = br_ssl_engine_current_state(eng);
		if (st == BR_SSL_CLOSED) {
			k = br_ssl_engine_last_error(eng);
			return k != 0 ? k : NS_ERR_IO;
		}
		if (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP)) {
			return 0;
		}
		if ((now = ns_clock_ms()) >= end) {
			return NS_ERR_TIMEOUT;
		}
		pf.fd = fd;
		pf.events = (short)((st & BR_SSL_SENDREC) ? POLLOUT : POLLIN);
		if ((k = poll(&pf, 1, (int)(end - now))) < 0 && errno != EINTR) {
			return NS_ERR_IO;
		}
		if (k <= 0) {
			continue;
		}
		if (st & BR_SSL_SENDREC) {
			if (ns_tls_flush(eng, fd) < 0) {
				return NS_ERR_IO;
			}
		} else {
			if ((k = ns_tls_read_records(eng, fd)) == 0 ||
			    (k < 0 && errno != EINTR && errno != EAGAIN)) {
				return NS_ERR_IO; /* the server hung up mid-handshake */
			}
		}
	}
}

void ns_tls_client_free(ns_tls_client *c)
{
	if (c != NULL) {
		ns_tls_anchors_free(&c->anchors);
		sodium_memzero(c, sizeof(*c));
		free(c);
	}
}
