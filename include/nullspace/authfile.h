/* authorized_keys and known_hosts lines (sshd(8) AUTHORIZED_KEYS FILE FORMAT,
 * SSH_KNOWN_HOSTS FILE FORMAT), for ssh-ed25519 keys. Parsing is pure: the
 * caller reads the file and passes its text. */
#ifndef NULLSPACE_AUTHFILE_H
#define NULLSPACE_AUTHFILE_H

#include <stddef.h>
#include <stdint.h>

#include "nullspace/keys.h"

#define NS_AUTHFILE_LINE_MAX 8192

/* One authorized_keys line: [options] keytype base64 [comment].
 * Blank and comment lines give NS_ERR_NOTFOUND; other key types NS_ERR_KEYTYPE.
 * options is a view of the options field (empty when none). */
int ns_authkeys_line_parse(const char *line, size_t len, uint8_t pk[NS_ED25519_PK_LEN],
                           ns_str *options);
/* Is pk listed in the text of an authorized_keys file? 0 yes, NS_ERR_NOTFOUND no. */
int ns_authkeys_find(const char *text, size_t len, const uint8_t pk[NS_ED25519_PK_LEN]);

/* One known_hosts line: hostpatterns keytype base64 [comment].
 * patterns is a view of the host pattern field. */
int ns_known_hosts_line_parse(const char *line, size_t len, ns_str *patterns,
                              uint8_t pk[NS_ED25519_PK_LEN]);
/* Does host (with port; 22 means the bare name) match the pattern list?
 * Supports host, [host]:port, * and ? wildcards, and !negation. */
int ns_known_hosts_match(ns_str patterns, const char *host, unsigned port);
/* Look the host up in known_hosts text: 0 when pk is listed for it,
 * NS_ERR_HOSTKEY_CHANGED when other ed25519 keys are listed for it and pk is
 * not, NS_ERR_HOSTKEY_UNKNOWN when the host is not listed. */
int ns_known_hosts_check(const char *text, size_t len, const char *host, unsigned port,
                         const uint8_t pk[NS_ED25519_PK_LEN]);
/* The line to append for host:port (host or [host]:port), NUL-terminated. */
int ns_known_hosts_line(const char *host, unsigned port, const uint8_t pk[NS_ED25519_PK_LEN],
                        char *out, size_t cap);

#endif
