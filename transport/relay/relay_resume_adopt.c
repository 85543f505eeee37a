/* A RESUME on a new socket (relay_resume.h): the connection it names must
 * be resumable and alive, the token must be that connection's current one
 * (compared in constant time; a new token is issued at every resume, so
 * an old one is refused) and the byte count inside what the relay kept.
 * Then the socket moves to that connection, which replays from there
 * (with its WebSocket framing and TLS, for one that came that way). */
#include <string.h>

#include <sodium.h>

#include "relay_int.h"

void ns_relay_resume_token_tag(const uint8_t token[NS_RESUME_TOKEN_LEN], char out[9])
{
	uint8_t h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, token, NS_RESUME_TOKEN_LEN);
	sodium_bin2hex(out, 9, h, 4);
	sodium_memzero(h, sizeof(h));
}

static ns_relay_conn *find(ns_relay *r, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < r->max_conns; i++) {
		if (r->conns[i] != NULL && r->conns[i]->id == id) {
			return r->conns[i];
		}
	}
	return NULL;
}

/* Why the hello on c cannot resume old, or NULL. A connection resumes on
 * the transport it began on (a WebSocket one only through an upgrade for
 * its own sandbox), after its token is checked: so the token says nothing
 * to a client of the other door. */
static const char *check(const ns_relay_conn *c, ns_relay_conn *old, const ns_resume_ev *ev)
{
	ns_relay_resume *ors = old != NULL ? old->front.rs : NULL;

	if (ors == NULL || old->closing || old->front.pump.done ||
	    (ors->state != NS_RRS_OPEN && ors->state != NS_RRS_DETACHED)) {
		return "no-such-connection";
	}
	if (sodium_memcmp(ev->token, ors->token, NS_RESUME_TOKEN_LEN) != 0) {
		return "bad-token";
	}
	if ((c->front.ws != NULL) != (old->front.ws != NULL)) {
		return "wrong-transport";
	}
	if (c->front.ws != NULL &&
	    strcmp(ns_relay_ws_sandbox(c->front.ws), ns_relay_ws_sandbox(old->front.ws)) != 0) {
		return "wrong-sandbox";
	}
	if (ev->count < ors->tx.acked || ev->count - ors->tx.acked > ors->tx.len) {
		return "out-of-window";
	}
	return NULL;
}

void ns_relay_resume_adopt(ns_relay_resume *rs, const ns_resume_ev *ev)
{
	ns_relay_conn *c = rs->c, *old = find(c->r, ev->conn_id);
	ns_relay *r = c->r;
	ns_relay_resume *ors;
	/* this socket's own version line must be out whole before another
	 * connection's frames follow it (a fresh socket always takes it) */
	const char *why = rs->ver_left > 0 ? "version-unsent" : check(c, old, ev);
	uint64_t replay, away;
	char tag[9];
	int fd;

	if (why != NULL) {
		fprintf(r->log, "relay event=resume-refused conn=%u peer=%s target=%u reason=%s\n",
		        c->id, c->peer, (unsigned)ev->conn_id, why);
		ns_relay_resume_refuse(rs, why);
		return;
	}
	ors = old->front.rs;
	if (old->front.w.fd >= 0) { /* the relay had not seen the loss yet */
		fprintf(r->log, "relay event=resume-replaced conn=%u\n", old->id);
		ns_watch_close(r->epfd, &old->front.w);
	}
	fd = c->front.w.fd;
	(void)ns_watch_set(r->epfd, &c->front.w, 0); /* out of the set, still open */
	c->front.w.fd = -1;
	ns_watch_init(&old->front.w, fd,
	              ns_watch_token(NS_RELAY_WATCH_FRONT, old->slot, old->gen, 0));
	if (c->front.ws != NULL) {
		ns_relay_ws_move(c, old); /* the socket's framing and TLS go with it */
	}
	old->front.pump.readable = 1;
	old->front.pump.wblocked = 0;
	ns_resume_dec_init(&ors->dec);
	ors->cert_len = 0; /* a CERT cut by the loss comes again whole */
	ors->cert_oom = 0;
	replay = ors->tx.acked + ors->tx.len - ev->count;
	away = ors->state == NS_RRS_DETACHED ? r->now - ors->detached_at : 0;
	(void)ns_resume_tx_rewind(&ors->tx, ev->count); /* checked above */
	ns_relay_resume_accept(ors);
	ors->resumes++;
	ns_relay_resume_token_tag(ors->token, tag);
	fprintf(r->log,
	        "relay event=resume conn=%u via=%u peer=%s token=%s replay=%llu away_ms=%llu "
	        "resumes=%u\n",
	        old->id, c->id, c->peer, tag, (unsigned long long)replay, (unsigned long long)away,
	        ors->resumes);
	rs->state = NS_RRS_HANDED;
	ns_relay_dirty(old);
}
