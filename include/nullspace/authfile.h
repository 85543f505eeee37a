/* authorized_keys lines (sshd(8) AUTHORIZED_KEYS FILE FORMAT) for ssh-ed25519
 * keys. Parsing is pure: the caller reads the file and passes its text. The
 * known_hosts functions are in nullspace/known_hosts.h. */
#ifndef NULLSPACE_AUTHFILE_H
#define NULLSPACE_AUTHFILE_H

#include "nullspace/decls.h"

#include <stddef.h>
#include <stdint.h>

#include "nullspace/keys.h"
#include "nullspace/pubkey.h"

NS_BEGIN_DECLS

#define NS_AUTHFILE_LINE_MAX 8192

/* One authorized_keys line: [options] keytype base64 [comment].
 * Blank and comment lines give NS_ERR_NOTFOUND; other key types NS_ERR_KEYTYPE.
 * options is a view of the options field (empty when none). */
int ns_authkeys_line_parse(const char *line, size_t len, uint8_t pk[NS_ED25519_PK_LEN],
                           ns_str *options);
/* Is pk listed in the text of an authorized_keys file? 0 yes, NS_ERR_NOTFOUND no. */
int ns_authkeys_find(const char *text, size_t len, const uint8_t pk[NS_ED25519_PK_LEN]);
/* The same for a key of any type (ecdsa, RSA, sk-*). A line with options is
 * skipped (its restrictions cannot be enforced here), except the option
 * no-touch-required alone: then *no_touch (may be NULL) is 1 and the caller
 * takes a FIDO signature without user presence. */
int ns_authkeys_line_parse_key(const char *line, size_t len, ns_pubkey *key, ns_str *options);
int ns_authkeys_find_key(const char *text, size_t len, const ns_pubkey *key, int *no_touch);

NS_END_DECLS

#endif
