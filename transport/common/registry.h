/* The sandbox registry the relay routes by: a folder with one small file per
 * sandbox, named by the sandbox id, written atomically (temporary file +
 * rename) by the control plane. A file holds key=value lines:
 *
 *   endpoint=127.0.0.1:41001       agent address: HOST:PORT, [V6]:PORT or unix:PATH
 *   host_key=ssh-ed25519 AAAA...   the agent's host key, pinned by the relay
 *   state=running                  running | stopped
 *   user=sandbox                   login name at the agent (default "sandbox")
 *
 * Blank lines and '#' comments are allowed; unknown keys are ignored (newer
 * control planes may add some); a repeated key, a missing endpoint or host
 * key, or a bad value makes the entry invalid. */
#ifndef NS_TRANSPORT_REGISTRY_H
#define NS_TRANSPORT_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "nullspace/keys.h"

#define NS_SANDBOX_ID_MAX 64 /* [A-Za-z0-9_-], 1..64 characters */
#define NS_REGISTRY_FILE_MAX 4096
#define NS_REGISTRY_ENDPOINT_MAX 256
#define NS_REGISTRY_USER_MAX 64

enum ns_sandbox_state { NS_SANDBOX_RUNNING = 1, NS_SANDBOX_STOPPED = 2 };

typedef struct ns_registry_entry {
	char id[NS_SANDBOX_ID_MAX + 1];
	char endpoint[NS_REGISTRY_ENDPOINT_MAX];
	uint8_t host_key[NS_ED25519_PK_LEN];
	int state;
	char user[NS_REGISTRY_USER_MAX + 1];
} ns_registry_entry;

/* Is id a valid sandbox id (so it can name a file)? 1 or 0. */
int ns_registry_id_valid(const char *id);
/* Parse a registry file's text (pure). NS_ERR_FORMAT with a short reason in
 * why (may be NULL) for an invalid entry. */
int ns_registry_parse(const char *text, size_t len, ns_registry_entry *out, const char **why);
/* Read DIR/ID: 0, NS_ERR_NOTFOUND (no such sandbox), NS_ERR_FORMAT (invalid
 * file), NS_ERR_IO. The id is validated first (NS_ERR_INVALID). */
int ns_registry_lookup(const char *dir, const char *id, ns_registry_entry *out);
/* Write DIR/ID atomically (mode 0644, temporary file in DIR, fsync, rename). */
int ns_registry_write(const char *dir, const ns_registry_entry *e);
/* Remove DIR/ID (0 also when it did not exist). */
int ns_registry_remove(const char *dir, const char *id);

#endif
