/* How `nullspace connect` signs: through ssh-agent when it holds the key
 * (or, with no key file, any ed25519 key it holds), else with the key file,
 * asking for its passphrase on the terminal when it is protected. */
#ifndef NS_CLI_CONNECT_KEY_H
#define NS_CLI_CONNECT_KEY_H

#include <stdint.h>

#include "nullspace/keys.h"

/* Wrong passphrases accepted before giving up (ssh's NumberOfPasswordPrompts). */
#define NS_CLI_PASSPHRASE_TRIES 3

typedef struct ns_connect_key {
	ns_key key;    /* the public key; the secret half unless the agent signs */
	int agent_fd;  /* >= 0: ssh-agent signs (ns_connect_key_sign) */
	char err[256]; /* why the agent did not sign, when it refused */
	const char *cmd;
} ns_connect_key;

/* Choose and load. path: the key file (-i or the default); cert_pk: the
 * key of the certificate given with -c, or NULL. 0, or NS_EXIT_OWN_ERROR
 * after a message. */
int ns_connect_key_load(const char *cmd, const char *path, const uint8_t *cert_pk,
                        ns_connect_key *ck);
/* ns_client_config.sign through the agent (ud is the ns_connect_key). */
int ns_connect_key_sign(void *ud, const uint8_t pk[NS_ED25519_PK_LEN], const uint8_t *data,
                        size_t len, uint8_t sig[NS_SIG_BLOB_LEN]);
/* Wipe the key, close the agent. */
void ns_connect_key_free(ns_connect_key *ck);

#endif
