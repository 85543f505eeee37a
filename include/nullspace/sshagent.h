/* A client of a running ssh-agent (draft-miller-ssh-agent): list its
 * ed25519 keys and have it sign, so that a key never leaves the agent
 * (ns_client_config.sign, ns_engine_auth_signed). The reply parsers are
 * pure and fuzzed; the socket calls block, each bounded by a timeout. */
#ifndef NULLSPACE_SSHAGENT_H
#define NULLSPACE_SSHAGENT_H

#include "nullspace/decls.h"

#include <stddef.h>
#include <stdint.h>

#include "nullspace/keys.h"

NS_BEGIN_DECLS

/* Largest agent message read or written (OpenSSH's agent uses the same). */
#define NS_SSHAGENT_MSG_MAX (256 * 1024)
/* ed25519 keys kept from one identities answer; more are counted only. */
#define NS_SSHAGENT_KEYS_MAX 64
/* One request and its reply; an agent may ask its user to confirm a use
 * (ssh-add -c), so this is generous. */
#define NS_SSHAGENT_TIMEOUT_MS 60000

/* Message numbers (draft-miller-ssh-agent 6.1). */
#define NS_SSH_AGENT_FAILURE 5
#define NS_SSH_AGENTC_REQUEST_IDENTITIES 11
#define NS_SSH_AGENT_IDENTITIES_ANSWER 12
#define NS_SSH_AGENTC_SIGN_REQUEST 13
#define NS_SSH_AGENT_SIGN_RESPONSE 14

typedef struct ns_sshagent_key {
	uint8_t pk[NS_ED25519_PK_LEN];
	char comment[NS_KEY_COMMENT_MAX];
} ns_sshagent_key;

typedef struct ns_sshagent_ids {
	ns_sshagent_key keys[NS_SSHAGENT_KEYS_MAX];
	size_t n;       /* ed25519 keys in keys[] */
	size_t skipped; /* other key types and certificates, and ed25519 keys
	                   past NS_SSHAGENT_KEYS_MAX */
} ns_sshagent_ids;

/* Parse one reply body (the bytes after its uint32 length, type first).
 * NS_ERR_AUTH: the agent answered SSH_AGENT_FAILURE; NS_ERR_PROTOCOL:
 * another message type; NS_ERR_FORMAT: malformed. */
int ns_sshagent_parse_identities(const uint8_t *msg, size_t len, ns_sshagent_ids *out);
/* A SIGN_RESPONSE holding an ssh-ed25519 signature blob (NS_SIG_BLOB_LEN
 * bytes, copied to sig; whether it verifies is the caller's check). */
int ns_sshagent_parse_sign(const uint8_t *msg, size_t len, uint8_t sig[NS_SIG_BLOB_LEN]);

/* Connect to the agent at path (NULL: $SSH_AUTH_SOCK). NS_ERR_NOTFOUND
 * when no agent is configured, NS_ERR_IO when it cannot be reached.
 * *fd is a blocking unix socket the caller closes. */
int ns_sshagent_open(const char *path, int *fd);
/* REQUEST_IDENTITIES: the agent's ed25519 keys. */
int ns_sshagent_list(int fd, ns_sshagent_ids *out);
/* SIGN_REQUEST for the key pk over data; NS_ERR_AUTH when the agent
 * refuses (key not there, confirmation denied, locked agent). */
int ns_sshagent_sign(int fd, const uint8_t pk[NS_ED25519_PK_LEN], const uint8_t *data, size_t len,
                     uint8_t sig[NS_SIG_BLOB_LEN]);
/* Index of pk in ids, or -1. */
int ns_sshagent_find(const ns_sshagent_ids *ids, const uint8_t pk[NS_ED25519_PK_LEN]);

NS_END_DECLS

#endif
