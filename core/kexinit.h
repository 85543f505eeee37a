/* KEXINIT (RFC 4253 7.1): build ours, parse the peer's, negotiate. Pure
 * functions over bytes; the engine keeps both payloads for the exchange hash. */
#ifndef NS_CORE_KEXINIT_H
#define NS_CORE_KEXINIT_H

#include "buf.h"
#include "packet.h"

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
#define NS_CIPHER_CHACHA NS_CIPHER_NAME_CHACHA
#define NS_CIPHER_AESGCM NS_CIPHER_NAME_AESGCM
#define NS_HOSTKEY_CERT "ssh-ed25519-cert-v01@openssh.com"
#define NS_KEX_CURVE25519 "curve25519-sha256"
#define NS_KEX_CURVE25519_LIBSSH "curve25519-sha256@libssh.org"
#define NS_KEX_ECDH_P256 "ecdh-sha2-nistp256"
#define NS_KEX_SNTRUP761 "sntrup761x25519-sha512"
#define NS_KEX_SNTRUP761_OPENSSH "sntrup761x25519-sha512@openssh.com"
#define NS_KEX_MLKEM768 "mlkem768x25519-sha256"
#define NS_KEX_LIST_MAX 256 /* our kex list (without markers), with its NUL */
#define NS_MAC_LIST_MAX 128 /* our MAC list, with its NUL */

/* The key exchange methods (kex_ecdh.c). */
enum ns_kex_method {
	NS_KEX_NONE = 0,
	NS_KEX_X25519 = 1, /* curve25519-sha256 (and the @libssh.org name) */
	NS_KEX_P256 = 2,   /* ecdh-sha2-nistp256 (RFC 5656) */
	NS_KEX_SNTRUP = 3, /* sntrup761x25519-sha512 (and the @openssh.com name) */
	NS_KEX_MLKEM = 4,  /* mlkem768x25519-sha256 */
};
/* NS_KEX_NONE: not one of ours. */
int ns_kex_method_by_name(ns_str name);

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
	int cipher_cs;     /* enum ns_pkt_cipher, client to server */
	int cipher_sc;     /* server to client */
	int mac_cs;        /* enum ns_mac_alg; NS_MAC_NONE with an AEAD cipher */
	int mac_sc;
	int kex_method;       /* enum ns_kex_method */
	char hostkey_alg[64]; /* the host key algorithm chosen */
} ns_kex_result;

/* Our cipher name-list from a configured one (comma-separated names, in
 * order of preference; NULL: the role's default, which puts
 * aes256-gcm@openssh.com first for a client and chacha20-poly1305@openssh.com
 * first for a server). Ciphers this CPU cannot run are left out. Errors:
 * NS_ERR_INVALID (an unknown name, a repeated or empty one), NS_ERR_UNSUPPORTED
 * (nothing left). out holds NS_CIPHER_LIST_MAX bytes. */
int ns_kexinit_ciphers(int role, const char *wanted, char out[NS_CIPHER_LIST_MAX]);

/* Our KEXINIT payload (from the message byte). first: the first kex of the
 * connection (adds the strict-kex and ext-info markers); certs: offer the
 * host certificate algorithm first (server: we have a host certificate;
 * client: we can verify one); ciphers: from ns_kexinit_ciphers. */
int ns_kexinit_build_with(int role, int first, int certs, const char *ciphers,
                          const uint8_t cookie[16], ns_buf *out);
/* The same with every list given: kexs (without the strict-kex and
 * ext-info markers, which are added here), ciphers and macs. */
int ns_kexinit_build_algs(int role, int first, int certs, const char *kexs, const char *ciphers,
                          const char *macs, const uint8_t cookie[16], ns_buf *out);
/* Our default kex and MAC lists (docs/algorithms.md). */
const char *ns_kexinit_default_kex(void);
const char *ns_kexinit_default_macs(void);
/* Check a configured kex or MAC list (comma-separated names of ours, each
 * once, in order of preference; NULL: the default) and copy it to out (cap
 * bytes). NS_ERR_INVALID: an unknown, repeated or empty name, or too long. */
int ns_kexinit_kex_list(const char *wanted, char *out, size_t cap);
int ns_kexinit_mac_list(const char *wanted, char *out, size_t cap);
/* The same with the role's default ciphers. */
int ns_kexinit_build(int role, int first, int certs, ns_buf *out);
/* Parse a KEXINIT payload (starting with the message byte). */
int ns_kexinit_parse(const uint8_t *p, size_t len, ns_kexinit *ki);
/* Negotiate: client's preference wins (RFC 4253 7.1). NS_ERR_NOMATCH names
 * nothing secret, so the engine's message says which list failed in *which. */
int ns_kexinit_negotiate(int role, int first, const ns_kexinit *mine, const ns_kexinit *peer,
                         ns_kex_result *res, int *which);

/* The message for a failed negotiation of list which (from
 * ns_kexinit_negotiate), as ssh words it, with both lists:
 * "no matching cipher found: client A,B server C,D". Always NUL-terminated
 * within cap; long lists are cut with "...". */
void ns_kexinit_nomatch(int role, int which, const ns_kexinit *mine, const ns_kexinit *peer,
                        char *out, size_t cap);

#endif
