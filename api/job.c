/* Jobs of the Commands and Files APIs (job.h): the worker thread that
 * connects to the sandbox's agent and runs the command, the waiter thread
 * that resumes a suspended connection when a pipe is ready, and the
 * reference count that frees a job once both threads and the API side are
 * done with it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "clock.h"
#include "job.h"
#include "nullspace/error.h"

static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned count;
/* Resume the connection if it waits (j->mu held). */
static void wake_locked(ns_job *j)
{
	if (j->suspended && j->conn != NULL) {
		j->suspended = 0;
		MHD_resume_connection(j->conn);
	}
}

static ns_job *live[NS_API_JOBS_MAX]; /* for ns_job_resume_all */
static int stopping;

static void live_set(ns_job *j, ns_job *to)
{
	size_t i;

	for (i = 0; i < NS_API_JOBS_MAX; i++) {
		if (live[i] == j) {
			live[i] = to;
			return;
		}
	}
}

void ns_job_allow(void)
{
	pthread_mutex_lock(&count_mu);
	stopping = 0;
	pthread_mutex_unlock(&count_mu);
}

void ns_job_resume_all(void)
{
	size_t i;

	pthread_mutex_lock(&count_mu);
	stopping = 1;
	for (i = 0; i < NS_API_JOBS_MAX; i++) {
		if (live[i] != NULL) {
			pthread_mutex_lock(&live[i]->mu);
			wake_locked(live[i]);
			pthread_mutex_unlock(&live[i]->mu);
		}
	}
	pthread_mutex_unlock(&count_mu);
}

unsigned ns_job_count(void)
{
	unsigned n;

	pthread_mutex_lock(&count_mu);
	n = count;
	pthread_mutex_unlock(&count_mu);
	return n;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

ns_job *ns_job_new(int *full)
{
	ns_job *j;

	*full = 0;
	pthread_mutex_lock(&count_mu);
	if (count >= NS_API_JOBS_MAX) {
		pthread_mutex_unlock(&count_mu);
		*full = 1;
		return NULL;
	}
	count++;
	pthread_mutex_unlock(&count_mu);
	if ((j = calloc(1, sizeof(*j))) == NULL) {
		pthread_mutex_lock(&count_mu);
		count--;
		pthread_mutex_unlock(&count_mu);
		return NULL;
	}
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, NULL);
	j->refs = 1;
	pthread_mutex_lock(&count_mu);
	live_set(NULL, j);
	pthread_mutex_unlock(&count_mu);
	j->in_w = j->out_r = j->err_r = j->out_w = j->err_w = j->in_r = j->wake_fd = -1;
	j->exit_status = -1;
	return j;
}

static void unref(ns_job *j)
{
	int last;

	pthread_mutex_lock(&j->mu);
	last = --j->refs == 0;
	pthread_mutex_unlock(&j->mu);
	if (!last) {
		return;
	}
	pthread_mutex_lock(&count_mu);
	live_set(j, NULL);
	pthread_mutex_unlock(&count_mu);
	close_fd(&j->in_w);
	close_fd(&j->out_r);
	close_fd(&j->err_r);
	close_fd(&j->in_r);
	close_fd(&j->out_w);
	close_fd(&j->err_w);
	close_fd(&j->wake_fd);
	ns_client_buf_free(&j->out);
	ns_client_buf_free(&j->err);
	free(j->command);
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j);
	pthread_mutex_lock(&count_mu);
	count--;
	pthread_mutex_unlock(&count_mu);
}

static int run(ns_job *j)
{
	ns_client_config cfg;
	ns_client_run_opts o;
	ns_client *c = NULL;
	int rc;

	ns_client_config_init(&cfg);
	cfg.host = j->ent.endpoint;
	cfg.user = j->ent.user;
	cfg.key = j->key;
	cfg.hostkey_policy = NS_HOSTKEY_PINNED;
	cfg.hostkey_pin = j->ent.host_key;
	cfg.keepalive_ms = NS_API_JOB_KEEPALIVE_MS;
	if ((rc = ns_client_connect(&cfg, &c, j->msg, sizeof(j->msg))) != 0) {
		return rc;
	}
	if (j->mode == NS_JOB_CAPTURE) {
		j->out.max = j->err.max = j->capture_max;
		rc = ns_client_exec_capture(c, j->command, NULL, 0, &j->out, &j->err,
		                            &j->exit_status, &j->exit_signal);
		if (rc == NS_ERR_TOOBIG) {
			rc = 0; /* the caller sees len == max */
		}
	} else {
		ns_client_run_opts_init(&o);
		o.command = j->command;
		o.fd_in = j->in_r;
		o.fd_out = j->out_w;
		o.fd_err = j->err_w;
		rc = ns_client_run(c, &o);
		if (rc >= 0) {
			j->status = rc;
			rc = 0;
		}
	}
	if (rc < 0) {
		snprintf(j->msg, sizeof(j->msg), "%s", ns_client_error(c));
	}
	ns_client_close(c);
	return rc;
}

static void *worker(void *arg)
{
	ns_job *j = arg;
	int rc = run(j);

	/* the API side sees the ends of the pipes first, then done */
	close_fd(&j->out_w);
	close_fd(&j->err_w);
	close_fd(&j->in_r);
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	j->ended_ms = (int64_t)ns_clock_ms();
	j->done = 1;
	wake_locked(j);
	pthread_mutex_unlock(&j->mu);
	unref(j);
	return NULL;
}

static void *waiter(void *arg)
{
	ns_job *j = arg;
	struct pollfd p[4];
	uint64_t v;
	int seen = 0, n, i;

	for (;;) {
		pthread_mutex_lock(&j->mu);
		while (!j->quit && seen == j->wait_seq) {
			pthread_cond_wait(&j->cv, &j->mu);
		}
		if (j->quit) {
			pthread_mutex_unlock(&j->mu);
			break;
		}
		seen = j->wait_seq;
		for (i = 0, n = 0; i < 3; i++) {
			if (j->wait_fds[i] >= 0) {
				p[n].fd = j->wait_fds[i];
				p[n++].events = j->wait_ev[i];
			}
		}
		p[n].fd = j->wake_fd;
		p[n++].events = POLLIN;
		pthread_mutex_unlock(&j->mu);
		while (poll(p, (nfds_t)n, -1) < 0 && errno == EINTR) {
		}
		if (p[n - 1].revents & POLLIN) {
			(void)!read(j->wake_fd, &v, sizeof(v));
		}
		pthread_mutex_lock(&j->mu);
		if (seen == j->wait_seq) {
			wake_locked(j);
		}
		pthread_mutex_unlock(&j->mu);
	}
	unref(j);
	return NULL;
}

static int pipe_pair(int *api_end, int *worker_end, int api_reads)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) != 0) {
		return NS_ERR_IO;
	}
	(void)fcntl(p[0], F_SETPIPE_SZ, NS_API_JOB_PIPE_SIZE); /* a hint only */
	*api_end = api_reads ? p[0] : p[1];
	*worker_end = api_reads ? p[1] : p[0];
	return fcntl(*api_end, F_SETFL, O_NONBLOCK) == 0 ? 0 : NS_ERR_IO;
}

static int spawn(ns_job *j, void *(*fn)(void *))
{
	pthread_attr_t a;
	pthread_t t;
	int rc;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&j->mu);
	j->refs++;
	pthread_mutex_unlock(&j->mu);
	rc = pthread_create(&t, &a, fn, j);
	pthread_attr_destroy(&a);
	if (rc != 0) {
		pthread_mutex_lock(&j->mu);
		j->refs--;
		pthread_mutex_unlock(&j->mu);
		return NS_ERR_NOMEM;
	}
	return 0;
}

int ns_job_start(ns_job *j, struct MHD_Connection *c)
{
	int rc = NS_ERR_IO;

	j->conn = c;
	j->started_ms = (int64_t)ns_clock_ms();
	if (j->mode == NS_JOB_PIPES) {
		if (pipe_pair(&j->out_r, &j->out_w, 1) != 0 ||
		    pipe_pair(&j->err_r, &j->err_w, 1) != 0) {
			return NS_ERR_IO;
		}
		if (j->want_stdin ? pipe_pair(&j->in_w, &j->in_r, 0) != 0
		                  : (j->in_r = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
			return NS_ERR_IO;
		}
	}
	if ((j->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		return NS_ERR_IO;
	}
	j->wait_fds[0] = j->wait_fds[1] = j->wait_fds[2] = -1;
	if ((rc = spawn(j, waiter)) != 0) {
		return rc;
	}
	if ((rc = spawn(j, worker)) != 0) {
		pthread_mutex_lock(&j->mu);
		j->done = 1;
		j->rc = rc;
		pthread_mutex_unlock(&j->mu);
	}
	return 0;
}

void ns_job_wait(ns_job *j, int fd1, short ev1, int fd2, short ev2)
{
	uint64_t one = 1;

	pthread_mutex_lock(&count_mu);
	if (stopping) {
		pthread_mutex_unlock(&count_mu);
		return;
	}
	pthread_mutex_unlock(&count_mu);
	pthread_mutex_lock(&j->mu);
	if (j->done || j->conn == NULL) {
		pthread_mutex_unlock(&j->mu);
		return; /* the caller is called again at once */
	}
	MHD_suspend_connection(j->conn);
	j->suspended = 1;
	j->wait_fds[0] = fd1;
	j->wait_ev[0] = ev1;
	j->wait_fds[1] = fd2;
	j->wait_ev[1] = ev2;
	j->wait_fds[2] = j->err_r;
	j->wait_ev[2] = POLLIN;
	j->wait_seq++;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
	(void)!write(j->wake_fd, &one, sizeof(one));
}

int ns_job_done(ns_job *j)
{
	int d;

	pthread_mutex_lock(&j->mu);
	d = j->done;
	pthread_mutex_unlock(&j->mu);
	return d;
}

int ns_job_drain_err(ns_job *j)
{
	char buf[4096];
	ssize_t n;
	size_t room;

	while (j->err_r >= 0) {
		n = read(j->err_r, buf, sizeof(buf));
		if (n == 0) {
			close_fd(&j->err_r);
			return 1;
		}
		if (n < 0) {
			return errno == EINTR ? ns_job_drain_err(j) : 0;
		}
		room = NS_API_JOB_STDERR_KEEP - j->errtext_len;
		if (room > (size_t)n) {
			room = (size_t)n;
		}
		memcpy(j->errtext + j->errtext_len, buf, room);
		j->errtext_len += room;
		j->errtext[j->errtext_len] = '\0';
	}
	return 1;
}

void ns_job_release(ns_job *j)
{
	uint64_t one = 1;

	if (j == NULL) {
		return;
	}
	pthread_mutex_lock(&j->mu);
	j->quit = 1;
	j->conn = NULL;
	j->suspended = 0;
	pthread_cond_signal(&j->cv);
	close_fd(&j->in_w);
	close_fd(&j->out_r);
	close_fd(&j->err_r);
	pthread_mutex_unlock(&j->mu);
	if (j->wake_fd >= 0) {
		(void)!write(j->wake_fd, &one, sizeof(one));
	}
	unref(j);
}
