/* A CA keys file (--ca-keys of the agent and the relay, --ca of `nullspace
 * cert check`): one ssh-ed25519 public key line per trusted CA; blank lines
 * and '#' comments are skipped. */
#ifndef NS_TRANSPORT_CA_KEYS_H
#define NS_TRANSPORT_CA_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "nullspace/keys.h"

/* CA keys a server trusts at once: more lines than this are refused. */
#define NS_CA_KEYS_MAX 64

/* Every key line of text into cas[0..max), *n of them. 0 when every other
 * line is blank or a comment; else the first problem, with *bad_line its
 * line number (from 1): the key line's NS_ERR_* or NS_ERR_LIMIT past max
 * keys. The good keys are kept either way, so a server can skip a bad line
 * and a strict caller can refuse the file. */
int ns_ca_keys_parse(const char *text, size_t len, uint8_t (*cas)[NS_ED25519_PK_LEN], size_t max,
                     size_t *n, size_t *bad_line);

#endif
