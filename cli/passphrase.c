/* Asking for a key's passphrase on /dev/tty with echo off (see
 * passphrase.h). Signals that would end the program are caught for the
 * time of the read so the terminal gets its echo back, then re-raised. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "nullspace/error.h"
#include "passphrase.h"

static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU};
#define NCAUGHT (sizeof(caught) / sizeof(caught[0]))
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void catch_signals(struct sigaction *old)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: read() returns EINTR */
	sigemptyset(&sa.sa_mask);
	got_signal = 0;
	for (i = 0; i < NCAUGHT; i++) {
		sigaction(caught[i], &sa, &old[i]);
	}
}

static void release_signals(const struct sigaction *old)
{
	size_t i;

	for (i = 0; i < NCAUGHT; i++) {
		sigaction(caught[i], &old[i], NULL);
	}
	if (got_signal != 0) {
		raise(got_signal);
	}
}

/* One line from fd into buf; what does not fit is read and dropped. */
static int read_line(int fd, char *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	int toobig = 0;
	ssize_t r;
	char ch;

	for (;;) {
		r = read(fd, &ch, 1);
		if (r < 0 && errno == EINTR && got_signal == 0) {
			continue;
		}
		if (r <= 0) {
			return NS_ERR_IO; /* end of input, error or a signal */
		}
		if (ch == '\n' || ch == '\r') {
			break;
		}
		if (n + 1 < cap) {
			buf[n++] = ch;
		} else {
			toobig = 1;
		}
	}
	ch = 0; /* the last character typed */
	buf[n] = '\0';
	*len = n;
	return toobig ? NS_ERR_TOOBIG : 0;
}

int ns_cli_read_passphrase(const char *prompt, char *buf, size_t cap, size_t *len)
{
	struct sigaction old[NCAUGHT];
	struct termios saved, quiet;
	int fd, rc, have_modes;

	*len = 0;
	if (cap > 0) {
		buf[0] = '\0';
	}
	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		return NS_ERR_NOTFOUND;
	}
	catch_signals(old);
	have_modes = tcgetattr(fd, &saved) == 0;
	if (have_modes) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		quiet.c_lflag |= ICANON;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		rc = NS_ERR_IO;
	} else {
		rc = read_line(fd, buf, cap, len);
	}
	if (have_modes) {
		tcsetattr(fd, TCSAFLUSH, &saved);
	}
	if (write(fd, "\n", 1) < 0) {
		rc = rc == 0 ? NS_ERR_IO : rc;
	}
	close(fd);
	if (rc != 0) {
		sodium_memzero(buf, cap);
		*len = 0;
	}
	release_signals(old);
	return rc;
}
