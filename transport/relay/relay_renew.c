/* Certificate renewal on a resumable connection (issue 18): the proxy
 * sends a fresh certificate in a CERT frame; if it is the login's in all
 * that matters (trusted CA, same key, same sandbox, same route, grants no
 * more), valid now and not revoked, the connection's expiry moves to its
 * valid_before. docs/relay.md, "Certificate renewal". */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "nullspace/cert.h"
#include "relay_int.h"

static int same_str(ns_str a, ns_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* The agent each certificate routes to is the same one (or neither has a
 * route: the registry's, as at login). */
static int same_route(const ns_relay *r, const ns_cert *login, const ns_cert *cert)
{
	ns_relay_route_info a, b;

	ns_relay_route_from_cert(r, login, &a);
	ns_relay_route_from_cert(r, cert, &b);
	if (a.src != b.src) {
		return 0;
	}
	return a.src != NS_RELAY_FROM_CERT ||
	       (strcmp(a.ent.id, b.ent.id) == 0 && strcmp(a.ent.endpoint, b.ent.endpoint) == 0 &&
	        strcmp(a.ent.user, b.ent.user) == 0 &&
	        memcmp(a.ent.host_key, b.ent.host_key, sizeof(a.ent.host_key)) == 0);
}

/* Nothing the login's certificate did not grant: no extension more, the
 * same force-command (or none on both). */
static int grants_no_more(const ns_cert *login, const ns_cert *cert)
{
	ns_str fa, fb;
	int ha = ns_cert_option(login, 1, "force-command", &fa) == 0;
	int hb = ns_cert_option(cert, 1, "force-command", &fb) == 0;

	if ((ns_cert_extension_bits(cert) & ~ns_cert_extension_bits(login)) != 0) {
		return 0;
	}
	return ha == hb && (!ha || same_str(fa, fb));
}

const char *ns_relay_renew_check(ns_relay_conn *c, const uint8_t *blob, size_t len, uint64_t now_s,
                                 ns_cert *cert, char *why, size_t cap)
{
	ns_cert_policy pol;
	ns_cert_verdict v;
	ns_cert login;
	int reason = 0, code = 0;

	if (!c->authed || c->cert_blob == NULL ||
	    ns_cert_parse(c->cert_blob, c->cert_len, &login, NULL) != 0) {
		return "not-logged-in";
	}
	if (ns_cert_parse(blob, len, cert, &reason) != 0) {
		return ns_cert_reason_name(reason);
	}
	if (cert->key_type != login.key_type || !same_str(cert->key_fields, login.key_fields)) {
		return "other-key";
	}
	memset(&pol, 0, sizeof(pol));
	memset(&v, 0, sizeof(v));
	pol.ca_keys = (const uint8_t(*)[NS_ED25519_PK_LEN])c->r->cas;
	pol.nca = c->r->nca;
	pol.type = NS_CERT_USER;
	pol.principal = c->user;
	pol.now = now_s;
	pol.peer_addr = c->peer;
	pol.revoked = c->r->revoked;
	pol.revoked_len = c->r->revoked_len;
	pol.max_lifetime = c->r->cfg->max_cert_lifetime;
	if (ns_cert_check(cert, &pol, &v) != 0) {
		return ns_cert_reason_name(v.reason);
	}
	if (!same_route(c->r, &login, cert)) {
		return "other-route";
	}
	if (!grants_no_more(&login, cert)) {
		return "grants-more";
	}
	if (ns_relay_revoke_login(c, cert, why, cap, &code) != 0) {
		return why; /* the live list */
	}
	return NULL;
}

/* The answer frame into the control queue. */
static void answer(ns_relay_resume *rs, const char *why, uint64_t vb)
{
	uint8_t f[NS_RESUME_HDR_MAX];
	size_t n =
	    why != NULL ? ns_resume_put_text(f, NS_RF_CERT_NO, why) : ns_resume_put_cert_ok(f, vb);

	if (ns_resume_tx_ctl(&rs->tx, f, n) != 0) {
		fprintf(rs->c->r->log, "relay event=cert-renew-answer-dropped conn=%u\n",
		        rs->c->id);
	}
	ns_relay_dirty(rs->c);
}

/* The certificate whole in rs->cert: checked, then taken or refused. */
static void judge(ns_relay_resume *rs)
{
	ns_relay_conn *c = rs->c;
	uint64_t now = c->r->now;
	const char *why = NULL;
	char buf[64], id[64];
	ns_cert cert;
	uint8_t *keep;

	if (rs->renewed_at != 0 && now - rs->renewed_at < NS_RELAY_RENEW_SPACING_MS) {
		why = "too-soon";
	} else if (c->life.end_at != 0 || c->closing) {
		why = "ending";
	} else {
		why = ns_relay_renew_check(c, rs->cert, rs->cert_len, (uint64_t)time(NULL), &cert,
		                           buf, sizeof(buf));
	}
	rs->renewed_at = now;
	if (why == NULL && (keep = malloc(rs->cert_len)) == NULL) {
		why = "no-memory";
	}
	if (why != NULL) {
		fprintf(c->r->log, "relay event=cert-renew-refused conn=%u user=%s reason=%s\n",
		        c->id, c->user, why);
		answer(rs, why, 0);
		return;
	}
	memcpy(keep, rs->cert, rs->cert_len);
	free(rs->renewed);
	rs->renewed = keep; /* checked against each new revocation list */
	rs->renewed_len = rs->cert_len;
	c->valid_before = cert.valid_before;
	c->life.warned = 0; /* a warning again before the new expiry */
	rs->renewals++;
	ns_log_str(cert.key_id, id, sizeof(id));
	fprintf(c->r->log,
	        "relay event=cert-renewed conn=%u user=%s cert_id=%s serial=%llu valid_before=%llu "
	        "renewals=%u\n",
	        c->id, c->user, id, (unsigned long long)cert.serial,
	        (unsigned long long)cert.valid_before, rs->renewals);
	answer(rs, NULL, cert.valid_before);
}

void ns_relay_renew_piece(ns_relay_resume *rs, const uint8_t *p, size_t n, int last)
{
	if (rs->cert == NULL && !rs->cert_oom && (rs->cert = malloc(NS_RESUME_CERT_MAX)) == NULL) {
		rs->cert_oom = 1; /* the rest is dropped; refused at the end */
	}
	if (rs->cert != NULL && rs->cert_len + n <= NS_RESUME_CERT_MAX) {
		memcpy(rs->cert + rs->cert_len, p, n); /* the decoder bounds the frame */
		rs->cert_len += n;
	}
	if (!last) {
		return;
	}
	if (rs->cert_oom) {
		fprintf(rs->c->r->log, "relay event=cert-renew-refused conn=%u reason=no-memory\n",
		        rs->c->id);
		answer(rs, "no-memory", 0);
	} else {
		judge(rs);
	}
	free(rs->cert);
	rs->cert = NULL;
	rs->cert_len = 0;
	rs->cert_oom = 0;
}
