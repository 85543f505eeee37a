/* OpenSSH certificates (PROTOCOL.certkeys) of ed25519, ecdsa-sha2-nistp256,
 * RSA and FIDO (sk-*) keys; we sign with ed25519 CA keys (ns_cert_sign) and
 * verify certificates signed by a CA key of any of those types:
 * parse and serialize byte-exactly, sign as a CA, and check against a policy
 * with the clock passed in. Parsing (structure + the certificate's own
 * signature) is kept apart from policy (trusted CAs, type, principal,
 * validity, critical options, revocation). No I/O, no allocation: parsed
 * fields are views into the caller's blob. */
#ifndef NULLSPACE_CERT_H
#define NULLSPACE_CERT_H

#include "nullspace/decls.h"

#include <stddef.h>
#include <stdint.h>

#include "nullspace/keys.h"
#include "nullspace/pubkey.h"
#include "nullspace/types.h"

NS_BEGIN_DECLS

#define NS_CERT_ALG "ssh-ed25519-cert-v01@openssh.com"
#define NS_CERT_BLOB_MAX 16384
#define NS_CERT_PRINCIPALS_MAX 256 /* OpenSSH's cap */
#define NS_CERT_NONCE_MIN 16
#define NS_CERT_NONCE_MAX 64
#define NS_CERT_KEY_ID_MAX 1024
#define NS_CERT_NAME_MAX 256   /* one principal, option or extension name */
#define NS_CERT_LINE_MAX 32768 /* one text line holding a certificate */

enum ns_cert_type { NS_CERT_USER = 1, NS_CERT_HOST = 2 };

/* Extensions we understand (bit mask); unknown extensions are ignored. */
enum ns_cert_ext {
	NS_EXT_NO_TOUCH_REQUIRED = 1 << 0,
	NS_EXT_PERMIT_X11_FORWARDING = 1 << 1,
	NS_EXT_PERMIT_AGENT_FORWARDING = 1 << 2,
	NS_EXT_PERMIT_PORT_FORWARDING = 1 << 3,
	NS_EXT_PERMIT_PTY = 1 << 4,
	NS_EXT_PERMIT_USER_RC = 1 << 5,
};

/* Why a certificate was refused: stable codes for logs and tests. */
enum ns_cert_reason {
	NS_CERT_OK = 0,
	NS_CERT_MALFORMED,       /* structure, names, trailing data, ... */
	NS_CERT_BAD_SIGNATURE,   /* the CA signature does not verify */
	NS_CERT_CA_IS_CERT,      /* signature key is itself a certificate */
	NS_CERT_UNTRUSTED_CA,    /* signed by a key not in the trusted set */
	NS_CERT_WRONG_TYPE,      /* host certificate used as user, or reverse */
	NS_CERT_NO_PRINCIPALS,   /* empty principal list */
	NS_CERT_WRONG_PRINCIPAL, /* requested name not among the principals */
	NS_CERT_NOT_YET_VALID,   /* now < valid_after */
	NS_CERT_EXPIRED,         /* now >= valid_before */
	NS_CERT_UNKNOWN_OPTION,  /* a critical option we do not understand */
	NS_CERT_SOURCE_ADDRESS,  /* peer address not in source-address */
	NS_CERT_REVOKED_SERIAL,
	NS_CERT_REVOKED_KEY_ID,
	NS_CERT_REVOKED_KEY,     /* the certificate's key or CA key is revoked */
	NS_CERT_VERIFY_REQUIRED, /* verify-required: FIDO user verification, which only
	                            an sk-* key can give (its UV flag) */
	NS_CERT_LIFETIME,        /* valid_before - valid_after over the policy's max */
	NS_CERT_NO_PRESENCE,     /* a FIDO signature without user presence (no touch)
	                            and no no-touch-required extension */
};

typedef struct ns_cert {
	ns_str blob; /* the whole certificate */
	ns_str nonce;
	int key_type;                  /* enum ns_pk_type of the certified key */
	ns_str key_fields;             /* its fields (after the nonce), as in its plain blob */
	uint8_t pk[NS_ED25519_PK_LEN]; /* the key when key_type is NS_PK_ED25519 */
	uint64_t serial;
	uint32_t type; /* NS_CERT_USER or NS_CERT_HOST */
	ns_str key_id;
	ns_str principals; /* packed: string principal, ... */
	uint32_t nprincipals;
	uint64_t valid_after;
	uint64_t valid_before;
	ns_str critical_options; /* packed: string name, string data, ... */
	ns_str extensions;       /* packed likewise */
	ns_str reserved;
	ns_str ca_blob;                   /* the signature key (a plain key) */
	int ca_type;                      /* its enum ns_pk_type */
	uint8_t ca_pk[NS_ED25519_PK_LEN]; /* the CA key when ca_type is NS_PK_ED25519 */
	ns_str signature;                 /* signature blob */
} ns_cert;

/* Parse a certificate blob and verify its signature under the embedded CA
 * key (whether that CA is trusted is policy, see ns_cert_check). *reason
 * (may be NULL) says why on failure. */
int ns_cert_parse(const uint8_t *blob, size_t len, ns_cert *out, int *reason);
/* The certified key as a plain key (any type). */
int ns_cert_pubkey(const ns_cert *c, ns_pubkey *out);
/* The CA key that signed it. */
int ns_cert_ca_pubkey(const ns_cert *c, ns_pubkey *out);
/* i-th principal (0-based). */
int ns_cert_principal(const ns_cert *c, uint32_t i, ns_str *name);
/* Look up a critical option (critical != 0) or an extension by name; *value
 * is its data unwrapped (the inner string; empty for flags). NS_ERR_NOTFOUND
 * when absent. */
int ns_cert_option(const ns_cert *c, int critical, const char *name, ns_str *value);
/* Extensions present, as NS_EXT_* bits. */
uint32_t ns_cert_extension_bits(const ns_cert *c);

/* Text form: "ssh-ed25519-cert-v01@openssh.com BASE64 [comment]" into blob. */
int ns_cert_from_line(const char *line, size_t len, uint8_t *blob, size_t cap, size_t *bloblen);
int ns_cert_to_line(const uint8_t *blob, size_t len, const char *comment, char *out, size_t cap);

/* What a CA signs. */
typedef struct ns_cert_spec {
	uint32_t type; /* NS_CERT_USER or NS_CERT_HOST */
	const char *key_id;
	uint64_t serial;
	const char *const *principals;
	size_t nprincipals;
	uint64_t valid_after;
	uint64_t valid_before;
	const char *force_command;  /* NULL: none */
	const char *source_address; /* NULL: none */
	int verify_required;
	uint32_t extensions;  /* NS_EXT_* bits (user certs) */
	const uint8_t *nonce; /* NULL: 32 random bytes */
	size_t nonce_len;
	/* One more extension (user certificates; NULL name: none), written in
	 * its sorted place with value as its data, e.g. nullspace's
	 * agent@nullspace route (transport/common/route_ext.h). Not one of the
	 * NS_EXT_* names; OpenSSH ignores extensions it does not know. */
	const char *ext_name, *ext_value;
} ns_cert_spec;

/* Sign a certificate for pk with the CA key into out (cap bytes). Options
 * and extensions are written sorted, as OpenSSH requires. */
int ns_cert_sign(const ns_key *ca, const uint8_t pk[NS_ED25519_PK_LEN], const ns_cert_spec *spec,
                 uint8_t *out, size_t cap, size_t *outlen);
/* The same for a key of any type (ns_pubkey_from_blob): the certificate's
 * type name and key fields follow the key (ssh-rsa-cert-v01@openssh.com for
 * RSA, whatever rsa-sha2-* its holder signs with). The CA is ed25519. */
int ns_cert_sign_key(const ns_key *ca, const ns_pubkey *key, const ns_cert_spec *spec, uint8_t *out,
                     size_t cap, size_t *outlen);

/* Revocation list, a text format documented in docs/certificates.md:
 *   # comment
 *   serial: 42            serial: 100-200        (of any trusted CA)
 *   id: some-key-id
 *   key: ssh-ed25519 AAAA... (a certificate key or a CA key)
 * Parsing is pure; ns_revoked_check scans the text. */
int ns_revoked_line_parse(const char *line, size_t len);
/* 0 when not revoked; otherwise NS_ERR_AUTH with *reason set. */
int ns_revoked_check(const char *text, size_t len, const ns_cert *c, int *reason);

typedef struct ns_cert_policy {
	const uint8_t (*ca_keys)[NS_ED25519_PK_LEN]; /* trusted CA public keys */
	size_t nca;
	uint32_t type;         /* expected NS_CERT_USER / NS_CERT_HOST */
	const char *principal; /* requested name (user name or host name) */
	uint64_t now;          /* seconds since the epoch */
	const char *peer_addr; /* textual IPv4/IPv6 address, for source-address */
	const char *revoked;   /* revocation list text, or NULL */
	size_t revoked_len;
	uint64_t max_lifetime; /* seconds: refuse valid_before - valid_after over
	                          this ("forever" too); 0: no limit */
	/* the verified signature of the login (NULL for a query): a FIDO one
	 * needs user presence unless the certificate has no-touch-required, and
	 * user verification when it has verify-required */
	const ns_sig_info *sig;
} ns_cert_policy;

typedef struct ns_cert_verdict {
	int reason;           /* NS_CERT_OK or why not */
	ns_str force_command; /* present when has_force_command */
	int has_force_command;
	int verify_required; /* always 0 on success */
	uint32_t extensions; /* NS_EXT_* bits */
} ns_cert_verdict;

/* 0 when the certificate is acceptable; NS_ERR_AUTH with v->reason set. */
int ns_cert_check(const ns_cert *c, const ns_cert_policy *p, ns_cert_verdict *v);
/* A short name for a reason code ("expired", "wrong-principal", ...). */
const char *ns_cert_reason_name(int reason);

/* source-address: does addr (textual IP) match a comma-separated CIDR list?
 * 1 match, 0 no match, NS_ERR_FORMAT for a malformed list. */
int ns_cidr_list_match(ns_str list, const char *addr);

NS_END_DECLS

#endif
