/* The relay child of `nullspace up`: `nullspace relay` with the state
 * folder's keys and registry, certificates no longer-lived than the API
 * mints (NS_UP_MAX_CERT_LIFETIME), in its own process group (so a Ctrl-C at the
 * terminal reaches only `up`, which stops it in order), stderr shared with
 * `up`, SIGTERM if `up` dies, its WebSocket listener when `up` has one; the wait for its readiness
 * notice; its stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "relay.h"
#include "spawn.h"
#include "up_int.h"

#define POLL_MS 20
#define OPTIONAL_MAX 10 /* argv's last slots: the expiry flag, ws's 8, the NULL */

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int ns_up_relay_start(const char *exe, const char *listen, const char *ws_listen,
                      const char *ws_secret, const ns_up_state *st, pid_t *pid, int *ready_fd,
                      char *err, size_t cap)
{
	char warn[16];
	const char *argv[] = {
	    exe, "relay", "--listen", listen, "--host-key", st->relay_host_key, "--ca-keys",
	    st->ca_pub, "--registry", st->registry, "--client-key", st->relay_client_key,
	    /* with --relay-host-ca: the host certificate; else the
	     * default routing, said out loud */
	    st->relay_host_cert[0] != '\0' ? "--host-cert" : "--routing",
	    st->relay_host_cert[0] != '\0' ? st->relay_host_cert : "cert-then-registry",
	    "--drain-timeout", NS_UP_RELAY_DRAIN, "--max-cert-lifetime", NS_UP_MAX_CERT_LIFETIME,
	    "--ready-fd", "3", /* ns_spawn's ready_fd */
	    "--resume-grace", st->resume_grace[0] != '\0' ? st->resume_grace : "120",
	    "--expiry-warning", st->expiry_warning[0] != '\0' ? st->expiry_warning : warn,
	    /* from here on (OPTIONAL_MAX), what is on or off; a NULL ends the list */
	    st->end_at_expiry ? "--end-sessions-at-expiry" : NULL, NULL, NULL, NULL, NULL, NULL,
	    NULL, NULL, NULL, NULL};
	const char *ws[] = {"--websocket-listen", ws_listen, "--websocket-secret", ws_secret,
	                    /* wss:// when up_tls.c made the certificate */
	                    st->ws_cert[0] != '\0' ? "--tls-cert" : NULL, st->ws_cert, "--tls-key",
	                    st->ws_key};
	size_t n = sizeof(argv) / sizeof(argv[0]) - OPTIONAL_MAX + (st->end_at_expiry != 0), i;
	pid_t self = getpid(), p;
	int nullfd, ready[2];

	snprintf(warn, sizeof(warn), "%d", NS_RELAY_EXPIRY_WARNING_S);
	for (i = 0; ws_listen != NULL && i < sizeof(ws) / sizeof(ws[0]) && ws[i] != NULL; i++) {
		argv[n++] = ws[i];
	}
	*pid = 0;
	*ready_fd = -1;
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
