/* Pure helpers of the built-in client shared with front-ends: USER@HOST[:PORT]
 * targets, joining command words, and SSH signal names (RFC 4254 6.10) to
 * local signal numbers. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "client_util.h"
#include "nullspace/client.h"
#include "nullspace/error.h"

static int copy_part(const char *p, size_t n, char *out, size_t cap)
{
	if (n == 0 || n >= cap) {
		return NS_ERR_INVALID;
	}
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

static int parse_port(const char *s, unsigned *port)
{
	char *end = NULL;
	unsigned long v;

	if (*s < '0' || *s > '9') {
		return NS_ERR_INVALID;
	}
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535) {
		return NS_ERR_INVALID;
	}
	*port = (unsigned)v;
	return 0;
}

int ns_client_parse_target(const char *s, char *user, size_t user_cap, char *host, size_t host_cap,
                           unsigned *port)
{
	const char *at, *h, *colon, *close;

	*port = 0;
	if (s == NULL || (at = strrchr(s, '@')) == NULL ||
	    copy_part(s, (size_t)(at - s), user, user_cap) != 0) {
		return NS_ERR_INVALID;
	}
	h = at + 1;
	if (h[0] == '[') {
		close = strchr(h, ']');
		if (close == NULL ||
		    copy_part(h + 1, (size_t)(close - h - 1), host, host_cap) != 0) {
			return NS_ERR_INVALID;
		}
		if (close[1] == '\0') {
			return 0;
		}
		return close[1] == ':' ? parse_port(close + 2, port) : NS_ERR_INVALID;
	}
	colon = strchr(h, ':');
	if (colon == NULL || strchr(colon + 1, ':') != NULL) {
		/* no port, or a bare IPv6 address */
		return copy_part(h, strlen(h), host, host_cap);
	}
	if (copy_part(h, (size_t)(colon - h), host, host_cap) != 0) {
		return NS_ERR_INVALID;
	}
	return parse_port(colon + 1, port);
}

int ns_client_join_words(const char *const *words, int n, char *out, size_t cap)
{
	size_t len = 0, w;
	int i;

	if (out == NULL || cap == 0 || n < 0) {
		return NS_ERR_INVALID;
	}
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		w = strlen(words[i]);
		if (len + (i > 0) + w + 1 > cap) {
			out[0] = '\0';
			return NS_ERR_TOOBIG;
		}
		if (i > 0) {
			out[len++] = ' ';
		}
		memcpy(out + len, words[i], w + 1);
		len += w;
	}
	return 0;
}

static const struct {
	const char *name;
	int num;
} signals[] = {
    {"ABRT", SIGABRT},     {"ALRM", SIGALRM},   {"BUS", SIGBUS},   {"CHLD", SIGCHLD},
    {"CONT", SIGCONT},     {"FPE", SIGFPE},     {"HUP", SIGHUP},   {"ILL", SIGILL},
    {"INT", SIGINT},       {"KILL", SIGKILL},   {"PIPE", SIGPIPE}, {"PROF", SIGPROF},
    {"QUIT", SIGQUIT},     {"SEGV", SIGSEGV},   {"STOP", SIGSTOP}, {"SYS", SIGSYS},
    {"TERM", SIGTERM},     {"TRAP", SIGTRAP},   {"TSTP", SIGTSTP}, {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},     {"URG", SIGURG},     {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
    {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
};

int ns_client_signal_number(const char *name, size_t len)
{
	size_t i;

	if (name == NULL) {
		return 0;
	}
	if (len > 3 && memcmp(name, "SIG", 3) == 0) {
		name += 3;
		len -= 3;
	}
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		if (strlen(signals[i].name) == len && memcmp(signals[i].name, name, len) == 0) {
			return signals[i].num;
		}
	}
	return 0;
}
