/* The built-in client's connection: TCP connect, SSH handshake, host key
 * verdict, publickey authentication with the key or through the caller's
 * signer (ns_client_connect), and an orderly disconnect (ns_client_close). */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client_int.h"
#include "net.h"

const char *ns_client_error(const ns_client *c)
{
	return c != NULL ? c->err : "";
}

static int auth_failed(ns_client *c, const ns_client_config *cfg, const ns_event *ev)
{
	char fp[NS_FINGERPRINT_LEN];

	ns_key_fingerprint(cfg->key->pk, fp);
	return ns_cio_fail(c, NS_ERR_AUTH,
	                   "%s refused the key ssh-ed25519 %s for user '%s' (methods that can "
	                   "continue: %.*s)",
	                   c->host, fp, c->user,
	                   (int)(ev->methods.len > 200 ? 200 : ev->methods.len),
	                   (const char *)ev->methods.p);
}

/* The request signed by cfg->sign (ssh-agent): the engine gives the data
 * and checks the signature before sending it. */
static int sign_outside(ns_client *c, const ns_client_config *cfg)
{
	uint8_t sig[NS_SIG_BLOB_LEN];
	char fp[NS_FINGERPRINT_LEN];
	uint8_t *data;
	size_t len = 0;
	int rc;

	if ((data = c->alloc->realloc(c->alloc->ctx, NULL, NS_AUTH_SIGN_DATA_MAX)) == NULL) {
		return ns_cio_fail(c, NS_ERR_NOMEM, "out of memory");
	}
	ns_key_fingerprint(cfg->key->pk, fp);
	rc = ns_engine_auth_sign_data(c->e, c->user, cfg->key->pk, cfg->cert, cfg->cert_len, data,
	                              NS_AUTH_SIGN_DATA_MAX, &len);
	if (rc != 0) {
		rc = ns_cio_fail(c, rc, "cannot build the authentication request: %s",
		                 ns_strerror(rc));
	} else if ((rc = cfg->sign(cfg->sign_ud, cfg->key->pk, data, len, sig)) != 0) {
		rc = ns_cio_fail(c, rc, "signing with ssh-ed25519 %s failed: %s", fp,
		                 ns_strerror(rc));
	} else if ((rc = ns_engine_auth_signed(c->e, c->user, cfg->key->pk, cfg->cert,
	                                       cfg->cert_len, sig, sizeof(sig))) != 0) {
		rc = ns_cio_fail(c, rc, "the signature made with ssh-ed25519 %s was refused: %s",
		                 fp, ns_strerror(rc));
	}
	c->alloc->realloc(c->alloc->ctx, data, 0);
	return rc;
}

/* One handshake event; 1 when authenticated, 0 to go on, or NS_ERR_*. */
static int handshake_event(ns_client *c, const ns_client_config *cfg, const ns_event *ev)
{
	int rc;

	switch (ev->type) {
	case NS_EV_HOSTKEY:
		rc = NS_ERR_NOTFOUND;
		if (ev->is_cert && cfg->hostkey_policy == NS_HOSTKEY_STRICT) {
			rc = ns_client_check_hostcert(c, cfg, ev->hostkey_blob);
		}
		if (rc == NS_ERR_NOTFOUND) {
			rc = ns_client_check_hostkey(c, cfg, ev->hostkey_pubkey);
		}
		ns_call_check(c->e, NULL, "client", 0, "engine_hostkey_verdict",
		              ns_engine_hostkey_verdict(c->e, rc == 0));
		return rc;
	case NS_EV_AUTH_READY:
		if (cfg->sign != NULL) {
			return sign_outside(c, cfg);
		}
		rc = cfg->cert != NULL
		         ? ns_engine_auth_cert(c->e, c->user, cfg->key, cfg->cert, cfg->cert_len, 0)
		         : ns_engine_auth_publickey(c->e, c->user, cfg->key, 0);
		if (rc != 0) {
			return ns_cio_fail(c, rc, "cannot send the authentication request: %s",
			                   ns_strerror(rc));
		}
		return 0;
	case NS_EV_AUTH_BANNER:
		if (cfg->banner != NULL) {
			cfg->banner(cfg->banner_ud, (const char *)ev->message.p, ev->message.len);
		}
		return 0;
	case NS_EV_AUTH_FAILURE: return auth_failed(c, cfg, ev);
	case NS_EV_AUTH_SUCCESS: return 1;
	case NS_EV_DISCONNECT: return ns_cio_disconnected(c, ev);
	default: return 0;
	}
}

static int handshake(ns_client *c, const ns_client_config *cfg, uint64_t deadline,
                     uint32_t timeout_ms)
{
	struct pollfd pfd[1];
	ns_event ev = NS_EVENT_INIT;
	int rc;

	for (;;) {
		ns_cio_flush(c);
		if ((rc = ns_cio_event(c, &ev)) != 0) {
			return ns_cio_fail(c, rc, "SSH engine: %s", ns_strerror(rc));
		}
		if (ev.type != NS_EV_NONE) {
			rc = handshake_event(c, cfg, &ev);
			if (rc != 0) {
				ns_cio_flush(c);
				return rc > 0 ? 0 : rc;
			}
			continue;
		}
		rc = ns_cio_wait(c, pfd, 1, deadline);
		if (rc == NS_ERR_TIMEOUT) {
			return ns_cio_fail(c, rc, "no SSH session with %s within %u ms", c->host,
			                   timeout_ms);
		}
		if (rc != 0) {
			return rc;
		}
	}
}

static int check_config(const ns_client_config *cfg)
{
	if (cfg == NULL || cfg->host == NULL || cfg->user == NULL || cfg->key == NULL ||
	    (!cfg->key->has_sk && cfg->sign == NULL) || cfg->port > 65535 ||
	    strlen(cfg->host) >= NS_CLIENT_HOST_MAX || strlen(cfg->user) >= NS_CLIENT_USER_MAX) {
		return NS_ERR_INVALID;
	}
	return 0;
}

static int start(ns_client *c, const ns_client_config *cfg, uint32_t timeout_ms)
{
	ns_engine_config ec;
	int fd, rc;

	fd = ns_net_connect_ms(c->host, c->port, (int)timeout_ms, c->err, sizeof(c->err));
	if (fd < 0) {
		return fd;
	}
	c->fd = fd;
	if ((rc = ns_net_set_nonblock(fd, 1)) != 0) {
		return ns_cio_fail(c, rc, "cannot make the socket non-blocking");
	}
	ns_engine_config_init(&ec);
	ec.role = NS_ROLE_CLIENT;
	ec.alloc = c->alloc;
	ec.keepalive_ms = cfg->keepalive_ms;
	ec.host_certs = cfg->hostkey_policy == NS_HOSTKEY_STRICT;
	if ((rc = ns_engine_new(&ec, &c->e)) != 0) {
		return ns_cio_fail(c, rc, "cannot create the SSH engine: %s", ns_strerror(rc));
	}
	ns_call_check(c->e, NULL, "client", 0, "engine_tick", ns_engine_tick(c->e, ns_clock_ms()));
	return 0;
}

void ns_client_config_init(ns_client_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->size = sizeof(*cfg);
}

int ns_client_connect(const ns_client_config *user_cfg, ns_client **out, char *err, size_t cap)
{
	ns_client_config cfgv;
	const ns_client_config *cfg = &cfgv;
	const ns_allocator *a;
	uint32_t timeout_ms;
	ns_client *c = NULL;
	int rc;

	if (out != NULL) {
		*out = NULL;
	}
	if (user_cfg != NULL && ns_abi_copy_in(&cfgv, sizeof(cfgv), user_cfg, user_cfg->size,
	                                       NS_CLIENT_CONFIG_SIZE_MIN) != 0) {
		if (err != NULL && cap > 0) {
			snprintf(err, cap,
			         "client configuration not set up by ns_client_config_init "
			         "(or with fields this library does not know)");
		}
		return NS_ERR_INVALID;
	}
	if (out == NULL || user_cfg == NULL || (rc = check_config(cfg)) != 0) {
		if (err != NULL && cap > 0) {
			snprintf(err, cap, "invalid client configuration");
		}
		return NS_ERR_INVALID;
	}
	a = cfg->alloc != NULL ? cfg->alloc : ns_allocator_libc();
	if ((c = a->realloc(a->ctx, NULL, sizeof(*c))) == NULL) {
		if (err != NULL && cap > 0) {
			snprintf(err, cap, "out of memory");
		}
		return NS_ERR_NOMEM;
	}
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->alloc = a;
	c->port = cfg->port ? cfg->port : NS_CLIENT_PORT_DEFAULT;
	snprintf(c->host, sizeof(c->host), "%s", cfg->host);
	snprintf(c->user, sizeof(c->user), "%s", cfg->user);
	timeout_ms =
	    cfg->connect_timeout_ms ? cfg->connect_timeout_ms : NS_CLIENT_CONNECT_TIMEOUT_DEFAULT;
	rc = start(c, cfg, timeout_ms);
	if (rc == 0) {
		rc = handshake(c, cfg, ns_clock_ms() + timeout_ms, timeout_ms);
	}
	if (rc != 0) {
		if (err != NULL && cap > 0) {
			snprintf(err, cap, "%s", c->err[0] ? c->err : ns_strerror(rc));
		}
		ns_client_close(c);
		return rc;
	}
	c->err[0] = '\0';
	*out = c;
	return 0;
}

/* Let our DISCONNECT reach the peer, for a bounded time. */
static void drain(ns_client *c)
{
	uint64_t deadline = ns_clock_ms() + NS_CLIENT_CLOSE_WAIT_MS, now;
	struct pollfd p;
	size_t len;

	for (;;) {
		ns_cio_flush(c);
		ns_engine_output(c->e, &len);
		now = ns_clock_ms();
		if (len == 0 || c->pump.sock_eof || now >= deadline) {
			return;
		}
		p.fd = c->fd;
		p.events = POLLOUT;
		p.revents = 0;
		poll(&p, 1, (int)(deadline - now));
	}
}

void ns_client_close(ns_client *c)
{
	const ns_allocator *a;

	if (c == NULL) {
		return;
	}
	if (c->e != NULL) {
		if (!ns_engine_closed(c->e)) {
			/* NS_ERR_CLOSED only: then it is closing already */
			(void)!ns_engine_disconnect(c->e, NS_DISC_BY_APPLICATION,
			                            "closed by client");
		}
		if (c->fd >= 0) {
			drain(c);
		}
		ns_engine_free(c->e);
	}
	if (c->fd >= 0) {
		close(c->fd);
	}
	a = c->alloc;
	memset(c, 0, sizeof(*c));
	a->realloc(a->ctx, c, 0);
}
