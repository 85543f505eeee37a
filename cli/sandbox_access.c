/* `nullspace sandbox ssh-access ID`: --json prints a fresh access object for
 * our key (NULLSPACE_HOME/ssh/id_ed25519) as the API documents it;
 * --print-command sets up the files as `nullspace ssh` does and prints the
 * OpenSSH command line. Either way one warning on stderr: it is a credential. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "cli.h"
#include "nullspace/error.h"
#include "sandbox_int.h"

#define COMMAND_MAX (4 * NS_SSHFILES_PATH_MAX + 1024)

static json_t *access_json(const ns_ssh_access *a)
{
	char t[NS_CLI_TIME_MAX];

	ns_cli_time(a->expires_at, t);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:I, s:s, s:s}, s:s}", "access_id",
	                 a->access_id, "sandbox_id", a->sandbox_id, "user", a->user, "certificate",
	                 a->certificate, "expires_at", t, "relay", "host", a->relay_host, "port",
	                 (json_int_t)a->relay_port, "host_key", a->relay_host_key, "known_hosts",
	                 a->relay_known_hosts, "command", a->command);
}

/* The credential on stdout after the one warning on stderr: the exit code. */
static int print_credential(const char *text, int64_t until)
{
	ns_cli_credential_warning(until);
	printf("%s\n", text);
	return fflush(stdout) == 0 ? 0 : NS_EXIT_FAILURE;
}

static int print_json(ns_api *api, const char *sandbox_id, int expires_in)
{
	char line[NS_KEY_LINE_MAX], *text = NULL;
	ns_ssh_access acc;
	ns_sshfiles f;
	json_t *o = NULL;
	ns_key key;
	int rc;

	memset(&acc, 0, sizeof(acc));
	if ((rc = ns_cli_ssh_files(sandbox_id, &f, &key)) != 0) {
		return rc;
	}
	rc = ns_key_to_line(key.pk, key.comment, line, sizeof(line));
	ns_key_wipe(&key);
	if (rc != 0) {
		fprintf(stderr, "nullspace: cannot format our public key: %s\n", ns_strerror(rc));
		return NS_EXIT_FAILURE;
	}
	if ((rc = ns_api_create_ssh_access(api, sandbox_id, line, expires_in, &acc)) != 0) {
		return ns_cli_api_fail(api, rc);
	}
	if ((o = access_json(&acc)) == NULL ||
	    (text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL) {
		fprintf(stderr, "nullspace: the API returned an incomplete access object\n");
		rc = NS_EXIT_FAILURE;
		goto out;
	}
	rc = print_credential(text, acc.expires_at);
out:
	if (text != NULL) {
		sodium_memzero(text, strlen(text));
		free(text);
	}
	json_decref(o);
	ns_ssh_access_free(&acc);
	return rc;
}

static int print_command(ns_api *api, const char *sandbox_id, int expires_in)
{
	static char line[COMMAND_MAX];
	ns_sshaccess a;
	ns_sshfiles f;
	char **argv = NULL;
	int rc;

	if ((rc = ns_cli_ssh_prepare(api, sandbox_id, expires_in, &f, &a)) != 0) {
		return rc;
	}
	if ((argv = ns_ssh_argv(&f, &a, -1, NULL, 0)) == NULL ||
	    ns_shell_join(argv, line, sizeof(line)) != 0) {
		fprintf(stderr, "nullspace: cannot build the ssh command line\n");
		rc = NS_EXIT_FAILURE;
		goto out;
	}
	rc = print_credential(line, a.expires_at);
out:
	ns_ssh_argv_free(argv);
	ns_sshaccess_free(&a);
	return rc;
}

int ns_cli_sandbox_access(ns_api *api, const char *sandbox_id, int json, int expires_in)
{
	return json ? print_json(api, sandbox_id, expires_in)
	            : print_command(api, sandbox_id, expires_in);
}
