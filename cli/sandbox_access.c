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
	json_t *j;

	ns_cli_time(a->expires_at, t);
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:I, s:s, s:s}, s:s}", "access_id",
	              a->access_id, "sandbox_id", a->sandbox_id, "user", a->user, "certificate",
	              a->certificate, "expires_at", t, "relay", "host", a->relay_host, "port",
	              (json_int_t)a->relay_port, "host_key", a->relay_host_key, "known_hosts",
	              a->relay_known_hosts, "command", a->command);
	/* as the API: the WebSocket members only where the deployment has them */
	if (j != NULL && a->websocket_url != NULL &&
	    (json_object_set_new(j, "websocket_url", json_string(a->websocket_url)) != 0 ||
	     json_object_set_new(j, "websocket_tls_sha256",
	                         a->websocket_tls_sha256 != NULL
	                             ? json_string(a->websocket_tls_sha256)
	                             : json_null()) != 0)) {
		json_decref(j);
		j = NULL;
	}
	return j;
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

	ns_ssh_access_init(&acc);
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

/* The ssh command line into line (cap), through proxy_command if given. */
static int command_line(const ns_sshfiles *f, const ns_sshaccess *a, const char *proxy_command,
                        char *line, size_t cap)
{
	char **argv = ns_ssh_argv_proxy(f, a, -1, NULL, 0, proxy_command);
	int rc = argv != NULL && ns_shell_join(argv, line, cap) == 0 ? 0 : NS_ERR_NOMEM;

	ns_ssh_argv_free(argv);
	return rc;
}

/* --websocket: the command through `nullspace proxy URL`, then on a comment
 * line the same through websocat (which has no way to pin a wss://
 * certificate: said when the access object carries a pin). */
static int ws_lines(const ns_sshfiles *f, const ns_sshaccess *a, char *line, size_t cap)
{
	static const char note[] = "\n# the same with websocat: ";
	static const char nopin[] = "  (websocat cannot pin the certificate as --pin-sha256 "
	                            "does: it works only if the system CAs trust it)";
	char *ours = ns_cli_ws_proxy_command(a->websocket_url, a->websocket_pin);
	char *theirs = ns_ssh_proxy_command(NULL, a->websocket_url, NULL);
	size_t n;
	int rc = NS_ERR_NOMEM;

	if (ours != NULL && theirs != NULL && command_line(f, a, ours, line, cap) == 0 &&
	    (n = strlen(line)) + sizeof(note) < cap) {
		memcpy(line + n, note, sizeof(note));
		n += sizeof(note) - 1;
		rc = command_line(f, a, theirs, line + n, cap - n);
	}
	if (rc == 0 && a->websocket_pin != NULL && (n = strlen(line)) + sizeof(nopin) < cap) {
		memcpy(line + n, nopin, sizeof(nopin));
	}
	if (ours != NULL) {
		sodium_memzero(ours, strlen(ours));
	}
	if (theirs != NULL) {
		sodium_memzero(theirs, strlen(theirs));
	}
	free(ours);
	free(theirs);
	return rc;
}

static int print_command(ns_api *api, const char *sandbox_id, int websocket, int expires_in)
{
	static char line[2 * COMMAND_MAX];
	ns_sshaccess a;
	ns_sshfiles f;
	int rc;

	if ((rc = ns_cli_ssh_prepare(api, sandbox_id, expires_in, websocket, &f, &a)) != 0) {
		return rc;
	}
	if ((websocket ? ws_lines(&f, &a, line, sizeof(line))
	               : command_line(&f, &a, NULL, line, sizeof(line))) != 0) {
		fprintf(stderr, "nullspace: cannot build the ssh command line\n");
		rc = NS_EXIT_FAILURE;
		goto out;
	}
	if (websocket) {
		fprintf(stderr, "warning: the WebSocket URL in it is a bearer credential: anyone "
		                "holding it reaches the sandbox's SSH door until it expires\n");
	}
	rc = print_credential(line, a.expires_at);
out:
	sodium_memzero(line, sizeof(line));
	ns_sshaccess_free(&a);
	return rc;
}

int ns_cli_sandbox_access(ns_api *api, const char *sandbox_id, int json, int websocket,
                          int expires_in)
{
	return json ? print_json(api, sandbox_id, expires_in)
	            : print_command(api, sandbox_id, websocket, expires_in);
}
