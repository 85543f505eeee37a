/* The key `nullspace connect` authenticates with (connect_key.h): ssh-agent
 * first when it holds the wanted key, then the key file, decrypted with a
 * passphrase asked on /dev/tty. Passphrases and key bytes are wiped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "connect_key.h"
#include "keyfiles.h"
#include "nullspace/error.h"
#include "nullspace/sshagent.h"
#include "passphrase.h"
#include "textfile.h"

#define PATH_MAX_LEN 4096

/* The public key in path.pub, for an agent lookup when the private file
 * is not there (as ssh does). 0 when found. */
static int pub_file(const char *path, uint8_t pk[NS_ED25519_PK_LEN])
{
	char pub[PATH_MAX_LEN];
	char *text = NULL;
	size_t len = 0, off = 0;
	ns_str line;
	int rc = -1;

	if ((size_t)snprintf(pub, sizeof(pub), "%s.pub", path) >= sizeof(pub) ||
	    ns_cli_read_file(pub, NS_KEY_LINE_MAX * 4, &text, &len) != 0) {
		return -1;
	}
	while (rc != 0 && ns_cli_next_line(text, len, &off, &line)) {
		if (!ns_cli_line_skip(line) &&
		    ns_key_from_line((const char *)line.p, line.len, pk, NULL) == 0) {
			rc = 0;
		}
	}
	free(text);
	return rc;
}

/* Use the agent when it holds want (or any ed25519 key when want is NULL):
 * 1 when it will sign, 0 when not. */
static int try_agent(ns_connect_key *ck, const uint8_t *want)
{
	static ns_sshagent_ids ids;
	int fd, i;

	if (ns_sshagent_open(NULL, &fd) != 0) {
		return 0;
	}
	if (ns_sshagent_list(fd, &ids) != 0) {
		close(fd);
		return 0;
	}
	i = want != NULL ? ns_sshagent_find(&ids, want) : ids.n > 0 ? 0 : -1;
	if (i < 0) {
		close(fd);
		return 0;
	}
	memcpy(ck->key.pk, ids.keys[i].pk, NS_ED25519_PK_LEN);
	memcpy(ck->key.comment, ids.keys[i].comment, sizeof(ck->key.comment));
	ck->agent_fd = fd;
	return 1;
}

/* A passphrase-protected file: ask on the terminal, up to
 * NS_CLI_PASSPHRASE_TRIES times. */
static int ask(ns_connect_key *ck, const char *path, const char *text, size_t n)
{
	char pass[NS_CLI_PASSPHRASE_MAX], prompt[PATH_MAX_LEN + 64];
	ns_keyfile_info info;
	size_t plen = 0;
	int tries, rc;

	if ((rc = ns_keyfile_inspect(text, n, &info)) != 0) {
		return ns_cli_fail(ck->cmd, "key %s: %s", path, ns_strerror(rc));
	}
	if (!info.supported) {
		return ns_cli_fail(ck->cmd,
		                   "key %s is encrypted with a cipher or kdf other than aes256-ctr "
		                   "with bcrypt, which we cannot open",
		                   path);
	}
	if (info.rounds > NS_KEYFILE_KDF_ROUNDS_MAX) {
		return ns_cli_fail(ck->cmd,
		                   "key %s asks for %u bcrypt rounds, more than our limit of %d "
		                   "(event=key-refused reason=kdf-rounds)",
		                   path, info.rounds, NS_KEYFILE_KDF_ROUNDS_MAX);
	}
	snprintf(prompt, sizeof(prompt), "Enter passphrase for key '%s': ", path);
	rc = NS_ERR_AUTH; /* until a passphrase opens it */
	for (tries = 0; tries < NS_CLI_PASSPHRASE_TRIES && rc == NS_ERR_AUTH; tries++) {
		rc = ns_cli_read_passphrase(prompt, pass, sizeof(pass), &plen);
		if (rc == NS_ERR_NOTFOUND) {
			return ns_cli_fail(
			    ck->cmd,
			    "%s is encrypted and there is no terminal to ask for its "
			    "passphrase (add it to ssh-agent with ssh-add)",
			    path);
		}
		if (rc == 0) {
			rc = ns_keyfile_parse_pass(text, n, pass, plen, &ck->key);
		}
		sodium_memzero(pass, sizeof(pass));
		if (rc == NS_ERR_AUTH) {
			fprintf(stderr, "nullspace %s: wrong passphrase for key %s\n", ck->cmd,
			        path);
		}
	}
	if (rc == NS_ERR_AUTH) {
		return ns_cli_fail(ck->cmd, "wrong passphrase for key %s (%d tries)", path, tries);
	}
	if (rc != 0) {
		return ns_cli_fail(ck->cmd, "key %s: %s", path,
		                   rc == NS_ERR_TOOBIG ? "passphrase longer than we read"
		                   : rc == NS_ERR_IO   ? "no passphrase read"
		                                       : ns_strerror(rc));
	}
	return 0;
}

static int from_file(ns_connect_key *ck, const char *path, const char *text, size_t n)
{
	int rc = ns_keyfile_parse(text, n, &ck->key);

	if (rc == NS_ERR_ENCRYPTED) {
		return ask(ck, path, text, n);
	}
	if (rc != 0) {
		return ns_cli_fail(ck->cmd, "key %s: %s", path, ns_strerror(rc));
	}
	return 0;
}

int ns_connect_key_load(const char *cmd, const char *path, const uint8_t *cert_pk,
                        ns_connect_key *ck)
{
	char text[NS_KEYFILE_MAX + 1];
	uint8_t pk[NS_ED25519_PK_LEN];
	const uint8_t *want = cert_pk;
	ns_keyfile_info info;
	size_t n = 0;
	int missing = 0, rc;

	memset(ck, 0, sizeof(*ck));
	ck->agent_fd = -1;
	ck->cmd = cmd;
	if (ns_cli_read_key_text(cmd, "key", path, text, sizeof(text), &n, &missing) != 0 &&
	    missing == 0) {
		return NS_EXIT_OWN_ERROR; /* there, but unusable: said why */
	}
	if (want == NULL && missing == 0 && ns_keyfile_inspect(text, n, &info) == 0) {
		memcpy(pk, info.pk, sizeof(pk));
		want = pk;
	} else if (want == NULL && missing != 0 && pub_file(path, pk) == 0) {
		want = pk;
	}
	if (try_agent(ck, want)) {
		rc = 0;
	} else if (missing != 0) {
		rc = ns_cli_fail(cmd, "cannot open key %s (%s) and no ssh-agent holds %s", path,
		                 strerror(missing), want != NULL ? "its key" : "an ed25519 key");
	} else {
		rc = from_file(ck, path, text, n);
	}
	sodium_memzero(text, sizeof(text));
	if (rc != 0) {
		ns_connect_key_free(ck);
	}
	return rc;
}

int ns_connect_key_sign(void *ud, const uint8_t pk[NS_ED25519_PK_LEN], const uint8_t *data,
                        size_t len, uint8_t sig[NS_SIG_BLOB_LEN])
{
	ns_connect_key *ck = ud;
	char fp[NS_FINGERPRINT_LEN];
	int rc = ns_sshagent_sign(ck->agent_fd, pk, data, len, sig);

	if (rc != 0) {
		ns_key_fingerprint(pk, fp);
		snprintf(ck->err, sizeof(ck->err), "ssh-agent %s to sign with ssh-ed25519 %s%s%s",
		         rc == NS_ERR_AUTH ? "refused" : "failed", fp,
		         rc == NS_ERR_AUTH ? "" : ": ", rc == NS_ERR_AUTH ? "" : ns_strerror(rc));
	}
	return rc;
}

void ns_connect_key_free(ns_connect_key *ck)
{
	ns_key_wipe(&ck->key);
	if (ck->agent_fd >= 0) {
		close(ck->agent_fd);
		ck->agent_fd = -1;
	}
}
