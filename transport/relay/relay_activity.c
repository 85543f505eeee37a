/* Keep-awake at the relay (issue 18, docs/relay.md "Keep-awake"): the data
 * path sets c->moved (one store, relay_flow.c); every --activity-interval
 * the timer scan gathers the sandboxes of the connections that moved bytes
 * (and of those that ended since) and hands one report to a thread of its
 * own, which POSTs it (relay_activity_post.c), so the loop never waits on
 * the network. A failed report is logged and its sandboxes go again with
 * the next interval's. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "relay_int.h"

#define ERR_MAX 160

struct ns_relay_activity {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop;
	char *body; /* a report for the thread, NULL when none waits */
	int done;   /* the thread's result is in: */
	int status; /* 0 or a negative NS_ERR_* */
	char err[ERR_MAX];
	/* the loop's own */
	int busy, due;
	uint64_t next_at;
	uint64_t dropped; /* ids lost past the pending limit, since logged */
	ns_relay_idset pending, inflight;
};

static void *thread_main(void *arg)
{
	ns_relay *r = arg;
	struct ns_relay_activity *a = r->act;
	char err[ERR_MAX], *body;
	int st;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (!a->stop && a->body == NULL) {
			pthread_cond_wait(&a->cv, &a->mu);
		}
		if (a->stop) {
			break;
		}
		body = a->body;
		a->body = NULL;
		pthread_mutex_unlock(&a->mu);
		err[0] = '\0';
		st = ns_relay_activity_post(r->cfg->activity_url, r->cfg->activity_key, body, err,
		                            sizeof(err));
		free(body);
		pthread_mutex_lock(&a->mu);
		a->status = st;
		memcpy(a->err, err, sizeof(err));
		a->done = 1;
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

int ns_relay_activity_start(ns_relay *r)
{
	struct ns_relay_activity *a;

	if (r->cfg->activity_url == NULL) {
		return 0;
	}
	if (ns_relay_activity_post_init() != 0) {
		fprintf(r->log, "relay event=error what=activity error=\"%s\"\n",
		        "--activity-url needs libcurl: not in this build");
		return NS_ERR_INVALID;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		return NS_ERR_NOMEM;
	}
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	ns_relay_idset_init(&a->pending, NS_RELAY_ACTIVITY_PENDING_MAX);
	ns_relay_idset_init(&a->inflight, NS_RELAY_ACTIVITY_BATCH_MAX);
	r->act = a;
	if (pthread_create(&a->th, NULL, thread_main, r) != 0) {
		r->act = NULL;
		pthread_mutex_destroy(&a->mu);
		pthread_cond_destroy(&a->cv);
		free(a);
		return NS_ERR_IO;
	}
	fprintf(r->log, "relay event=activity url-set=yes interval_ms=%u\n",
	        r->cfg->activity_interval_ms);
	return 0;
}

void ns_relay_activity_stop(ns_relay *r)
{
	struct ns_relay_activity *a = r->act;

	if (a == NULL) {
		return;
	}
	pthread_mutex_lock(&a->mu);
	a->stop = 1;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->th, NULL); /* at most one report's timeout */
	free(a->body);
	ns_relay_idset_free(&a->pending);
	ns_relay_idset_free(&a->inflight);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
	r->act = NULL;
}

static void note(struct ns_relay_activity *a, const char *id)
{
	a->dropped += ns_relay_idset_add(&a->pending, id) < 0;
}

void ns_relay_activity_gone(ns_relay_conn *c)
{
	if (c->r->act != NULL && c->authed && c->moved) {
		note(c->r->act, c->user);
	}
}

/* Every connection that moved channel bytes since the last look. */
static void gather(ns_relay *r)
{
	uint32_t i;

	for (i = 0; i < r->max_conns; i++) {
		ns_relay_conn *c = r->conns[i];
		if (c != NULL && c->moved) {
			c->moved = 0;
			if (c->authed) {
				note(r->act, c->user);
			}
		}
	}
}

/* The thread's answer to the report in flight. */
static void result(ns_relay *r, int status, const char *err)
{
	struct ns_relay_activity *a = r->act;

	a->busy = 0;
	if (status == 0) {
		fprintf(r->log, "relay event=activity-report sandboxes=%u result=ok\n",
		        a->inflight.n);
		/* more than one report's worth waits: the next goes now */
		a->due = a->pending.n > 0 && a->due;
	} else {
		fprintf(r->log,
		        "relay event=activity-report sandboxes=%u result=failed reason=\"%s\"\n",
		        a->inflight.n, err[0] != '\0' ? err : ns_strerror(status));
		a->dropped += ns_relay_idset_merge(&a->pending, &a->inflight);
		a->due = 0; /* again at the next interval, with its own */
	}
	ns_relay_idset_clear(&a->inflight);
}

/* Hand the next batch of pending ids to the thread. */
static void send_one(ns_relay *r)
{
	struct ns_relay_activity *a = r->act;
	char *body;

	(void)ns_relay_idset_take(&a->pending, NS_RELAY_ACTIVITY_BATCH_MAX, &a->inflight);
	if ((body = ns_relay_activity_body(&a->inflight)) == NULL) {
		a->dropped += ns_relay_idset_merge(&a->pending, &a->inflight);
		ns_relay_idset_clear(&a->inflight);
		return;
	}
	pthread_mutex_lock(&a->mu);
	a->body = body;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
	a->busy = 1;
	a->due = a->pending.n > 0; /* the rest right after this one */
}

void ns_relay_activity_tick(ns_relay *r, uint64_t now)
{
	struct ns_relay_activity *a = r->act;
	char err[ERR_MAX];
	int done, status;

	if (a == NULL) {
		return;
	}
	pthread_mutex_lock(&a->mu);
	done = a->done;
	status = a->status;
	memcpy(err, a->err, sizeof(err));
	a->done = 0;
	pthread_mutex_unlock(&a->mu);
	if (done) {
		result(r, status, err);
	}
	if (now >= a->next_at) {
		a->next_at = now + r->cfg->activity_interval_ms;
		gather(r);
		a->due = 1;
		if (a->dropped > 0) {
			fprintf(r->log,
			        "relay event=activity-dropped sandboxes=%llu reason=pending-full "
			        "limit=%u\n",
			        (unsigned long long)a->dropped, NS_RELAY_ACTIVITY_PENDING_MAX);
			a->dropped = 0;
		}
	}
	if (a->pending.n == 0) {
		a->due = 0; /* nothing to say: the next interval decides */
	} else if (a->due && !a->busy) {
		send_one(r);
	}
}
