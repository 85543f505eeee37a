/* Key exchange messages (RFC 4253 7-8, RFC 5656 4, RFC 8731; the hybrids on
 * the same two messages; the math in kex_ecdh.c and kex_hybrid.c, H and the
 * derivation in kex_hash.c), NEWKEYS with strict kex sequence resets, and
 * rekeying by bytes, packets and time. */
#include "kex.h"

#include <sodium.h>
#include <string.h>

#include "auth.h"
#include "kex_ecdh.h"
#include "kexinit.h"

/* Rekey long before the 32-bit sequence number could wrap. */
#define KEX_MAX_PACKETS (1ULL << 31)

/* H from K (kmp, computed by the caller) and both directions' keys (RFC
 * 4253 7.2: A/B IVs, C/D keys, E/F MAC keys, client to server first); sets
 * the session id on the first exchange. The ciphers in e->newkeys_tx/rx
 * were set by the negotiation. Returns H's length. */
static size_t compute_keys(ns_engine *e, ns_str k_s, ns_str q_mine, ns_str q_peer,
                           const uint8_t *kmp, size_t kmp_len, uint8_t h[NS_KEX_HASH_MAX])
{
	int client = e->role == NS_ROLE_CLIENT;
	ns_str q_c = client ? q_mine : q_peer;
	ns_str q_s = client ? q_peer : q_mine;
	size_t hlen = ns_kex_exchange_hash(e, k_s, q_c, q_s, kmp, kmp_len, h);

	if (!e->have_session_id) {
		memcpy(e->session_id, h, hlen);
		e->session_id_len = hlen;
		e->have_session_id = 1;
	}
	ns_kex_direction_keys(e, kmp, kmp_len, h, hlen, "ACE",
	                      client ? &e->newkeys_tx : &e->newkeys_rx);
	ns_kex_direction_keys(e, kmp, kmp_len, h, hlen, "BDF",
	                      client ? &e->newkeys_rx : &e->newkeys_tx);
	e->newkeys_rx_ready = 1;
	return hlen;
}

static int send_ext_info(ns_engine *e)
{
	ns_buf *m = ns_eng_msg(e, SSH_MSG_EXT_INFO);

	ns_wr_u32(m, 1);                   /* nr-extensions */
	ns_wr_cstr(m, "server-sig-algs");  /* extension-name */
	ns_wr_cstr(m, NS_SERVER_SIG_ALGS); /* extension-value */
	return ns_eng_send(e);
}

/* Send NEWKEYS and switch our sending direction to the new keys. */
static int send_newkeys(ns_engine *e)
{
	int rc;

	ns_eng_msg(e, SSH_MSG_NEWKEYS);
	if ((rc = ns_eng_send(e)) != 0) {
		return rc;
	}
	rc = ns_pkt_set_keys(&e->tx, &e->newkeys_tx);
	sodium_memzero(&e->newkeys_tx, sizeof(e->newkeys_tx));
	if (rc != 0) { /* cannot happen: we offer only ciphers this CPU runs */
		return ns_eng_fail(e, rc, NS_DISC_KEY_EXCHANGE_FAILED, "cannot install keys");
	}
	if (e->strict) {
		e->tx.seq = 0;
	}
	e->sent_newkeys = 1;
	e->kex_state = NS_KX_WAIT_NEWKEYS;
	if (!e->kex_first_done && e->role == NS_ROLE_SERVER && e->peer_ext_info &&
	    (rc = send_ext_info(e)) != 0) {
		return rc;
	}
	return ns_eng_flush_deferred(e);
}

int ns_kex_start(ns_engine *e)
{
	int first = !e->kex_first_done;
	uint8_t cookie[16];
	int rc;

	if (e->kex_state != NS_KX_NONE) {
		return 0;
	}
	ns_buf_reset(&e->my_kexinit);
	ns_buf_reset(&e->peer_kexinit);
	ns_eng_random(e, cookie, sizeof(cookie));
	if ((rc = ns_kexinit_build_algs(
	         e->role, first,
	         e->role == NS_ROLE_SERVER ? e->host_cert.len > 0 : e->cfg.host_certs, e->kexs,
	         e->ciphers, e->macs, cookie, &e->my_kexinit)) != 0) {
		return rc;
	}
	e->sent_newkeys = 0;
	e->kex_state = NS_KX_SENT_INIT;
	ns_buf_reset(&e->msg);
	if ((rc = ns_wr_bytes(&e->msg, e->my_kexinit.p, e->my_kexinit.len)) != 0) {
		return rc;
	}
	return ns_eng_send(e);
}

void ns_kex_eph_free(ns_engine *e)
{
	if (e->eph != NULL) {
		sodium_memzero(e->eph, sizeof(*e->eph));
		e->alloc.realloc(e->alloc.ctx, e->eph, 0);
		e->eph = NULL;
	}
}

static int send_ecdh_init(ns_engine *e)
{
	ns_buf *m;
	int rc;

	ns_kex_eph_free(e);
	if ((e->eph = e->alloc.realloc(e->alloc.ctx, NULL, sizeof(*e->eph))) == NULL) {
		return ns_eng_fail(e, NS_ERR_NOMEM, NS_DISC_BY_APPLICATION, "out of memory");
	}
	if ((rc = ns_kex_keygen(e->kex_method, e->cfg.random, e->cfg.random_ctx, e->eph->secret,
	                        e->eph->pub, &e->eph->pub_len)) != 0) {
		ns_kex_eph_free(e);
		return ns_eng_fail(e, rc, NS_DISC_KEY_EXCHANGE_FAILED, "cannot make a key pair");
	}
	m = ns_eng_msg(e, SSH_MSG_KEX_ECDH_INIT);
	ns_wr_string(m, e->eph->pub, e->eph->pub_len); /* Q_C */
	return ns_eng_send(e);
}

static int on_kexinit(ns_engine *e, ns_str payload)
{
	ns_kexinit mine, peer;
	ns_kex_result res;
	int rc, which, first = !e->kex_first_done;

	if (e->kex_state == NS_KX_NONE && (rc = ns_kex_start(e)) != 0) {
		return ns_eng_fail(e, rc, NS_DISC_BY_APPLICATION, "cannot start key exchange");
	}
	if (e->kex_state != NS_KX_SENT_INIT) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "unexpected KEXINIT during key exchange");
	}
	if ((rc = ns_kexinit_parse(payload.p, payload.len, &peer)) != 0) {
		return ns_eng_fail(e, rc, NS_DISC_PROTOCOL_ERROR, "malformed KEXINIT");
	}
	if ((rc = ns_wr_bytes(&e->peer_kexinit, payload.p, payload.len)) != 0) {
		return ns_eng_fail(e, rc, NS_DISC_PROTOCOL_ERROR, "KEXINIT too large");
	}
	ns_kexinit_parse(e->my_kexinit.p, e->my_kexinit.len, &mine);
	if (ns_kexinit_negotiate(e->role, first, &mine, &peer, &res, &which) != 0) {
		ns_kexinit_nomatch(e->role, which, &mine, &peer, e->fail_msg, sizeof(e->fail_msg));
		return ns_eng_fail(e, NS_ERR_NOMATCH, NS_DISC_KEY_EXCHANGE_FAILED, e->fail_msg);
	}
	if (first) {
		e->strict = res.strict;
		e->peer_ext_info = res.peer_ext_info;
		if (e->strict && e->rx_seq_cur != 0) {
			return ns_eng_fail(
			    e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
			    "strict KEX violation: KEXINIT was not the first packet");
		}
	}
	memcpy(e->kex_alg, res.kex, sizeof(e->kex_alg));
	e->hostkey_cert = res.hostkey_cert;
	memcpy(e->hostkey_alg, res.hostkey_alg, sizeof(e->hostkey_alg));
	e->newkeys_tx.cipher = e->role == NS_ROLE_CLIENT ? res.cipher_cs : res.cipher_sc;
	e->newkeys_rx.cipher = e->role == NS_ROLE_CLIENT ? res.cipher_sc : res.cipher_cs;
	e->newkeys_tx.mac = e->role == NS_ROLE_CLIENT ? res.mac_cs : res.mac_sc;
	e->newkeys_rx.mac = e->role == NS_ROLE_CLIENT ? res.mac_sc : res.mac_cs;
	e->kex_method = res.kex_method;
	e->ignore_next_kex_packet = res.guess_wrong;
	e->kex_state = NS_KX_GOT_INIT;
	if (e->role == NS_ROLE_CLIENT) {
		return send_ecdh_init(e);
	}
	return 0;
}

static int server_ecdh_init(ns_engine *e, ns_rd *r)
{
	uint8_t blob[NS_KEY_BLOB_LEN], h[NS_KEX_HASH_MAX], sig[NS_SIG_BLOB_LEN], kmp[NS_KEX_K_MAX];
	uint8_t q_s[NS_KEX_PUB_MAX];
	ns_str k_s, q_c, mine;
	size_t kmp_len, hlen, q_s_len;
	ns_buf *m;
	int rc;

	if (ns_kex_ecdh_init_parse(r, &q_c) != 0) {
		return ns_eng_fail(e, NS_ERR_FORMAT, NS_DISC_PROTOCOL_ERROR,
		                   "malformed KEX_ECDH_INIT");
	}
	ns_key_blob(e->host_key.pk, blob);
	k_s.p = blob;
	k_s.len = sizeof(blob);
	if (e->hostkey_cert) {
		k_s.p = e->host_cert.p;
		k_s.len = e->host_cert.len;
	}
	/* ECDH: a fresh key pair; a hybrid: the encapsulation to Q_C */
	if ((rc = ns_kex_reply(e->kex_method, e->cfg.random, e->cfg.random_ctx, q_c.p, q_c.len, q_s,
	                       &q_s_len, kmp, &kmp_len)) != 0) {
		return ns_eng_fail(e, rc, NS_DISC_KEY_EXCHANGE_FAILED, "invalid client public key");
	}
	mine.p = q_s;
	mine.len = q_s_len;
	hlen = compute_keys(e, k_s, mine, q_c, kmp, kmp_len, h);
	sodium_memzero(kmp, sizeof(kmp));
	if ((rc = ns_key_sign(&e->host_key, h, hlen, sig)) != 0) {
		return ns_eng_fail(e, rc, NS_DISC_KEY_EXCHANGE_FAILED, "cannot sign");
	}
	m = ns_eng_msg(e, SSH_MSG_KEX_ECDH_REPLY);
	ns_wr_str(m, k_s);                 /* K_S */
	ns_wr_string(m, q_s, q_s_len);     /* Q_S */
	ns_wr_string(m, sig, sizeof(sig)); /* signature */
	if ((rc = ns_eng_send(e)) != 0) {
		return rc;
	}
	return send_newkeys(e);
}

static int client_ecdh_reply(ns_engine *e, ns_rd *r)
{
	uint8_t h[NS_KEX_HASH_MAX], kmp[NS_KEX_K_MAX];
	ns_str k_s, sig, q_s, mine;
	size_t kmp_len, hlen;
	int rc;

	if (ns_kex_ecdh_reply_parse(r, &k_s, &q_s, &sig) != 0) {
		return ns_eng_fail(e, NS_ERR_FORMAT, NS_DISC_PROTOCOL_ERROR,
		                   "malformed KEX_ECDH_REPLY");
	}
	if ((rc = ns_kex_hostkey_parse(e, k_s)) != 0) {
		return rc;
	}
	if (e->eph == NULL) { /* no KEX_ECDH_INIT of ours: the peer replied to nothing */
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "unexpected KEX_ECDH_REPLY");
	}
	rc = ns_kex_shared(e->kex_method, e->eph->secret, q_s.p, q_s.len, kmp, &kmp_len);
	sodium_memzero(e->eph->secret, sizeof(e->eph->secret));
	if (rc != 0) { /* invalid public value, or an all-zero X25519 secret */
		ns_kex_eph_free(e);
		return ns_eng_fail(e, rc, NS_DISC_KEY_EXCHANGE_FAILED, "invalid server public key");
	}
	mine.p = e->eph->pub;
	mine.len = e->eph->pub_len;
	hlen = compute_keys(e, k_s, mine, q_s, kmp, kmp_len, h);
	ns_kex_eph_free(e);
	sodium_memzero(kmp, sizeof(kmp));
	/* 1: a rekey with the host key already accepted */
	if ((rc = ns_kex_hostkey_verify(e, k_s, sig, h, hlen)) != 1) {
		return rc;
	}
	return send_newkeys(e);
}

int ns_kex_verdict(ns_engine *e, int ok)
{
	if (e->role != NS_ROLE_CLIENT || e->kex_state != NS_KX_WAIT_VERDICT) {
		return NS_ERR_STATE;
	}
	if (!ok) {
		return ns_eng_fail(e, NS_ERR_HOSTKEY_UNKNOWN, NS_DISC_HOST_KEY_NOT_VERIFIABLE,
		                   "host key verification failed");
	}
	e->have_peer_hostkey = 1;
	return send_newkeys(e);
}

static int on_newkeys(ns_engine *e, ns_rd *r)
{
	int rc;

	if (ns_rd_end(r) != 0 || e->kex_state != NS_KX_WAIT_NEWKEYS || !e->newkeys_rx_ready) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "unexpected NEWKEYS");
	}
	rc = ns_pkt_set_keys(&e->rx, &e->newkeys_rx);
	sodium_memzero(&e->newkeys_rx, sizeof(e->newkeys_rx));
	e->newkeys_rx_ready = 0;
	if (rc != 0) { /* cannot happen: we accept only ciphers this CPU runs */
		return ns_eng_fail(e, rc, NS_DISC_KEY_EXCHANGE_FAILED, "cannot install keys");
	}
	if (e->strict) {
		e->rx.seq = 0;
	}
	e->kex_state = NS_KX_NONE;
	e->kex_count++;
	e->kex_done_ms = e->now_ms;
	e->rx.bytes = e->rx.packets = 0;
	e->tx.bytes = e->tx.packets = 0;
	e->rekey_wanted = 0;
	return ns_eng_kex_finished(e);
}

int ns_kex_dispatch(ns_engine *e, uint8_t type, ns_rd *r, ns_str payload)
{
	if (type == SSH_MSG_KEXINIT) {
		return on_kexinit(e, payload);
	}
	if (type == SSH_MSG_NEWKEYS) {
		return on_newkeys(e, r);
	}
	if (e->kex_state != NS_KX_GOT_INIT) {
		return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
		                   "key exchange message out of order");
	}
	if (e->ignore_next_kex_packet) {
		e->ignore_next_kex_packet = 0;
		return 0;
	}
	if (type == SSH_MSG_KEX_ECDH_INIT && e->role == NS_ROLE_SERVER) {
		return server_ecdh_init(e, r);
	}
	if (type == SSH_MSG_KEX_ECDH_REPLY && e->role == NS_ROLE_CLIENT) {
		return client_ecdh_reply(e, r);
	}
	return ns_eng_fail(e, NS_ERR_PROTOCOL, NS_DISC_PROTOCOL_ERROR,
	                   "key exchange message for the wrong role");
}

int ns_kex_check_limits(ns_engine *e)
{
	uint64_t limit = e->cfg.rekey_bytes;

	if (e->kex_state != NS_KX_NONE || !e->kex_first_done || e->phase == NS_PH_CLOSED) {
		return 0;
	}
	if (e->rekey_wanted || e->tx.bytes >= limit || e->rx.bytes >= limit ||
	    e->tx.packets >= KEX_MAX_PACKETS || e->rx.packets >= KEX_MAX_PACKETS ||
	    e->now_ms - e->kex_done_ms >= e->cfg.rekey_ms) {
		e->rekey_wanted = 0;
		return ns_kex_start(e);
	}
	return 0;
}
