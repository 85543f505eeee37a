/* Who a session's child is, as sshd would set it up: user, home and shell
 * from the password database, with sane values in a minimal root that has
 * no /etc/passwd or no shell at all, and the SSH_CONNECTION/SSH_CLIENT
 * variables of the connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <pwd.h>

#include "session_int.h"

static int is_dir(const char *path)
{
	struct stat st;

	return path != NULL && path[0] == '/' && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_executable(const char *path)
{
	struct stat st;

	return path[0] == '/' && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

/* Without a passwd entry: root for uid 0, uidN otherwise (a name any tool
 * can print; the uid is what counts); HOME the agent's own when it is a
 * folder, /root for root when it exists, else /. */
static void without_passwd(ns_session_login *out)
{
	uid_t uid = getuid();
	const char *home = getenv("HOME");

	if (uid == 0) {
		snprintf(out->user, sizeof(out->user), "root");
	} else {
		snprintf(out->user, sizeof(out->user), "uid%lu", (unsigned long)uid);
	}
	if (is_dir(home)) {
		snprintf(out->home, sizeof(out->home), "%s", home);
	} else if (uid == 0 && is_dir("/root")) {
		snprintf(out->home, sizeof(out->home), "/root");
	} else {
		snprintf(out->home, sizeof(out->home), "/");
	}
	snprintf(out->shell, sizeof(out->shell), "%s", NS_SESSION_SHELL);
}

void ns_session_login_get(const ns_session *s, ns_session_login *out)
{
	struct passwd *pw = getpwuid(getuid());

	memset(out, 0, sizeof(*out));
	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0') {
		snprintf(out->user, sizeof(out->user), "%s", pw->pw_name);
		snprintf(out->home, sizeof(out->home), "%s", is_dir(pw->pw_dir) ? pw->pw_dir : "/");
		snprintf(out->shell, sizeof(out->shell), "%s",
		         pw->pw_shell != NULL && pw->pw_shell[0] == '/' ? pw->pw_shell
		                                                        : NS_SESSION_SHELL);
	} else {
		without_passwd(out);
	}
	if (s->h->home != NULL) {
		snprintf(out->home, sizeof(out->home), "%s", s->h->home);
	}
	if (is_executable(out->shell)) {
		snprintf(out->run, sizeof(out->run), "%s", out->shell);
		return;
	}
	if (strcmp(out->shell, NS_SESSION_SHELL) != 0 && is_executable(NS_SESSION_SHELL)) {
		fprintf(s->h->log,
		        "agent event=shell-fallback conn=%u channel=%u reason=not-executable "
		        "shell=%s using=%s\n",
		        s->h->conn_id, s->channel, out->shell, NS_SESSION_SHELL);
		snprintf(out->run, sizeof(out->run), "%s", NS_SESSION_SHELL);
		return;
	}
	fprintf(s->h->log, "agent event=no-shell conn=%u channel=%u shell=%s fallback=%s\n",
	        s->h->conn_id, s->channel, out->shell, NS_SESSION_SHELL);
	if (strcmp(out->shell, NS_SESSION_SHELL) != 0) {
		/* what the user is told is missing: the last one tried */
		snprintf(out->shell, sizeof(out->shell), "%s", NS_SESSION_SHELL);
	}
}

void ns_session_conn_env(const ns_session *s, char *out, size_t cap, int legacy)
{
	char peer[NS_SESSION_ADDR_MAX], pport[16], local[NS_SESSION_ADDR_MAX], lport[16];

	if (sscanf(s->h->conn_addr, "%63s %15s %63s %15s", peer, pport, local, lport) != 4) {
		snprintf(peer, sizeof(peer), "UNKNOWN");
		snprintf(pport, sizeof(pport), "65535");
		snprintf(local, sizeof(local), "UNKNOWN");
		snprintf(lport, sizeof(lport), "65535");
	}
	if (s->src_ip[0] != '\0') {
		snprintf(peer, sizeof(peer), "%s", s->src_ip);
		snprintf(pport, sizeof(pport), "0");
	}
	if (legacy) {
		snprintf(out, cap, "%s %s %s", peer, pport, lport);
	} else {
		snprintf(out, cap, "%s %s %s %s", peer, pport, local, lport);
	}
}
