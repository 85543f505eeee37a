/* A job: one command run in a sandbox over SSH for the Commands and Files
 * APIs, on a thread of its own so that the API's loop never blocks on a
 * sandbox. The API reaches the agent as the relay does: our client
 * library, the registry's endpoint and pinned host key, the relay's client
 * key (the only key agents trust). A second thread waits on the job's
 * pipes for the suspended HTTP connection and resumes it (libmicrohttpd's
 * suspend/resume), so data flows with no busy loop and no whole-file
 * buffer. Freed when the API side, the worker and the waiter are done. */
#ifndef NS_API_JOB_H
#define NS_API_JOB_H

#include <microhttpd.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "nullspace/client.h"
#include "nullspace/keys.h"
#include "registry.h"

#define NS_API_JOBS_MAX 32             /* commands and transfers running at once */
#define NS_API_JOB_PIPE_SIZE (1 << 20) /* bytes a job's pipe may hold */
#define NS_API_JOB_KEEPALIVE_MS 15000  /* probe a silent agent that often */
#define NS_API_JOB_STDERR_KEEP 512     /* bytes of a helper's stderr kept */

enum ns_job_mode {
	NS_JOB_CAPTURE = 1, /* ns_client_exec_capture: stdout/stderr into buffers */
	NS_JOB_PIPES,       /* ns_client_run on pipes the API side reads/writes */
};

typedef struct ns_job {
	/* set before ns_job_start, then read-only */
	ns_registry_entry ent;
	const ns_key *key;
	char *command;
	int mode;
	size_t capture_max; /* CAPTURE: per stream */
	int want_stdin;     /* PIPES: in is a pipe (else /dev/null) */
	/* the API side's pipe ends (non-blocking; -1 once closed) */
	int in_w, out_r, err_r;
	/* results, readable once done */
	int rc, exit_status, exit_signal, status; /* status: ns_client_run's */
	ns_client_buf out, err;
	char msg[NS_CLIENT_ERR_MAX];
	int64_t started_ms, ended_ms;
	/* the API side's own state (server_files.c) */
	int state, failed, timed_out, got_head;
	uint64_t size, done_bytes;
	char head[32];
	size_t head_len;
	char errtext[NS_API_JOB_STDERR_KEEP + 1];
	size_t errtext_len;
	int out_eof, err_eof;
	/* internal */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct MHD_Connection *conn;
	int suspended, done, refs, quit;
	int wait_fds[3];
	short wait_ev[3];
	int wait_seq;
	int wake_fd;            /* eventfd: the waiter's poll ends */
	int out_w, err_w, in_r; /* the worker's ends */
} ns_job;

/* How many jobs are alive now (all threads). */
unsigned ns_job_count(void);
/* A new job (refs: the API side's one); NULL when out of memory or over
 * NS_API_JOBS_MAX (*full set). */
ns_job *ns_job_new(int *full);
/* Start the worker and the waiter for connection c. 0 or NS_ERR_*. */
int ns_job_start(ns_job *j, struct MHD_Connection *c);
/* Suspend c until the job ends or one of the fds (-1: none) is ready for
 * its events; the stderr pipe is always watched. Call from the API thread. */
void ns_job_wait(ns_job *j, int fd1, short ev1, int fd2, short ev2);
int ns_job_done(ns_job *j);
/* Drain the stderr pipe into errtext (the rest dropped); 1 at its EOF. */
int ns_job_drain_err(ns_job *j);
/* Resume every suspended connection and suspend none from now on (before
 * MHD_stop_daemon, which refuses suspended connections). */
void ns_job_resume_all(void);
/* Suspending allowed again (a server starts). */
void ns_job_allow(void);
/* The API side lets go (closes its pipe ends, stops the waiter). */
void ns_job_release(ns_job *j);

#endif
