/* Certificate renewal in `nullspace proxy --renew ID tcp://...` (issue 18):
 * a margin before the certificate expires, a thread mints a new one for
 * the same key through the API (as `nullspace ssh` does, files written),
 * and the proxy's loop sends it to the relay in a CERT frame, between two
 * frames of the stream, which never waits for the API. docs/relay.md,
 * "Certificate renewal". The static build (NS_NO_API) has no API client:
 * there --renew only says that it is off. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cli.h"
#include "file.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "proxy_int.h"
#include "sandbox_int.h"
#include "sshfiles.h"

enum { R_WAIT = 0, R_MINT, R_SEND, R_ANSWER, R_OFF };

struct ns_proxy_renew {
	char sandbox[NS_API_ID_MAX + 1];
	int minutes, permits;
	ns_api *api;
	int state, tries;
	uint64_t valid_before, at; /* unix seconds: the current cert's end; next step */
	/* the mint thread and its result, under mu */
	pthread_t th;
	pthread_mutex_t mu;
	int done, rc;
	uint8_t *blob;
	size_t blob_len;
	uint64_t blob_vb;
	char err[256];
	/* the CERT frame: header and certificate, how much is written */
	uint8_t *frame;
	size_t frame_len, off;
};

uint64_t ns_proxy_renew_when(uint64_t now, uint64_t valid_before)
{
	uint64_t left = valid_before > now ? valid_before - now : 0;
	uint64_t margin = left / NS_PROXY_RENEW_FRACTION;

	margin = margin > NS_PROXY_RENEW_MARGIN_S ? margin : NS_PROXY_RENEW_MARGIN_S;
	margin = margin < left - left / NS_PROXY_RENEW_FRACTION
	             ? margin
	             : left - left / NS_PROXY_RENEW_FRACTION;
	return now + left - margin;
}

#ifdef NS_NO_API
static void *mint_main(void *arg)
{
	return arg; /* never started: ns_proxy_renew_new makes no object */
}
#else
static void *mint_main(void *arg)
{
	ns_proxy_renew *rn = arg;
	ns_sshaccess a;
	ns_sshfiles f;
	ns_key key;
	char err[sizeof(rn->err)] = "";
	int rc, api_failed = 0;

	memset(&a, 0, sizeof(a));
	if ((rc = ns_cli_ssh_files(rn->sandbox, &f, &key)) != 0) {
		snprintf(err, sizeof(err), "cannot read the key under NULLSPACE_HOME/ssh");
		rc = NS_ERR_IO;
	} else {
		f.fresh = 1;
		f.no_port_forwarding = (rn->permits & NS_CLI_NO_PORT_FORWARDING) != 0;
		f.agent_forwarding = (rn->permits & NS_CLI_AGENT_FORWARDING) != 0;
		rc = ns_sshfiles_access(&f, rn->api, rn->sandbox, &key, rn->minutes,
		                        (int64_t)time(NULL), &a, &api_failed, err, sizeof(err));
		ns_key_wipe(&key);
	}
	pthread_mutex_lock(&rn->mu);
	rn->rc = rc;
	memcpy(rn->err, err, sizeof(err));
	if (rc == 0) {
		rn->blob = a.cert; /* ours now */
		rn->blob_len = a.cert_len;
		rn->blob_vb = (uint64_t)a.expires_at;
		a.cert = NULL;
	}
	rn->done = 1;
	pthread_mutex_unlock(&rn->mu);
	ns_sshaccess_free(&a);
	return NULL;
}
#endif

/* A failure (one line): try again later, or give up. */
static void failed(ns_proxy_renew *rn, const char *what, const char *why, uint64_t now)
{
	rn->tries++;
	if (rn->tries >= NS_PROXY_RENEW_TRIES || now + NS_PROXY_RENEW_RETRY_S >= rn->valid_before) {
		fprintf(stderr,
		        "nullspace proxy: certificate renewal failed (%s: %s); giving up: the "
		        "session may end when the certificate expires\n",
		        what, why);
		rn->state = R_OFF;
		return;
	}
	fprintf(stderr, "nullspace proxy: certificate renewal failed (%s: %s); retrying in %d s\n",
	        what, why, NS_PROXY_RENEW_RETRY_S);
	rn->state = R_WAIT;
	rn->at = now + NS_PROXY_RENEW_RETRY_S;
}

/* The thread's result: the frame to send, or a failure. */
static void take(ns_proxy_renew *rn, uint64_t now)
{
	pthread_join(rn->th, NULL);
	rn->done = 0;
	if (rn->rc != 0) {
		failed(rn, "minting", rn->err[0] ? rn->err : ns_strerror(rn->rc), now);
		return;
	}
	free(rn->frame);
	rn->frame = malloc(NS_RESUME_DATA_HDR + rn->blob_len);
	if (rn->frame == NULL || rn->blob_len > NS_RESUME_CERT_MAX) {
		failed(rn, "minting", "the certificate does not fit a CERT frame", now);
	} else {
		rn->frame_len = ns_resume_put_cert_hdr(rn->frame, (uint32_t)rn->blob_len);
		memcpy(rn->frame + rn->frame_len, rn->blob, rn->blob_len);
		rn->frame_len += rn->blob_len;
		rn->off = 0;
		rn->state = R_SEND;
	}
	free(rn->blob);
	rn->blob = NULL;
}

void ns_proxy_renew_tick(ns_proxy_renew *rn)
{
	uint64_t now = (uint64_t)time(NULL);
	int done;

	if (rn == NULL) {
		return;
	}
	if (rn->state == R_WAIT && now >= rn->at) {
		rn->done = 0;
		if (pthread_create(&rn->th, NULL, mint_main, rn) != 0) {
			failed(rn, "minting", "cannot start a thread", now);
			return;
		}
		rn->state = R_MINT;
	}
	if (rn->state == R_MINT) {
		pthread_mutex_lock(&rn->mu);
		done = rn->done;
		pthread_mutex_unlock(&rn->mu);
		if (done) {
			take(rn, now);
		}
	}
	if (rn->state == R_ANSWER && now >= rn->at) {
		failed(rn, "the relay", "no answer", now);
	}
}

size_t ns_proxy_renew_next(ns_proxy_renew *rn, const uint8_t **p)
{
	if (rn == NULL || rn->state != R_SEND) {
		return 0;
	}
	*p = rn->frame + rn->off;
	return rn->frame_len - rn->off;
}

int ns_proxy_renew_busy(const ns_proxy_renew *rn)
{
	return rn != NULL && rn->state == R_SEND && rn->off > 0;
}

void ns_proxy_renew_wrote(ns_proxy_renew *rn, size_t k)
{
	rn->off += k;
	if (rn->off == rn->frame_len) {
		rn->state = R_ANSWER;
		rn->at = (uint64_t)time(NULL) + NS_PROXY_RENEW_ANSWER_S;
	}
}

void ns_proxy_renew_answer(ns_proxy_renew *rn, const ns_resume_ev *ev)
{
	uint64_t now = (uint64_t)time(NULL);

	if (rn == NULL || rn->state != R_ANSWER) {
		return; /* an answer to nothing: ignored */
	}
	if (ev->frame == NS_RF_CERT_NO) {
		failed(rn, "the relay refused it", ev->text, now);
		return;
	}
	rn->valid_before = ev->count;
	rn->tries = 0;
	rn->state = R_WAIT;
	rn->at = ns_proxy_renew_when(now, rn->valid_before);
}

void ns_proxy_renew_reconnected(ns_proxy_renew *rn)
{
	if (rn != NULL && (rn->state == R_SEND || rn->state == R_ANSWER)) {
		rn->state = R_SEND; /* the relay forgot a frame half-read; resend it whole */
		rn->off = 0;
	}
}

#ifdef NS_NO_API
int ns_proxy_renew_new(const char *sandbox, int minutes, int permits, ns_proxy_renew **out)
{
	(void)minutes;
	(void)permits;
	*out = NULL;
	fprintf(stderr,
	        "nullspace proxy: this build has no API client: no certificate renewal for %s\n",
	        sandbox);
	return NS_ERR_INVALID;
}
#else
/* The certificate `nullspace ssh` wrote for this session: its end. */
static int current_end(const char *sandbox, uint64_t *vb)
{
	ns_sshfiles f;
	ns_key key;
	ns_cert c;
	char *text = NULL;
	uint8_t *blob = NULL;
	size_t len = 0, blen = 0;
	int rc;

	if ((rc = ns_cli_ssh_files(sandbox, &f, &key)) != 0) {
		return NS_ERR_IO;
	}
	ns_key_wipe(&key);
	if ((rc = ns_file_read(f.cert, NS_CERT_LINE_MAX, &text, &len)) == 0 &&
	    (blob = malloc(NS_CERT_BLOB_MAX)) == NULL) {
		rc = NS_ERR_NOMEM;
	}
	if (rc == 0 && (rc = ns_cert_from_line(text, len, blob, NS_CERT_BLOB_MAX, &blen)) == 0 &&
	    (rc = ns_cert_parse(blob, blen, &c, NULL)) == 0) {
		*vb = c.valid_before;
	}
	free(text);
	free(blob);
	return rc;
}

int ns_proxy_renew_new(const char *sandbox, int minutes, int permits, ns_proxy_renew **out)
{
	ns_proxy_renew *rn;
	int rc;

	*out = NULL;
	if ((rn = calloc(1, sizeof(*rn))) == NULL) {
		return NS_ERR_NOMEM;
	}
	snprintf(rn->sandbox, sizeof(rn->sandbox), "%s", sandbox);
	rn->minutes = minutes;
	rn->permits = permits;
	pthread_mutex_init(&rn->mu, NULL);
	if ((rc = current_end(sandbox, &rn->valid_before)) != 0) {
		fprintf(stderr,
		        "nullspace proxy: no certificate of %s to renew (%s); renewal is off\n",
		        sandbox, ns_strerror(rc));
	} else if ((rc = ns_cli_api_open(NULL, NULL, &rn->api)) != 0) {
		rc = NS_ERR_INVALID; /* said; renewal is off */
	}
	if (rc != 0) {
		ns_proxy_renew_free(rn);
		return rc;
	}
	rn->at = ns_proxy_renew_when((uint64_t)time(NULL), rn->valid_before);
	*out = rn;
	return 0;
}
#endif

void ns_proxy_renew_free(ns_proxy_renew *rn)
{
	if (rn == NULL) {
		return;
	}
	if (rn->state == R_MINT) {
		/* the proxy is exiting: not waiting for the API, the thread keeps
		 * rn until the process ends */
		pthread_detach(rn->th);
		return;
	}
#ifndef NS_NO_API
	if (rn->api != NULL) {
		ns_api_close(rn->api);
	}
#endif
	free(rn->blob);
	free(rn->frame);
	pthread_mutex_destroy(&rn->mu);
	free(rn);
}
