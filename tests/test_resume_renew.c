/* Certificate renewal over the resumable transport (issue 18): the CERT,
 * CERT_OK and CERT_NO frames (resume_wire.c), the relay's check of a
 * renewed certificate against the login's (relay_renew.c: same key, same
 * sandbox, trusted CA, valid now, not revoked, grants no more), and what a
 * CERT does to the connection: its expiry moves, or nothing but a refusal
 * with its reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "nullspace/cert.h"
#include "nullspace/keys.h"
#include "relay_int.h"
#include "resume_wire.h"

#define SB "sb_renew1"
#define EXT_LOGIN (NS_EXT_PERMIT_PTY | NS_EXT_PERMIT_PORT_FORWARDING)

typedef struct world {
	ns_key ca, ca2, user, other;
	ns_relay_config cfg;
	ns_relay r;
	uint32_t dirty[4];
	uint64_t due[1];
	ns_relay_conn *c;
	uint64_t now;
	uint8_t login[NS_CERT_BLOB_MAX];
	size_t login_len;
} world;

/* A user certificate for pk, signed by ca, for principal, valid until
 * now + until_s, with ext. */
static size_t mint(const world *w, const ns_key *ca, const uint8_t *pk, const char *principal,
                   int64_t until_s, uint32_t ext, uint64_t serial, const char *force, uint8_t *out)
{
	const char *principals[1] = {principal};
	ns_cert_spec spec;
	size_t len = 0;

	memset(&spec, 0, sizeof(spec));
	spec.type = NS_CERT_USER;
	spec.key_id = "renew-test";
	spec.serial = serial;
	spec.principals = principals;
	spec.nprincipals = 1;
	spec.valid_after = w->now - 60;
	spec.valid_before = (uint64_t)((int64_t)w->now + until_s);
	spec.extensions = ext;
	spec.force_command = force;
	assert_int_equal(ns_cert_sign(ca, pk, &spec, out, NS_CERT_BLOB_MAX, &len), 0);
	return len;
}

static int setup(void **state)
{
	world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->now = (uint64_t)time(NULL);
	assert_int_equal(ns_key_generate(&w->ca, "ca"), 0);
	assert_int_equal(ns_key_generate(&w->ca2, "ca2"), 0);
	assert_int_equal(ns_key_generate(&w->user, "user"), 0);
	assert_int_equal(ns_key_generate(&w->other, "other"), 0);
	w->r.cfg = &w->cfg;
	w->r.log = tmpfile();
	assert_non_null(w->r.log);
	w->r.dirty = w->dirty;
	w->r.due = w->due;
	w->r.now = 1000000;
	memcpy(w->r.cas[0], w->ca.pk, NS_ED25519_PK_LEN);
	w->r.nca = 1;
	w->c = calloc(1, sizeof(*w->c));
	assert_non_null(w->c);
	w->c->r = &w->r;
	w->c->authed = 1;
	snprintf(w->c->user, sizeof(w->c->user), "%s", SB);
	snprintf(w->c->peer, sizeof(w->c->peer), "127.0.0.1");
	w->login_len = mint(w, &w->ca, w->user.pk, SB, 60, EXT_LOGIN, 1, NULL, w->login);
	w->c->cert_blob = malloc(w->login_len);
	assert_non_null(w->c->cert_blob);
	memcpy(w->c->cert_blob, w->login, w->login_len);
	w->c->cert_len = w->login_len;
	w->c->valid_before = w->now + 60;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	world *w = *state;

	ns_relay_resume_free(w->c->front.rs);
	free(w->c->cert_blob);
	free(w->c);
	fclose(w->r.log);
	free(w);
	return 0;
}

/* The relay's verdict on blob (NULL: accepted). */
static const char *check(world *w, const uint8_t *blob, size_t len)
{
	static char buf[64];
	ns_cert cert;

	return ns_relay_renew_check(w->c, blob, len, w->now, &cert, buf, sizeof(buf));
}

static void assert_why(const char *why, const char *want)
{
	assert_non_null(why);
	assert_string_equal(why, want);
}

static void accepts_same_key_and_sandbox(void **state)
{
	world *w = *state;
	uint8_t b[NS_CERT_BLOB_MAX];
	size_t n = mint(w, &w->ca, w->user.pk, SB, 600, EXT_LOGIN, 2, NULL, b);

	assert_null(check(w, b, n));
	/* fewer rights is no more */
	n = mint(w, &w->ca, w->user.pk, SB, 600, NS_EXT_PERMIT_PTY, 3, NULL, b);
	assert_null(check(w, b, n));
}

static void refuses_forgeries(void **state)
{
	world *w = *state;
	uint8_t b[NS_CERT_BLOB_MAX];
	size_t n;

	n = mint(w, &w->ca, w->other.pk, SB, 600, EXT_LOGIN, 2, NULL, b);
	assert_why(check(w, b, n), "other-key");
	n = mint(w, &w->ca, w->user.pk, "sb_renew2", 600, EXT_LOGIN, 2, NULL, b);
	assert_why(check(w, b, n), "wrong-principal");
	n = mint(w, &w->ca, w->user.pk, SB, -1, EXT_LOGIN, 2, NULL, b);
	assert_why(check(w, b, n), "expired");
	n = mint(w, &w->ca2, w->user.pk, SB, 600, EXT_LOGIN, 2, NULL, b);
	assert_why(check(w, b, n), "untrusted-ca");
	n = mint(w, &w->ca, w->user.pk, SB, 600, EXT_LOGIN | NS_EXT_PERMIT_AGENT_FORWARDING, 2,
	         NULL, b);
	assert_why(check(w, b, n), "grants-more");
	n = mint(w, &w->ca, w->user.pk, SB, 600, EXT_LOGIN, 2, "true", b);
	assert_why(check(w, b, n), "grants-more");
	memset(b, 0x41, 200);
	assert_why(check(w, b, 200), "malformed");
	n = mint(w, &w->ca, w->user.pk, SB, 600, EXT_LOGIN, 2, NULL, b);
	b[n - 3] ^= 1; /* in the signature */
	assert_why(check(w, b, n), "bad-signature");
}

static void refuses_revoked_and_unauthenticated(void **state)
{
	world *w = *state;
	uint8_t b[NS_CERT_BLOB_MAX];
	size_t n = mint(w, &w->ca, w->user.pk, SB, 600, EXT_LOGIN, 7, NULL, b);
	char list[] = "serial: 7\n";

	w->r.revoked = list;
	w->r.revoked_len = strlen(list);
	assert_why(check(w, b, n), "revoked-serial");
	w->r.revoked = NULL;
	w->r.revoked_len = 0;
	w->c->authed = 0;
	assert_why(check(w, b, n), "not-logged-in");
}

/* The answer frame the relay queued: its type, valid_before or text. */
static int queued(world *w, uint64_t *vb, char *text)
{
	ns_resume_tx *t = &w->c->front.rs->tx;
	ns_resume_dec d;
	ns_resume_ev ev;
	size_t used;
	int type;

	ns_resume_dec_init(&d);
	ns_resume_dec_next(&d, t->ctl, t->clen, &used, &ev);
	assert_int_equal(ev.type, NS_REV_FRAME);
	assert_int_equal(used, t->clen);
	type = ev.frame;
	*vb = ev.count;
	strcpy(text, ev.text);
	t->clen = t->coff = 0;
	return type;
}

/* blob in two pieces, as the decoder hands a CERT out. */
static void feed(world *w, const uint8_t *blob, size_t n)
{
	ns_relay_renew_piece(w->c->front.rs, blob, n / 2, 0);
	ns_relay_renew_piece(w->c->front.rs, blob + n / 2, n - n / 2, 1);
}

static void cert_moves_expiry_or_nothing(void **state)
{
	world *w = *state;
	uint8_t b[NS_CERT_BLOB_MAX];
	char text[NS_RESUME_TEXT_MAX + 1], logbuf[2048];
	uint64_t vb = 0;
	size_t n;

	w->c->front.rs = calloc(1, sizeof(ns_relay_resume));
	assert_non_null(w->c->front.rs);
	w->c->front.rs->c = w->c;
	w->c->front.rs->state = NS_RRS_OPEN;
	w->c->life.warned = 1;
	n = mint(w, &w->ca, w->user.pk, SB, 600, EXT_LOGIN, 2, NULL, b);
	feed(w, b, n);
	assert_int_equal(queued(w, &vb, text), NS_RF_CERT_OK);
	assert_int_equal(vb, w->now + 600);
	assert_int_equal(w->c->valid_before, w->now + 600);
	assert_int_equal(w->c->life.warned, 0); /* warned again before the new end */
	assert_non_null(w->c->front.rs->renewed);

	/* at once again: refused unchecked */
	n = mint(w, &w->ca, w->user.pk, SB, 900, EXT_LOGIN, 3, NULL, b);
	feed(w, b, n);
	assert_int_equal(queued(w, &vb, text), NS_RF_CERT_NO);
	assert_string_equal(text, "too-soon");
	assert_int_equal(w->c->valid_before, w->now + 600);

	/* later, another key's valid certificate: refused, nothing moves */
	w->r.now += NS_RELAY_RENEW_SPACING_MS;
	n = mint(w, &w->ca, w->other.pk, SB, 900, EXT_LOGIN, 4, NULL, b);
	feed(w, b, n);
	assert_int_equal(queued(w, &vb, text), NS_RF_CERT_NO);
	assert_string_equal(text, "other-key");
	assert_int_equal(w->c->valid_before, w->now + 600);

	/* the log says both */
	fflush(w->r.log);
	rewind(w->r.log);
	n = fread(logbuf, 1, sizeof(logbuf) - 1, w->r.log);
	logbuf[n] = '\0';
	assert_non_null(
	    strstr(logbuf, "event=cert-renewed conn=0 user=" SB " cert_id=renew-test serial=2 "));
	assert_non_null(
	    strstr(logbuf, "event=cert-renew-refused conn=0 user=" SB " reason=too-soon"));
	assert_non_null(strstr(logbuf, "reason=other-key"));
}

/* CERT, CERT_OK and CERT_NO decoded a byte at a time. */
static void cert_frames_bytewise(void **state)
{
	uint8_t buf[1024], got[600];
	size_t n = 0, off = 0, used, glen = 0, i;
	ns_resume_dec d;
	ns_resume_ev ev;
	int frames = 0, last = 0;

	(void)state;
	n += ns_resume_put_cert_hdr(buf, 500);
	for (i = 0; i < 500; i++) {
		buf[n++] = (uint8_t)i;
	}
	n += ns_resume_put_cert_ok(buf + n, 0x0102030405060708ull);
	n += ns_resume_put_text(buf + n, NS_RF_CERT_NO, "other-key");
	ns_resume_dec_init(&d);
	while (off < n) {
		ns_resume_dec_next(&d, buf + off, 1, &used, &ev);
		off += used;
		assert_int_not_equal(ev.type, NS_REV_ERROR);
		if (ev.type == NS_REV_CERT) {
			memcpy(got + glen, ev.p, ev.len);
			glen += ev.len;
			last += ev.count == 0;
			assert_int_equal(ev.count, 500 - glen);
		} else if (ev.type == NS_REV_FRAME && frames++ == 0) {
			assert_int_equal(ev.frame, NS_RF_CERT_OK);
			assert_int_equal(ev.count, 0x0102030405060708ull);
		} else if (ev.type == NS_REV_FRAME) {
			assert_int_equal(ev.frame, NS_RF_CERT_NO);
			assert_string_equal(ev.text, "other-key");
		}
	}
	assert_int_equal(glen, 500);
	assert_int_equal(last, 1);
	assert_memory_equal(got, buf + NS_RESUME_DATA_HDR, 500);
	assert_int_equal(frames, 2);
}

static void cert_length_bounds(void **state)
{
	uint8_t buf[NS_RESUME_DATA_HDR];
	uint32_t bad[2] = {0, NS_RESUME_CERT_MAX + 1};
	ns_resume_dec d;
	ns_resume_ev ev;
	size_t used;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		ns_resume_put_cert_hdr(buf, bad[i]);
		ns_resume_dec_init(&d);
		ns_resume_dec_next(&d, buf, sizeof(buf), &used, &ev);
		assert_int_equal(ev.type, NS_REV_ERROR);
		assert_string_equal(ev.why, "bad-cert-length");
		ns_resume_dec_next(&d, buf, sizeof(buf), &used, &ev); /* sticky */
		assert_int_equal(ev.type, NS_REV_ERROR);
	}
	ns_resume_put_cert_hdr(buf, NS_RESUME_CERT_MAX);
	ns_resume_dec_init(&d);
	ns_resume_dec_next(&d, buf, sizeof(buf), &used, &ev);
	assert_int_equal(ev.type, NS_REV_NONE);
	assert_int_equal(used, sizeof(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(cert_frames_bytewise),
	    cmocka_unit_test(cert_length_bounds),
	    cmocka_unit_test_setup_teardown(accepts_same_key_and_sandbox, setup, teardown),
	    cmocka_unit_test_setup_teardown(refuses_forgeries, setup, teardown),
	    cmocka_unit_test_setup_teardown(refuses_revoked_and_unauthenticated, setup, teardown),
	    cmocka_unit_test_setup_teardown(cert_moves_expiry_or_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
