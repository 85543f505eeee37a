/* Names the session runtime checks: the env allowlist (LANG, LC_*, TERM) and
 * the signal names of RFC 4254 section 6.10, both ways. */
#include <signal.h>
#include <string.h>

#include "session_util.h"
#include "wire.h"

static const struct {
	const char *name;
	int sig;
} signals[] = {
    {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"FPE", SIGFPE},   {"HUP", SIGHUP},   {"ILL", SIGILL},
    {"INT", SIGINT},   {"KILL", SIGKILL}, {"PIPE", SIGPIPE}, {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV},
    {"TERM", SIGTERM}, {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
};

int ns_session_signal_number(ns_str name)
{
	size_t i;

	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		if (ns_str_eq(name, signals[i].name)) {
			return signals[i].sig;
		}
	}
	return 0;
}

const char *ns_session_signal_name(int sig)
{
	size_t i;

	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		if (signals[i].sig == sig) {
			return signals[i].name;
		}
	}
	return NULL;
}

static int name_char_ok(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

int ns_session_env_allowed(ns_str name, ns_str value)
{
	size_t i;

	if (name.len == 0 || name.len > NS_SESSION_ENV_NAME_MAX ||
	    value.len > NS_SESSION_ENV_VALUE_MAX) {
		return 0;
	}
	for (i = 0; i < name.len; i++) {
		if (!name_char_ok(name.p[i])) {
			return 0;
		}
	}
	if (value.len > 0 && memchr(value.p, 0, value.len) != NULL) {
		return 0;
	}
	if (ns_str_eq(name, "LANG") || ns_str_eq(name, "TERM")) {
		return 1;
	}
	return name.len > 3 && memcmp(name.p, "LC_", 3) == 0;
}
