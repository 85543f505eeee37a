/* sdk_example: the C SDK end to end. Creates a sandbox through the control
 * plane API, mints short-lived SSH access for a fresh ed25519 key, runs one
 * command in the sandbox with the built-in SSH client (relay host key
 * pinned), prints its output; then uploads a file through the Files API
 * and reads it back with a command of the Commands API; kills the sandbox.
 *
 *   nullspace up &                 # or set NULLSPACE_API_URL and NULLSPACE_API_KEY
 *   sdk_example 'ls -la'           # default command: uname -a
 *
 * Exits with the remote command's status, or 1 (with a message) on an error. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nullspace/cert.h"
#include "nullspace/client.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"
#include "nullspace/sdk.h"

static void report(const char *what, const char *msg, int rc)
{
	fprintf(stderr, "sdk_example: %s: %s\n", what, msg[0] != '\0' ? msg : ns_strerror(rc));
}

/* Log in to the relay with the minted certificate and run command; *status
 * is its exit status (128 + N when killed by signal N). */
static int run(const ns_ssh_access *acc, const ns_key *key, const char *command, int *status)
{
	uint8_t cert[NS_CERT_BLOB_MAX], pin[NS_ED25519_PK_LEN];
	ns_client_buf out = {0}, err = {0};
	char msg[NS_CLIENT_ERR_MAX] = "";
	int rc, exit_status = -1, exit_signal = 0;
	ns_client_config cfg;
	ns_client *c = NULL;
	size_t cert_len = 0;

	if ((rc = ns_cert_from_line(acc->certificate, strlen(acc->certificate), cert, sizeof(cert),
	                            &cert_len)) != 0 ||
	    (rc = ns_key_from_line(acc->relay_host_key, strlen(acc->relay_host_key), pin, NULL)) !=
	        0) {
		report("the API sent an unreadable certificate or host key", "", rc);
		goto out;
	}
	ns_client_config_init(&cfg);
	cfg.host = acc->relay_host;
	cfg.port = acc->relay_port;
	cfg.user = acc->user;
	cfg.key = key;
	cfg.cert = cert;
	cfg.cert_len = cert_len;
	cfg.hostkey_policy = NS_HOSTKEY_PINNED;
	cfg.hostkey_pin = pin;
	if ((rc = ns_client_connect(&cfg, &c, msg, sizeof(msg))) != 0) {
		report("cannot log in to the sandbox", msg, rc);
		goto out;
	}
	rc = ns_client_exec_capture(c, command, NULL, 0, &out, &err, &exit_status, &exit_signal);
	if (rc != 0 && rc != NS_ERR_TOOBIG) {
		report("the command failed", ns_client_error(c), rc);
		goto out;
	}
	rc = 0;
	if (out.len > 0) {
		fwrite(out.p, 1, out.len, stdout);
		fflush(stdout);
	}
	if (err.len > 0) {
		fwrite(err.p, 1, err.len, stderr);
	}
	*status = exit_status >= 0 ? exit_status : exit_signal > 0 ? 128 + exit_signal : 255;
	fprintf(stderr, "exit status %d\n", *status);
out:
	ns_client_buf_free(&out);
	ns_client_buf_free(&err);
	ns_client_close(c);
	return rc;
}

/* Upload a small file, then run a command that reads it (no SSH key
 * needed: the API runs it). 0 or the error, reported. */
static int files_and_exec(ns_api *api, const char *id)
{
	static const char text[] = "hello from the Files API\n";
	ns_exec_result r;
	FILE *f = tmpfile();
	int rc = NS_ERR_IO;

	if (f == NULL || fwrite(text, 1, sizeof(text) - 1, f) != sizeof(text) - 1 ||
	    fflush(f) != 0 || lseek(fileno(f), 0, SEEK_SET) != 0) {
		report("cannot make a temporary file", "", rc);
		goto out;
	}
	if ((rc = ns_api_file_upload(api, id, "notes/hello.txt", fileno(f), sizeof(text) - 1,
	                             0600)) != 0) {
		report("cannot upload", ns_api_error(api), rc);
		goto out;
	}
	if ((rc = ns_api_exec(api, id, "cat notes/hello.txt", NULL, &r)) != 0) {
		report("cannot run a command", ns_api_error(api), rc);
		goto out;
	}
	printf("%s", r.out);
	fprintf(stderr, "the command exited with %d\n", r.exit_code);
	ns_exec_result_free(&r);
out:
	if (f != NULL) {
		fclose(f);
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *command = argc > 1 ? argv[1] : "uname -a";
	char err[NS_API_ERR_MAX] = "", line[NS_KEY_LINE_MAX];
	ns_ssh_access acc = {.size = sizeof(acc)}; /* ns_ssh_access_init */
	ns_sandbox_info sb;
	ns_api *api = NULL;
	int rc, created = 0, status = 1;
	ns_key key;

	memset(&key, 0, sizeof(key));
	if (argc > 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: sdk_example [COMMAND]\n");
		return 1;
	}
	/* URL and key from NULLSPACE_API_URL / NULLSPACE_API_KEY or the config file */
	if ((rc = ns_api_open(&api, NULL, NULL, err, sizeof(err))) != 0) {
		report("cannot open the API", err, rc);
		return 1;
	}
	if ((rc = ns_api_sandbox_create(api, "base", 120, &sb)) != 0) {
		report("cannot create a sandbox", ns_api_error(api), rc);
		goto out;
	}
	created = 1;
	fprintf(stderr, "sandbox %s is %s\n", sb.id, sb.state);

	/* a fresh key: the API signs its public half for 5 minutes */
	if ((rc = ns_key_generate(&key, "sdk_example")) != 0 ||
	    (rc = ns_key_to_line(key.pk, key.comment, line, sizeof(line))) != 0) {
		report("cannot make a key", "", rc);
		goto out;
	}
	if ((rc = ns_api_create_ssh_access(api, sb.id, line, 5, &acc)) != 0) {
		report("cannot get SSH access", ns_api_error(api), rc);
		goto out;
	}
	if (run(&acc, &key, command, &status) != 0) {
		status = 1;
	}
	if (files_and_exec(api, sb.id) != 0) {
		status = 1;
	}
out:
	if (created && (rc = ns_api_sandbox_kill(api, sb.id)) != 0) {
		report("cannot kill the sandbox", ns_api_error(api), rc);
		status = 1;
	}
	ns_ssh_access_free(&acc);
	ns_key_wipe(&key);
	ns_api_close(api);
	return status;
}
