/* The engine's life cycle and its sans-I/O surface: configuration, bytes
 * out, the event queue, time, disconnects (bytes in: engine_input.c). Message handling lives in
 * dispatch.c, kex*.c, auth_*.c and the connection layer files. */
#include "engine_int.h"

#include <sodium.h>
#include <string.h>

#include "abi.h"
#include "auth.h"
#include "kex.h"
#include "kexinit.h"
#include "version.h"

#define DEFERRED_MAX (256 * 1024)
#define OUT_COMPACT (64 * 1024)
#define SOFTWARE_MAX 64

static int valid_software(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > SOFTWARE_MAX) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '-') {
			return 0;
		}
	}
	return 1;
}

static int apply_defaults(ns_engine *e, const ns_engine_config *cfg)
{
	const char *sw = cfg->software ? cfg->software : "nullspace_0.1";
	int rc;

	e->cfg = *cfg;
	e->alloc = *cfg->alloc;
	e->cfg.alloc = &e->alloc;
	e->cfg.software = NULL;
	e->cfg.host_key = NULL;
	e->cfg.host_cert = NULL;
	e->cfg.ciphers = NULL;
	e->cfg.kex = NULL;
	e->cfg.macs = NULL;
	e->role = cfg->role;
	ns_eng_random_attach(e);
	if (!valid_software(sw)) {
		return NS_ERR_INVALID;
	}
	if ((rc = ns_kexinit_ciphers(cfg->role, cfg->ciphers, e->ciphers)) != 0 ||
	    (rc = ns_kexinit_kex_list(cfg->kex, e->kexs, sizeof(e->kexs))) != 0 ||
	    (rc = ns_kexinit_mac_list(cfg->macs, e->macs, sizeof(e->macs))) != 0) {
		return rc;
	}
	strcpy(e->my_version, "SSH-2.0-");
	strcat(e->my_version, sw);
	if (cfg->role == NS_ROLE_SERVER) {
		e->host_key = *cfg->host_key;
	}
	if (e->cfg.rekey_bytes == 0) {
		e->cfg.rekey_bytes = NS_DEFAULT_REKEY_BYTES;
	}
	if (e->cfg.rekey_ms == 0) {
		e->cfg.rekey_ms = NS_DEFAULT_REKEY_MS;
	}
	if (e->cfg.max_auth_tries == 0) {
		e->cfg.max_auth_tries = NS_DEFAULT_MAX_AUTH_TRIES;
	}
	if (e->cfg.max_channels == 0) {
		e->cfg.max_channels = NS_DEFAULT_MAX_CHANNELS;
	}
	if (e->cfg.max_channels > NS_MAX_CHANNELS_LIMIT) {
		return NS_ERR_INVALID;
	}
	if (e->cfg.window == 0) {
		e->cfg.window = NS_DEFAULT_WINDOW;
	}
	if (e->cfg.max_packet == 0) {
		e->cfg.max_packet = NS_DEFAULT_MAX_PACKET;
	}
	if (e->cfg.max_packet > NS_PACKET_MAX - 1024 || e->cfg.max_packet < 512) {
		return NS_ERR_INVALID;
	}
	return 0;
}

/* A host certificate must certify the host key we sign with. */
static int host_cert_copy(ns_engine *e, const uint8_t *cert, size_t len)
{
	uint8_t pk[NS_ED25519_PK_LEN];

	if (len > 16384 || ns_auth_cert_key(cert, len, pk) != 0 ||
	    sodium_memcmp(pk, e->host_key.pk, sizeof(pk)) != 0) {
		return NS_ERR_INVALID;
	}
	return ns_wr_bytes(&e->host_cert, cert, len);
}

int ns_engine_new(const ns_engine_config *user_cfg, ns_engine **out)
{
	ns_engine_config cfgv;
	const ns_engine_config *cfg = &cfgv;
	ns_engine *e;
	int rc;

	*out = NULL;
	if (user_cfg == NULL || ns_abi_copy_in(&cfgv, sizeof(cfgv), user_cfg, user_cfg->size,
	                                       NS_ENGINE_CONFIG_SIZE_MIN) != 0) {
		return NS_ERR_INVALID;
	}
	if (cfg->alloc == NULL || cfg->alloc->realloc == NULL ||
	    (cfg->role != NS_ROLE_CLIENT && cfg->role != NS_ROLE_SERVER) ||
	    (cfg->role == NS_ROLE_SERVER && (cfg->host_key == NULL || !cfg->host_key->has_sk))) {
		return NS_ERR_INVALID;
	}
	if (ns_init() != 0) {
		return NS_ERR_CRYPTO;
	}
	e = cfg->alloc->realloc(cfg->alloc->ctx, NULL, sizeof(*e));
	if (e == NULL) {
		return NS_ERR_NOMEM;
	}
	if ((uintptr_t)e % _Alignof(ns_engine) != 0) {
		cfg->alloc->realloc(cfg->alloc->ctx, e, 0); /* AES-GCM state misaligned */
		return NS_ERR_INVALID;
	}
	memset(e, 0, sizeof(*e));
	if ((rc = apply_defaults(e, cfg)) != 0) {
		goto out;
	}
	ns_buf_init(&e->in, &e->alloc, NS_INPUT_MAX);
	ns_buf_init(&e->out, &e->alloc, NS_OUTPUT_MAX);
	ns_buf_init(&e->msg, &e->alloc, NS_PAYLOAD_MAX);
	ns_buf_init(&e->my_kexinit, &e->alloc, NS_PACKET_MAX);
	ns_buf_init(&e->peer_kexinit, &e->alloc, NS_PACKET_MAX);
	ns_buf_init(&e->deferred, &e->alloc, DEFERRED_MAX);
	ns_buf_init(&e->auth_blob, &e->alloc, NS_PACKET_MAX);
	ns_buf_init(&e->auth_alg, &e->alloc, NS_NAME_MAX);
	ns_buf_init(&e->host_cert, &e->alloc, NS_PACKET_MAX);
	if (cfg->role == NS_ROLE_SERVER && cfg->host_cert != NULL &&
	    (rc = host_cert_copy(e, cfg->host_cert, cfg->host_cert_len)) != 0) {
		goto out;
	}
	if ((rc = ns_chan_init(e)) != 0) {
		goto out;
	}
	ns_wr_cstr(&e->out, ""); /* placeholder to size the buffer */
	ns_buf_reset(&e->out);
	ns_wr_bytes(&e->out, e->my_version, strlen(e->my_version));
	if ((rc = ns_wr_bytes(&e->out, "\r\n", 2)) != 0 || (rc = ns_kex_start(e)) != 0) {
		goto out;
	}
	*out = e;
out:
	if (rc != 0) {
		ns_engine_free(e);
	}
	return rc;
}

void ns_engine_free(ns_engine *e)
{
	ns_allocator a;

	if (e == NULL) {
		return;
	}
	ns_chan_free(e);
	e->in.len = 0;
	ns_buf_shrink_dirty(&e->in, e->in_dirty); /* only what was written */
	ns_buf_free(&e->out);
	ns_buf_free(&e->msg);
	ns_buf_free(&e->my_kexinit);
	ns_buf_free(&e->peer_kexinit);
	ns_buf_free(&e->deferred);
	ns_buf_free(&e->auth_blob);
	ns_buf_free(&e->auth_alg);
	ns_buf_free(&e->host_cert);
	ns_kex_eph_free(e);
	ns_pkt_wipe(&e->rx);
	ns_pkt_wipe(&e->tx);
	if (e->disc_msg != NULL) {
		e->alloc.realloc(e->alloc.ctx, e->disc_msg, 0);
	}
	a = e->alloc;
	sodium_memzero(e, sizeof(*e));
	a.realloc(a.ctx, e, 0);
}

/* message copied into e for the event (the engine closes once, so once):
 * the copy, or a fixed text when out of memory. */
static const char *keep_message(ns_engine *e, const char *message)
{
	size_t n = strlen(message);

	if (e->disc_msg == NULL &&
	    (e->disc_msg = e->alloc.realloc(e->alloc.ctx, NULL, n + 1)) != NULL) {
		memcpy(e->disc_msg, message, n + 1);
	}
	return e->disc_msg != NULL ? e->disc_msg : "disconnected (no memory for the message)";
}

static int fail_impl(ns_engine *e, int err, uint32_t reason, const char *message, int send)
{
	ns_event *ev;
	ns_buf *m;

	if (e->phase == NS_PH_CLOSED) {
		return err ? err : NS_ERR_CLOSED;
	}
	message = keep_message(e, message);
	if (send) {
		m = ns_eng_msg(e, SSH_MSG_DISCONNECT);
		ns_wr_u32(m, reason);   /* reason code */
		ns_wr_cstr(m, message); /* description */
		ns_wr_cstr(m, "");      /* language tag */
		if (m->err == 0) {
			ns_pkt_seal(&e->tx, m->p, m->len, &e->out);
		}
	}
	e->phase = NS_PH_CLOSED;
	e->err = err ? err : NS_ERR_CLOSED;
	if (e->ev_count == NS_EVENT_QUEUE) {
		e->ev_count--; /* the disconnect always gets reported */
	}
	ev = ns_eng_emit(e, NS_EV_DISCONNECT);
	ev->reason = reason;
	ev->message.p = (const uint8_t *)message;
	ev->message.len = strlen(message);
	ev->error = err;
	return e->err;
}

int ns_eng_fail(ns_engine *e, int err, uint32_t reason, const char *message)
{
	return fail_impl(e, err, reason, message, 1);
}

int ns_eng_peer_disconnected(ns_engine *e, uint32_t reason, ns_str message)
{
	ns_event *ev;

	if (e->phase == NS_PH_CLOSED) {
		return NS_ERR_CLOSED;
	}
	e->phase = NS_PH_CLOSED;
	e->err = NS_ERR_DISCONNECTED;
	if (e->ev_count == NS_EVENT_QUEUE) {
		e->ev_count--;
	}
	ev = ns_eng_emit(e, NS_EV_DISCONNECT);
	ev->reason = reason;
	ev->message = message;
	ev->by_peer = 1;
	ev->error = NS_ERR_DISCONNECTED;
	return NS_ERR_DISCONNECTED;
}

void ns_engine_input_eof(ns_engine *e)
{
	fail_impl(e, NS_ERR_CLOSED, NS_DISC_CONNECTION_LOST, "connection closed by peer", 0);
}

int ns_engine_disconnect(ns_engine *e, uint32_t reason, const char *message)
{
	if (e->phase == NS_PH_CLOSED) {
		return NS_ERR_CLOSED;
	}
	fail_impl(e, 0, reason, message ? message : "", 1);
	return 0;
}

ns_event *ns_eng_emit(ns_engine *e, int type)
{
	ns_event *ev;

	if (e->ev_count == NS_EVENT_QUEUE) {
		return NULL;
	}
	ev = &e->evq[(e->ev_head + e->ev_count) % NS_EVENT_QUEUE];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	e->ev_count++;
	return ev;
}

int ns_engine_event(ns_engine *e, ns_event *ev)
{
	static const ns_event none;
	const ns_event *src = &none;

	if (ev->size < NS_EVENT_SIZE_MIN) {
		return NS_ERR_INVALID; /* not set up by ns_event_init */
	}
	if (e->ev_count > 0) {
		src = &e->evq[e->ev_head];
		e->ev_head = (e->ev_head + 1) % NS_EVENT_QUEUE;
		e->ev_count--;
		if (src->type == NS_EV_DISCONNECT) {
			e->closed_reported = 1;
		}
	}
	ns_abi_copy_out(ev, ev->size, src, sizeof(*src));
	return 0;
}

const uint8_t *ns_engine_output(ns_engine *e, size_t *len)
{
	*len = e->out.len - e->out_off;
	return e->out.p ? e->out.p + e->out_off : NULL;
}

void ns_engine_output_ack(ns_engine *e, size_t n)
{
	if (n > e->out.len - e->out_off) {
		n = e->out.len - e->out_off;
	}
	e->out_off += n;
	if (e->out_off == e->out.len) {
		e->out.len = 0;
		e->out_off = 0;
	} else if (e->out_off >= OUT_COMPACT) {
		ns_buf_consume(&e->out, e->out_off);
		e->out_off = 0;
	}
}

ns_buf *ns_eng_msg(ns_engine *e, uint8_t t)
{
	/* Scratch for one payload at a time: reused without wiping on the data
	 * path (it is wiped when released, and key material never passes here). */
	e->msg.len = 0;
	e->msg.err = 0;
	ns_wr_u8(&e->msg, t);
	return &e->msg;
}

static int deferring(const ns_engine *e)
{
	return e->kex_state != NS_KX_NONE && !e->sent_newkeys;
}

int ns_eng_flush_deferred(ns_engine *e)
{
	size_t off = 0;
	uint32_t n;
	int rc = 0;

	while (rc == 0 && off + 4 <= e->deferred.len) {
		n = ns_load32(e->deferred.p + off);
		rc = ns_pkt_seal(&e->tx, e->deferred.p + off + 4, n, &e->out);
		off += 4 + n;
	}
	ns_buf_reset(&e->deferred);
	ns_buf_shrink(&e->deferred);
	if (rc != 0) {
		return ns_eng_fail(e, rc, NS_DISC_BY_APPLICATION, "output buffer full");
	}
	return 0;
}

/* One message of type (head[0]) in two parts: held during a key exchange,
 * else sealed straight into the output. */
static int send_parts(ns_engine *e, const uint8_t *head, size_t hlen, const uint8_t *body,
                      size_t blen)
{
	uint8_t type = head[0];
	int rc;

	if (e->phase == NS_PH_CLOSED) {
		return NS_ERR_CLOSED;
	}
	if (type >= SSH_MSG_USERAUTH_REQUEST && deferring(e)) {
		ns_wr_u32(&e->deferred, (uint32_t)(hlen + blen));
		rc = ns_wr_bytes(&e->deferred, head, hlen);
		if (rc == 0 && blen > 0) {
			rc = ns_wr_bytes(&e->deferred, body, blen);
		}
		if (rc != 0) {
			return ns_eng_fail(e, rc, NS_DISC_BY_APPLICATION,
			                   "too many messages held during key exchange");
		}
		return 0;
	}
	if (type >= SSH_MSG_USERAUTH_REQUEST && e->deferred.len &&
	    (rc = ns_eng_flush_deferred(e)) != 0) {
		return rc;
	}
	if ((rc = ns_pkt_seal2(&e->tx, head, hlen, body, blen, &e->out)) != 0) {
		return ns_eng_fail(e, rc, NS_DISC_BY_APPLICATION, "output buffer full");
	}
	if (type >= SSH_MSG_USERAUTH_REQUEST) {
		return ns_kex_check_limits(e);
	}
	return 0;
}

int ns_eng_send(ns_engine *e)
{
	int rc;

	if (e->msg.err || e->msg.len == 0) {
		rc = e->msg.err ? e->msg.err : NS_ERR_INVALID;
		ns_buf_reset(&e->msg);
		return ns_eng_fail(e, rc, NS_DISC_BY_APPLICATION, "outgoing message too large");
	}
	return send_parts(e, e->msg.p, e->msg.len, NULL, 0);
}

int ns_eng_send_data(ns_engine *e, const uint8_t *head, size_t hlen, const uint8_t *data,
                     size_t len)
{
	return send_parts(e, head, hlen, data, len);
}

int ns_eng_can_send(const ns_engine *e)
{
	return e->phase == NS_PH_CONNECTED && !deferring(e);
}

size_t ns_eng_out_room(const ns_engine *e)
{
	return NS_OUTPUT_MAX - e->out.len;
}

int ns_eng_kex_finished(ns_engine *e)
{
	ns_buf *m;
	int rc;

	if ((rc = ns_eng_flush_deferred(e)) != 0) {
		return rc;
	}
	if (e->kex_first_done) {
		ns_chan_kex_done(e);
		return 0;
	}
	e->kex_first_done = 1;
	e->phase = NS_PH_AUTH;
	if (e->role == NS_ROLE_CLIENT) {
		m = ns_eng_msg(e, SSH_MSG_SERVICE_REQUEST);
		ns_wr_cstr(m, "ssh-userauth"); /* service name */
		e->service_requested = 1;
		return ns_eng_send(e);
	}
	return 0;
}
