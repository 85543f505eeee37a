/* Minting SSH access: an OpenSSH user certificate for the caller's ed25519
 * public key, signed by the control plane's CA. principal = sandbox id; key
 * id "nullspace:<access id>:<sandbox id>"; random 64-bit serial; valid from
 * a minute before now until now + minutes; the extensions the caller
 * names among permit-pty, permit-port-forwarding and permit-agent-forwarding
 * (the API: NS_MINT_EXT_DEFAULT unless the request says otherwise; never X11
 * or user-rc) and, with ns_mint_access_routed, agent@nullspace. Pure: now
 * and randomness (libsodium) only. */
#ifndef NS_API_MINT_H
#define NS_API_MINT_H

#include <stddef.h>
#include <stdint.h>

#include "nullspace/cert.h"
#include "nullspace/keys.h"

#define NS_MINT_BACKDATE 60 /* seconds */
#define NS_ACCESS_ID_LEN 28 /* "acc_" + 24 lowercase letters and digits */
/* What the API mints unless asked otherwise: a PTY and port forwarding
 * (ssh -L/-D/-W/-R); agent forwarding only on request. */
#define NS_MINT_EXT_DEFAULT (NS_EXT_PERMIT_PTY | NS_EXT_PERMIT_PORT_FORWARDING)
/* The extensions a minted certificate may carry. */
#define NS_MINT_EXT_ALLOWED                                                                        \
	(NS_EXT_PERMIT_PTY | NS_EXT_PERMIT_PORT_FORWARDING | NS_EXT_PERMIT_AGENT_FORWARDING)
#define NS_MINT_CERT_LINE_MAX 4096 /* an RSA-8192 key's certificate line is ~2 KB */

typedef struct ns_minted {
	char access_id[NS_ACCESS_ID_LEN + 1];
	char cert_line[NS_MINT_CERT_LINE_MAX]; /* "<key type>-cert-v01@openssh.com AAAA... <access
	                                          id>" */
	uint64_t serial;
	int64_t valid_after, expires_at; /* unix seconds */
} ns_minted;

/* public_key: one public key line of a type core/pubkey.c knows (ed25519,
 * ecdsa-sha2-nistp256, ssh-rsa, sk-*): the certificate's type follows it.
 * NS_ERR_KEYTYPE (another type; *why names the accepted ones), NS_ERR_LIMIT
 * (RSA outside NS_RSA_BITS_MIN..MAX), NS_ERR_FORMAT (not a key line), NS_ERR_INVALID (minutes out
 * of 1..60, bad sandbox id, extensions outside NS_MINT_EXT_ALLOWED); *why (may be NULL) is a
 * message for the API client. extensions: NS_EXT_* bits. */
int ns_mint_access(const ns_key *ca, const char *sandbox_id, const char *public_key, size_t len,
                   int minutes, uint32_t extensions, int64_t now, ns_minted *out, const char **why);

/* The same, with route (NULL: none) as the certificate's agent@nullspace
 * extension: the value of ns_route_ext_value, so a relay routes by the
 * certificate alone (transport/common/route_ext.h). */
int ns_mint_access_routed(const ns_key *ca, const char *sandbox_id, const char *route,
                          const char *public_key, size_t len, int minutes, uint32_t extensions,
                          int64_t now, ns_minted *out, const char **why);

/* Random id: prefix + n characters of [a-z0-9] (out: strlen(prefix)+n+1). */
void ns_random_id(const char *prefix, size_t n, char *out);

#endif
