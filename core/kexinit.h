/* KEXINIT (RFC 4253 7.1): build ours, parse the peer's, negotiate. Pure
 * functions over bytes; the engine keeps both payloads for the exchange hash. */
#ifndef NS_CORE_KEXINIT_H
#define NS_CORE_KEXINIT_H

#include "buf.h"

enum {
	NS_KI_KEX = 0,
	NS_KI_HOSTKEY,
	NS_KI_ENC_CS,
	NS_KI_ENC_SC,
	NS_KI_MAC_CS,
	NS_KI_MAC_SC,
	NS_KI_COMP_CS,
	NS_KI_COMP_SC,
	NS_KI_LANG_CS,
	NS_KI_LANG_SC,
	NS_KI_NLISTS
};

#define NS_KEX_STRICT_C "kex-strict-c-v00@openssh.com"
#define NS_KEX_STRICT_S "kex-strict-s-v00@openssh.com"
#define NS_EXT_INFO_C "ext-info-c"
#define NS_EXT_INFO_S "ext-info-s"
#define NS_CIPHER_CHACHA "chacha20-poly1305@openssh.com"
#define NS_HOSTKEY_CERT "ssh-ed25519-cert-v01@openssh.com"
#define NS_HOSTKEY_CERT "ssh-ed25519-cert-v01@openssh.com"

typedef struct ns_kexinit {
	const uint8_t *cookie; /* 16 bytes */
	ns_str list[NS_KI_NLISTS];
	int first_kex_follows;
} ns_kexinit;

/* What negotiation settled. */
typedef struct ns_kex_result {
	char kex[64];
	int strict;        /* both offered strict kex (first kex only) */
	int peer_ext_info; /* the client offered ext-info-c (seen by a server) */
	int guess_wrong;   /* peer's first_kex_follows guess must be ignored */
	int hostkey_cert;  /* host key algorithm: the certificate one */
} ns_kex_result;

/* Our KEXINIT payload (from the message byte). first: the first kex of the
 * connection (adds the strict-kex and ext-info markers); certs: offer the
 * host certificate algorithm first (server: we have a host certificate;
 * client: we can verify one). */
int ns_kexinit_build(int role, int first, int certs, ns_buf *out);
/* Parse a KEXINIT payload (starting with the message byte). */
int ns_kexinit_parse(const uint8_t *p, size_t len, ns_kexinit *ki);
/* Negotiate: client's preference wins (RFC 4253 7.1). NS_ERR_NOMATCH names
 * nothing secret, so the engine's message says which list failed in *which. */
int ns_kexinit_negotiate(int role, int first, const ns_kexinit *mine, const ns_kexinit *peer,
                         ns_kex_result *res, int *which);

#endif
