/* What `nullspace sandbox` and `nullspace ssh` share: opening the API and
 * reporting its errors as one line with a documented exit code, times in
 * RFC 3339, and preparing a sandbox's SSH files (key, certificate, pin). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "nullspace/error.h"
#include "sandbox_int.h"

int ns_cli_api_open(const char *url, const char *key, ns_api **api)
{
	char err[NS_API_ERR_MAX];
	int rc;

	if (sodium_init() < 0) {
		fprintf(stderr, "nullspace: libsodium failed to initialise\n");
		return NS_EXIT_FAILURE;
	}
	err[0] = '\0';
	if ((rc = ns_api_open(api, url, key, err, sizeof(err))) != 0) {
		fprintf(stderr, "nullspace: %s\n", err[0] ? err : ns_strerror(rc));
		return rc == NS_ERR_NOMEM ? NS_EXIT_FAILURE : NS_EXIT_CONFIG;
	}
	return 0;
}

int ns_cli_api_fail(ns_api *api, int rc)
{
	const char *msg = api != NULL ? ns_api_error(api) : "";

	fprintf(stderr, "nullspace: %s\n", msg[0] ? msg : ns_strerror(rc));
	return ns_cli_api_exit(rc);
}

void ns_cli_time(int64_t t, char out[NS_CLI_TIME_MAX])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, NS_CLI_TIME_MAX, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		snprintf(out, NS_CLI_TIME_MAX, "%lld", (long long)t);
	}
}

int ns_cli_number(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9') {
		return -1;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max) {
		return -1;
	}
	*out = v;
	return 0;
}

void ns_cli_credential_warning(int64_t until)
{
	char t[NS_CLI_TIME_MAX];

	ns_cli_time(until, t);
	fprintf(stderr,
	        "warning: the output is a credential (valid until %s); do not share or log it\n",
	        t);
}

int ns_cli_ssh_files(const char *sandbox_id, ns_sshfiles *f, ns_key *key)
{
	char home[PATH_MAX], err[NS_API_ERR_MAX + NS_SSHFILES_PATH_MAX];

	if (ns_api_home(home, sizeof(home)) != 0) {
		fprintf(stderr, "nullspace: no home folder: set NULLSPACE_HOME or HOME\n");
		return NS_EXIT_CONFIG;
	}
	if (ns_sshfiles_init(f, home, sandbox_id, err, sizeof(err)) != 0 ||
	    ns_sshfiles_key(f, key, err, sizeof(err)) != 0) {
		fprintf(stderr, "nullspace: %s\n", err);
		return NS_EXIT_FAILURE;
	}
	return 0;
}

int ns_cli_ssh_prepare(ns_api *api, const char *sandbox_id, int expires_in, int websocket,
                       ns_sshfiles *f, ns_sshaccess *a)
{
	return ns_cli_ssh_prepare_permits(api, sandbox_id, expires_in, websocket, 0, f, a);
}

int ns_cli_ssh_prepare_permits(ns_api *api, const char *sandbox_id, int expires_in, int websocket,
                               int permits, ns_sshfiles *f, ns_sshaccess *a)
{
	char err[NS_API_ERR_MAX + 2 * NS_SSHFILES_PATH_MAX];
	ns_sandbox_info sb;
	ns_key key;
	int rc, api_failed = 0, fresh = websocket & NS_CLI_PREPARE_FRESH;

	websocket &= ~NS_CLI_PREPARE_FRESH;
	memset(a, 0, sizeof(*a));
	if ((rc = ns_api_sandbox_get(api, sandbox_id, &sb)) != 0) {
		return ns_cli_api_fail(api, rc);
	}
	if (strcmp(sb.state, "running") != 0) {
		fprintf(stderr, "nullspace: sandbox %s is %s%s%s%s\n", sandbox_id, sb.state,
		        sb.stop_reason[0] ? " (" : "", sb.stop_reason,
		        sb.stop_reason[0] ? ")" : "");
		return NS_EXIT_NOTFOUND;
	}
	if ((rc = ns_cli_ssh_files(sandbox_id, f, &key)) != 0) {
		return rc;
	}
	err[0] = '\0';
	f->fresh = websocket || fresh;
	f->no_port_forwarding = (permits & NS_CLI_NO_PORT_FORWARDING) != 0;
	f->agent_forwarding = (permits & NS_CLI_AGENT_FORWARDING) != 0;
	rc = ns_sshfiles_access(f, api, sandbox_id, &key, expires_in, (int64_t)time(NULL), a,
	                        &api_failed, err, sizeof(err));
	ns_key_wipe(&key);
	if (rc != 0) {
		fprintf(stderr, "nullspace: %s\n", err[0] ? err : ns_strerror(rc));
		/* a file we cannot write is ours to fix, not the API's (69) */
		return api_failed || rc == NS_ERR_HOSTKEY_CHANGED ? ns_cli_api_exit(rc)
		                                                  : NS_EXIT_FAILURE;
	}
	if (websocket && a->websocket_url == NULL) {
		ns_sshaccess_free(a);
		fprintf(stderr,
		        "nullspace: this deployment gives no WebSocket URL (its relay has "
		        "no WebSocket listener); use the relay directly, without --websocket\n");
		return NS_EXIT_FAILURE;
	}
	return 0;
}

char *ns_cli_ws_proxy_command(const char *url, const char *pin)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *pc;

	if (n <= 0) {
		fprintf(stderr, "nullspace: cannot find our own binary: %s\n", strerror(errno));
		return NULL;
	}
	exe[n] = '\0';
	if ((pc = ns_ssh_proxy_command(exe, url, pin)) == NULL) {
		fprintf(stderr, "nullspace: out of memory\n");
	}
	return pc;
}
