/* Raw mode for the local terminal of `nullspace connect`, restored on every
 * exit path: normal return, exit() (atexit) and fatal signals (restore, then
 * re-raise with the default action); SIGWINCH through a self-pipe. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tty.h"

static struct termios saved_modes;
static volatile sig_atomic_t raw_fd = -1;
static int winch_pipe[2] = {-1, -1};
static const int fatal_signals[] = {SIGHUP,  SIGINT,  SIGQUIT, SIGTERM,
                                    SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2};

void ns_tty_restore(void)
{
	int fd = raw_fd;

	if (fd >= 0) {
		raw_fd = -1;
		tcsetattr(fd, TCSADRAIN, &saved_modes);
	}
}

static void on_fatal(int sig)
{
	int saved = errno;

	ns_tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

static void catch_fatal(void)
{
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
		/* keep what the caller chose to ignore (SIGPIPE in connect) */
		if (sigaction(fatal_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) {
			continue;
		}
		sigaction(fatal_signals[i], &sa, NULL);
	}
}

int ns_tty_raw(int fd, struct termios *saved)
{
	static int registered;
	struct termios t;

	if (tcgetattr(fd, &t) != 0) {
		return -1;
	}
	saved_modes = t;
	if (saved != NULL) {
		*saved = t;
	}
	if (!registered) {
		registered = 1;
		atexit(ns_tty_restore);
		catch_fatal();
	}
	/* as OpenSSH's enter_raw_mode() */
	t.c_iflag |= IGNPAR;
	t.c_iflag &= ~(tcflag_t)(ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXANY | IXOFF | IUCLC);
	t.c_lflag &= ~(tcflag_t)(ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHONL | IEXTEN);
	t.c_oflag &= ~(tcflag_t)OPOST;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	raw_fd = fd;
	if (tcsetattr(fd, TCSADRAIN, &t) != 0) {
		raw_fd = -1;
		return -1;
	}
	return 0;
}

static void on_winch(int sig)
{
	int saved = errno;
	char b = 0;
	ssize_t n;

	(void)sig;
	n = write(winch_pipe[1], &b, 1);
	(void)n;
	errno = saved;
}

int ns_tty_winch_fd(void)
{
	struct sigaction sa;

	if (winch_pipe[0] >= 0) {
		return winch_pipe[0];
	}
	if (pipe2(winch_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_winch;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	return winch_pipe[0];
}
