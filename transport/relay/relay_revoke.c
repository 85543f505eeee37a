/* Live revocation at the relay (docs/relay.md, "Live revocation"): a thread
 * of its own polls --revocations-url (relay_revoke_fetch.c: libcurl, ETag)
 * and leaves each result in a slot; the loop takes it at its next timer
 * scan (at least once a second), so it never blocks on the network. A new
 * list applies to new logins and ends the connections whose certificate it
 * revokes; a list older than --revocations-max-stale refuses new logins
 * (fail closed, the default) or lets them in (fail open), logged either way. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "relay_int.h"

#define ERR_MAX 160
/* One fetch may take half the max staleness, within these: a request that
 * hangs (an API that accepted and never answered) is given up and tried
 * again while the list in force is still fresh. */
#define FETCH_MIN_MS 1000
#define FETCH_MAX_MS 10000

struct ns_relay_revoke {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	/* the slot, written by the thread */
	int fresh, status; /* status: 200, 304 or a negative NS_ERR_* */
	char *text;
	size_t len;
	char err[ERR_MAX];
	/* the loop's own */
	char *list; /* in force, or NULL before the first list */
	size_t list_len;
	uint64_t last_ok, started; /* ms */
	int stale;                 /* logged as stale */
};

static void *thread_main(void *arg)
{
	ns_relay *r = arg;
	struct ns_relay_revoke *rv = r->rv;
	char etag[NS_RELAY_ETAG_MAX] = "", err[ERR_MAX];
	struct timespec until;
	unsigned limit = r->cfg->revocations_max_stale_ms / 2;
	char *text;
	size_t len;
	int st;

	limit = limit < FETCH_MIN_MS ? FETCH_MIN_MS : limit > FETCH_MAX_MS ? FETCH_MAX_MS : limit;
	pthread_mutex_lock(&rv->mu);
	while (!rv->stop) {
		pthread_mutex_unlock(&rv->mu);
		text = NULL;
		len = 0;
		err[0] = '\0';
		st = ns_relay_revoke_fetch(r->cfg->revocations_url, r->cfg->revocations_key, limit,
		                           etag, &text, &len, err, sizeof(err));
		pthread_mutex_lock(&rv->mu);
		free(rv->text); /* a result the loop never took */
		rv->text = text;
		rv->len = len;
		rv->status = st;
		memcpy(rv->err, err, sizeof(err));
		rv->fresh = 1;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += r->cfg->revocations_interval_ms / 1000;
		until.tv_nsec += (long)(r->cfg->revocations_interval_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!rv->stop && pthread_cond_timedwait(&rv->cv, &rv->mu, &until) == 0) {
		}
	}
	pthread_mutex_unlock(&rv->mu);
	return NULL;
}

int ns_relay_revoke_start(ns_relay *r)
{
	struct ns_relay_revoke *rv;

	if (r->cfg->revocations_url == NULL) {
		return 0;
	}
	if ((rv = calloc(1, sizeof(*rv))) == NULL) {
		return NS_ERR_NOMEM;
	}
	pthread_mutex_init(&rv->mu, NULL);
	pthread_cond_init(&rv->cv, NULL);
	rv->started = ns_clock_ms();
	r->rv = rv;
	if (ns_relay_revoke_fetch_init() != 0 ||
	    pthread_create(&rv->th, NULL, thread_main, r) != 0) {
		r->rv = NULL;
		free(rv);
		return NS_ERR_IO;
	}
	fprintf(r->log,
	        "relay event=revocations url-set=yes interval_ms=%u max_stale_ms=%u fail=%s\n",
	        r->cfg->revocations_interval_ms, r->cfg->revocations_max_stale_ms,
	        r->cfg->revocations_fail_open ? "open" : "closed");
	return 0;
}

void ns_relay_revoke_stop(ns_relay *r)
{
	struct ns_relay_revoke *rv = r->rv;

	if (rv == NULL) {
		return;
	}
	pthread_mutex_lock(&rv->mu);
	rv->stop = 1;
	pthread_cond_signal(&rv->cv);
	pthread_mutex_unlock(&rv->mu);
	pthread_join(rv->th, NULL); /* at most one fetch's timeout */
	free(rv->text);
	free(rv->list);
	pthread_mutex_destroy(&rv->mu);
	pthread_cond_destroy(&rv->cv);
	free(rv);
	r->rv = NULL;
}

/* Every line a revocation line (blank and '#' ones included)? */
static int list_ok(const char *t, size_t len, size_t *n)
{
	size_t i = 0, end;
	const char *nl;

	*n = 0;
	while (i < len) {
		nl = memchr(t + i, '\n', len - i);
		end = nl != NULL ? (size_t)(nl - t) : len;
		if (ns_revoked_line_parse(t + i, end - i) != 0) {
			return 0;
		}
		*n += end > i && t[i] != '#';
		i = end + 1;
	}
	return 1;
}

/* The connections whose certificate the new list revokes end now. */
static void sweep(ns_relay *r)
{
	static const char msg[] = "nullspace relay: the certificate of this session has been "
	                          "revoked";
	uint32_t i;
	ns_cert cert;
	int reason = 0;

	for (i = 0; i < r->max_conns; i++) {
		ns_relay_conn *c = r->conns[i];
		const ns_relay_resume *rs = c != NULL ? c->front.rs : NULL;
		if (c == NULL || !c->authed || c->closing || c->cert_blob == NULL ||
		    ns_cert_parse(c->cert_blob, c->cert_len, &cert, &reason) != 0) {
			continue;
		}
		/* the login's certificate, or a renewed one (relay_renew.c) */
		if (ns_revoked_check(r->rv->list, r->rv->list_len, &cert, &reason) == 0 &&
		    (rs == NULL || rs->renewed == NULL ||
		     ns_cert_parse(rs->renewed, rs->renewed_len, &cert, &reason) != 0 ||
		     ns_revoked_check(r->rv->list, r->rv->list_len, &cert, &reason) == 0)) {
			continue;
		}
		fprintf(r->log,
		        "relay event=revoked conn=%u sandbox=%s cert_id=%s serial=%llu reason=%s\n",
		        c->id, c->user, c->cert_id, c->serial, ns_cert_reason_name(reason));
		/* NS_ERR_CLOSED only: then it is closing already */
		(void)!ns_engine_disconnect(c->front.e, NS_DISC_BY_APPLICATION, msg);
		ns_relay_dirty(c);
	}
}

static void take(ns_relay *r, int status, char *text, size_t len, const char *err, uint64_t now)
{
	struct ns_relay_revoke *rv = r->rv;
	size_t n = 0;

	if (status == 200 && !list_ok(text, len, &n)) {
		status = NS_ERR_FORMAT;
		err = "a line is not a revocation line";
	}
	if (status == 200) {
		free(rv->list);
		rv->list = text;
		rv->list_len = len;
		rv->last_ok = now;
		fprintf(r->log, "relay event=revocations-loaded entries=%zu\n", n);
		sweep(r);
		return;
	}
	free(text);
	if (status == 304) {
		rv->last_ok = now;
		return;
	}
	fprintf(r->log, "relay event=revocations-fetch-failed error=\"%s\"\n",
	        err[0] != '\0' ? err : ns_strerror(status));
}

int ns_relay_revoke_stale(ns_relay *r, uint64_t now)
{
	struct ns_relay_revoke *rv = r->rv;
	uint64_t since = rv->last_ok != 0 ? rv->last_ok : rv->started;

	return rv->list == NULL || now - since > r->cfg->revocations_max_stale_ms;
}

uint64_t ns_relay_revoke_age_ms(const ns_relay *r, uint64_t now)
{
	const struct ns_relay_revoke *rv = r->rv;

	if (rv == NULL || rv->last_ok == 0) {
		return UINT64_MAX;
	}
	return now > rv->last_ok ? now - rv->last_ok : 0;
}

void ns_relay_revoke_tick(ns_relay *r, uint64_t now)
{
	struct ns_relay_revoke *rv = r->rv;
	char err[ERR_MAX], *text;
	int fresh, status, stale;
	size_t len;

	if (rv == NULL) {
		return;
	}
	pthread_mutex_lock(&rv->mu);
	fresh = rv->fresh;
	status = rv->status;
	text = rv->text;
	len = rv->len;
	memcpy(err, rv->err, sizeof(err));
	rv->fresh = 0;
	rv->text = NULL;
	pthread_mutex_unlock(&rv->mu);
	if (fresh) {
		take(r, status, text, len, err, now);
	}
	stale = ns_relay_revoke_stale(r, now);
	if (stale != rv->stale) {
		rv->stale = stale;
		fprintf(r->log, "relay event=%s fail=%s\n",
		        stale ? "revocations-stale" : "revocations-fresh",
		        r->cfg->revocations_fail_open ? "open" : "closed");
	}
}

int ns_relay_revoke_login(ns_relay_conn *c, const ns_cert *cert, char *why, size_t cap, int *code)
{
	ns_relay *r = c->r;
	int reason = 0;

	if (r->rv == NULL) {
		return 0;
	}
	/* a list fetched since the last timer scan counts now: the first one
	 * arrives just after start, when the first login may come too */
	ns_relay_revoke_tick(r, r->now);
	if (ns_relay_revoke_stale(r, r->now)) {
		if (r->cfg->revocations_fail_open) {
			fprintf(
			    r->log,
			    "relay event=revocations-unchecked conn=%u reason=revocations-stale "
			    "fail=open\n",
			    c->id);
			return 0;
		}
		snprintf(why, cap, "revocations-stale");
		*code = -1;
		return NS_ERR_AUTH;
	}
	if (ns_revoked_check(r->rv->list, r->rv->list_len, cert, &reason) != 0) {
		snprintf(why, cap, "%s", ns_cert_reason_name(reason));
		*code = reason;
		return NS_ERR_AUTH;
	}
	return 0;
}

void ns_relay_revoke_keep(ns_relay_conn *c, ns_str blob)
{
	/* kept for the live list, and for a renewal's checks (relay_renew.c) */
	if ((c->r->rv == NULL && c->front.rs == NULL) || c->cert_blob != NULL) {
		return;
	}
	if ((c->cert_blob = malloc(blob.len)) != NULL) {
		memcpy(c->cert_blob, blob.p, blob.len);
		c->cert_len = blob.len;
	}
}
