/* The relay child of `nullspace up`: `nullspace relay` with the state
 * folder's keys and registry, certificates no longer-lived than the API
 * mints (NS_UP_MAX_CERT_LIFETIME), in its own process group (so a Ctrl-C at the
 * terminal reaches only `up`, which stops it in order), stderr shared with
 * `up`, SIGTERM if `up` dies, its WebSocket listener when `up` has one,
 * keep-awake reports to `up`'s API and live revocation from it, with a key
 * of this run's; the wait for
 * its readiness notice; its stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "file.h"
#include "nullspace/error.h"
#include "spawn.h"
#include "up_int.h"

#define POLL_MS 20

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* The relay's command line into argv (cap entries, NULL-ended). */
static void relay_argv(const char *exe, const char *listen, const char *ws_listen,
                       const char *ws_secret, const ns_up_state *st, const char **argv, size_t cap)
{
	const char *fixed[] = {
	    exe, "relay", "--listen", listen, "--host-key", st->relay_host_key, "--ca-keys",
	    st->ca_pub, "--registry", st->registry, "--client-key", st->relay_client_key,
	    /* with --relay-host-ca: the host certificate; else the
	     * default routing, said out loud */
	    st->relay_host_cert[0] != '\0' ? "--host-cert" : "--routing",
	    st->relay_host_cert[0] != '\0' ? st->relay_host_cert : "cert-then-registry",
	    "--drain-timeout", NS_UP_RELAY_DRAIN, "--max-cert-lifetime", NS_UP_MAX_CERT_LIFETIME,
	    "--ready-fd", "3", /* ns_spawn's ready_fd */
	    "--resume-grace", st->resume_grace[0] != '\0' ? st->resume_grace : "120"};
	size_t n = 0, i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && n + 1 < cap; i++) {
		argv[n++] = fixed[i];
	}
#define ADD(a, b)                                                                                  \
	do {                                                                                       \
		if (n + 3 < cap) {                                                                 \
			argv[n++] = (a);                                                           \
			argv[n++] = (b);                                                           \
		}                                                                                  \
	} while (0)
	if (st->end_at_expiry) {
		if (n + 2 < cap) {
			argv[n++] = "--end-sessions-at-expiry";
		}
		if (st->expiry_warning[0] != '\0') {
			ADD("--expiry-warning", st->expiry_warning);
		}
	}
	if (st->revocations_url[0] != '\0') {
		ADD("--revocations-url", st->revocations_url);
		ADD("--revocations-key", st->activity_key);
		ADD("--revocations-interval", NS_UP_REVOCATIONS_INTERVAL);
	}
	if (st->activity_url[0] != '\0') {
		ADD("--activity-url", st->activity_url);
		ADD("--activity-key", st->activity_key);
		ADD("--activity-interval", st->activity_interval);
	}
	if (ws_listen != NULL) {
		ADD("--websocket-listen", ws_listen);
		ADD("--websocket-secret", ws_secret);
		if (st->ws_cert[0] != '\0') { /* wss:// when up_tls.c made the certificate */
			ADD("--tls-cert", st->ws_cert);
			ADD("--tls-key", st->ws_key);
		}
	}
#undef ADD
	argv[n] = NULL;
}

int ns_up_relay_activity(ns_up_state *st, const char *api_url, unsigned long interval_s, char *err,
                         size_t cap)
{
	char key[NS_APIKEY_LEN + 2], tmp[PATH_MAX + 8];
	int fd, rc = NS_ERR_IO;

	if (snprintf(st->activity_key, sizeof(st->activity_key), "%s/%s", st->dir,
	             NS_UP_ACTIVITY_KEY) >= (int)sizeof(st->activity_key) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", st->activity_key) >= (int)sizeof(tmp)) {
		snprintf(err, cap, "the state folder's path is too long");
		return NS_ERR_INVALID;
	}
	ns_apikey_generate(key);
	if ((rc = ns_apikeys_add_mem(&st->keys, key)) != 0) {
		snprintf(err, cap, "cannot add the relay's API key: %s", ns_strerror(rc));
		goto out;
	}
	strcat(key, "\n");
	(void)unlink(tmp);
	rc = NS_ERR_IO;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, cap, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (ns_file_write_all(fd, key, strlen(key)) == 0 && close(fd) == 0 &&
	    rename(tmp, st->activity_key) == 0) {
		rc = 0;
	} else {
		snprintf(err, cap, "cannot write %s: %s", st->activity_key, strerror(errno));
		(void)unlink(tmp);
	}
	if (interval_s > 0) {
		snprintf(st->activity_url, sizeof(st->activity_url), "%s/v1/activity", api_url);
	}
	snprintf(st->revocations_url, sizeof(st->revocations_url), "%s/v1/revocations", api_url);
	snprintf(st->activity_interval, sizeof(st->activity_interval), "%lu", interval_s);
out:
	sodium_memzero(key, sizeof(key));
	return rc;
}

int ns_up_relay_start(const char *exe, const char *listen, const char *ws_listen,
                      const char *ws_secret, const ns_up_state *st, pid_t *pid, int *ready_fd,
                      char *err, size_t cap)
{
	const char *argv[64];
	pid_t self = getpid(), p;
	int nullfd, ready[2];

	*pid = 0;
	*ready_fd = -1;
	relay_argv(exe, listen, ws_listen, ws_secret, st, argv, sizeof(argv) / sizeof(argv[0]));
	if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, cap, "cannot open /dev/null: %s", strerror(errno));
		return NS_ERR_IO;
	}
	if (pipe2(ready, O_CLOEXEC) != 0) {
		snprintf(err, cap, "cannot start the relay: pipe: %s", strerror(errno));
		close(nullfd);
		return NS_ERR_IO;
	}
	fflush(stderr);
	if ((p = fork()) < 0) {
		snprintf(err, cap, "cannot start the relay: fork: %s", strerror(errno));
		close(nullfd);
		close(ready[0]);
		close(ready[1]);
		return NS_ERR_IO;
	}
	if (p == 0) {
		ns_spawn c = {argv, "nullspace up", self, 0, nullfd, -1, ready[1], -1};

		ns_spawn_child(&c);
	}
	close(nullfd);
	close(ready[1]);
	*ready_fd = ready[0];
	(void)setpgid(p, p); /* also here: no window where it shares our group */
	*pid = p;
	return 0;
}

int ns_up_relay_exited(pid_t pid, int *status)
{
	int st = 0;
	pid_t r;

	while ((r = waitpid(pid, &st, WNOHANG)) < 0 && errno == EINTR) {
	}
	if (r == pid || (r < 0 && errno == ECHILD)) {
		*status = st;
		return 1;
	}
	return 0;
}

int ns_up_relay_wait(pid_t *pid, int *ready_fd, int timeout_ms, char *err, size_t cap)
{
	int waited = 0, st = 0, r = 0, rc = NS_ERR_IO;

	for (;;) {
		if (r == 0 && (r = ns_spawn_ready(*ready_fd, POLL_MS)) == 1) {
			rc = 0;
			break;
		}
		if (ns_up_relay_exited(*pid, &st)) {
			*pid = 0;
			if (WIFEXITED(st)) {
				snprintf(err, cap,
				         "the relay did not start (exit %d; its reason is above)",
				         WEXITSTATUS(st));
			} else {
				snprintf(err, cap, "the relay did not start (killed by signal %d)",
				         WIFSIGNALED(st) ? WTERMSIG(st) : 0);
			}
			break;
		}
		if (waited >= timeout_ms) {
			ns_up_relay_stop(*pid, 0);
			*pid = 0;
			snprintf(err, cap, "the relay did not start listening within %d s",
			         timeout_ms / 1000);
			break;
		}
		if (r != 0) { /* the pipe closed: wait for the exit without spinning */
			sleep_ms(POLL_MS);
		}
		waited += POLL_MS;
	}
	close(*ready_fd);
	*ready_fd = -1;
	return rc;
}

void ns_up_relay_stop(pid_t pid, int grace_ms)
{
	int waited = 0, st;

	if (pid <= 0) {
		return;
	}
	(void)kill(-pid, SIGTERM);
	while (waited < grace_ms) {
		if (ns_up_relay_exited(pid, &st)) {
			return;
		}
		sleep_ms(POLL_MS);
		waited += POLL_MS;
	}
	(void)kill(-pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
	}
}
