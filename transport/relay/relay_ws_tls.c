/* The relay's wss:// layer (issue 13): each connection accepted on a
 * --websocket-listen with --tls-cert gets a BearSSL server engine; bytes
 * pass through transport/common/tls_io.c. The handshake's outcome is
 * logged once (version and suite, or the refusal's reason: a client with
 * no AEAD ECDHE suite, an old version). Limits and the login grace are
 * the connection's, as on the SSH port. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "nullspace/error.h"
#include "relay_int.h"
#include "tls_io.h"
#include "tls_server.h"

struct ns_relay_ws_tls {
	ns_relay_conn *c;
	ns_tls_server *s;
	int said; /* the handshake's outcome was logged */
};

int ns_relay_ws_tls_load(ns_relay *r)
{
	const ns_relay_config *cfg = r->cfg;
	char err[512];
	int rc;

	if (cfg->tls_key == NULL) {
		fprintf(r->log, "relay event=error what=tls error=\"--tls-key missing\"\n");
		return NS_ERR_INVALID;
	}
	if ((rc = ns_tls_cred_load(cfg->tls_cert, cfg->tls_key, &r->tls, err, sizeof(err))) != 0) {
		fprintf(r->log, "relay event=error what=tls error=\"%s\"\n", err);
	}
	return rc;
}

const char *ns_relay_ws_tls_kind(const ns_relay *r)
{
	return ns_tls_cred_kind(r->tls);
}

int ns_relay_ws_tls_new(ns_relay_conn *c, ns_relay_ws_tls **out)
{
	ns_relay_ws_tls *t = calloc(1, sizeof(*t));
	int rc;

	*out = NULL;
	if (t == NULL) {
		return NS_ERR_NOMEM;
	}
	if ((rc = ns_tls_server_new(c->r->tls, &t->s)) != 0) {
		free(t);
		return rc;
	}
	t->c = c;
	*out = t;
	return 0;
}

void ns_relay_ws_tls_free(ns_relay_ws_tls *t)
{
	if (t != NULL) {
		if (!t->said) { /* a stalled or abandoned handshake */
			fprintf(
			    t->c->r->log,
			    "relay event=tls-refused conn=%u peer=%s reason=handshake-unfinished "
			    "error=%d\n",
			    t->c->id, t->c->peer,
			    br_ssl_engine_last_error(ns_tls_server_engine(t->s)));
		}
		ns_tls_server_free(t->s);
		free(t);
	}
}

/* Log the handshake's end, or why the engine closed before it. */
static void say(ns_relay_ws_tls *t)
{
	br_ssl_engine_context *eng = ns_tls_server_engine(t->s);
	ns_relay_conn *c = t->c;
	br_ssl_session_parameters sp;
	int err;

	if (t->said) {
		return;
	}
	if (ns_tls_ready(eng)) {
		t->said = 1;
		br_ssl_engine_get_session_parameters(eng, &sp);
		fprintf(c->r->log, "relay event=tls conn=%u peer=%s version=%s suite=%s\n", c->id,
		        c->peer, ns_tls_version_name(sp.version),
		        ns_tls_suite_name(sp.cipher_suite));
	} else if (br_ssl_engine_current_state(eng) == BR_SSL_CLOSED) {
		t->said = 1;
		err = br_ssl_engine_last_error(eng);
		fprintf(c->r->log, "relay event=tls-refused conn=%u peer=%s reason=%s error=%d\n",
		        c->id, c->peer, err == 0 ? "handshake-unfinished" : ns_tls_error_name(err),
		        err);
	}
}

ssize_t ns_relay_ws_tls_recv(ns_relay_ws_tls *t, int fd, uint8_t *buf, size_t cap)
{
	ssize_t n = ns_tls_recv(ns_tls_server_engine(t->s), fd, buf, cap);
	int e = errno;

	say(t);
	errno = e;
	return n;
}

ssize_t ns_relay_ws_tls_send(ns_relay_ws_tls *t, int fd, const uint8_t *p, size_t n)
{
	return ns_tls_send(ns_tls_server_engine(t->s), fd, p, n);
}

int ns_relay_ws_tls_flush(ns_relay_ws_tls *t, int fd, int closing)
{
	br_ssl_engine_context *eng = ns_tls_server_engine(t->s);

	if (closing && ns_tls_ready(eng)) {
		br_ssl_engine_close(eng); /* close_notify after the close frame */
	}
	return ns_tls_flush(eng, fd) < 0 ? -1 : 0;
}

size_t ns_relay_ws_tls_pending(ns_relay_ws_tls *t)
{
	return ns_tls_pending(ns_tls_server_engine(t->s));
}

void ns_relay_ws_tls_rebind(ns_relay_ws_tls *t, ns_relay_conn *c)
{
	if (t != NULL) {
		t->c = c;
	}
}
