/* Public keys of every type we verify: ssh-ed25519, ecdsa-sha2-nistp256,
 * ssh-rsa (signatures rsa-sha2-256/512 only), sk-ssh-ed25519@openssh.com and
 * sk-ecdsa-sha2-nistp256@openssh.com (FIDO, PROTOCOL.u2f). Verification only:
 * the keys we sign with stay ssh-ed25519 (keys.h). */
#ifndef NULLSPACE_PUBKEY_H
#define NULLSPACE_PUBKEY_H

#include "nullspace/decls.h"

#include <stddef.h>
#include <stdint.h>

#include "nullspace/types.h"

NS_BEGIN_DECLS

enum ns_pk_type {
	NS_PK_NONE = 0,
	NS_PK_ED25519,       /* ssh-ed25519 */
	NS_PK_ECDSA_P256,    /* ecdsa-sha2-nistp256 */
	NS_PK_RSA,           /* ssh-rsa (verified with rsa-sha2-256/512) */
	NS_PK_SK_ED25519,    /* sk-ssh-ed25519@openssh.com */
	NS_PK_SK_ECDSA_P256, /* sk-ecdsa-sha2-nistp256@openssh.com */
};

/* RSA moduli outside [MIN, MAX] bits are refused ("rsa-key-too-small" /
 * "rsa-key-too-large"): OpenSSH refuses under 1024 (RequiredRSASize), we
 * follow NIST's 2048; 8192 bounds the cost of one verification. */
#define NS_RSA_BITS_MIN 2048
#define NS_RSA_BITS_MAX 8192
/* Longest RSA public exponent (bytes); ssh-keygen writes 65537 (3 bytes). */
#define NS_RSA_E_MAX 8
/* Longest FIDO application string ("ssh:" by default). */
#define NS_SK_APPLICATION_MAX 256
/* A plain key blob of any type: the largest is RSA-8192,
 * string "ssh-rsa" || mpint e || mpint n. */
#define NS_PUBKEY_BLOB_MAX 1100
/* Longest signature blob of any type (RSA-8192: 4+12 + 4+1024). */
#define NS_PUBKEY_SIG_MAX 1100
/* A one-line public key of any type ("ssh-rsa AAAA... comment"). */
#define NS_PUBKEY_LINE_MAX 2048

/* FIDO signature flags (PROTOCOL.u2f). */
#define NS_SK_FLAG_UP 0x01 /* user presence (touch) */
#define NS_SK_FLAG_UV 0x04 /* user verification (PIN, biometrics) */

/* A parsed and validated public key: its type and its plain blob (the point
 * is on the curve, the RSA modulus odd and within the limits). */
typedef struct ns_pubkey {
	int type; /* enum ns_pk_type */
	size_t blob_len;
	uint8_t blob[NS_PUBKEY_BLOB_MAX];
} ns_pubkey;

/* What a verified signature said beyond "valid". */
typedef struct ns_sig_info {
	int sk;           /* a FIDO signature: flags and counter are set */
	uint8_t flags;    /* NS_SK_FLAG_* */
	uint32_t counter; /* the token's signature counter */
} ns_sig_info;

/* Key type name <-> enum ("ssh-rsa" -> NS_PK_RSA); NS_PK_NONE when unknown. */
int ns_pubkey_type_of(ns_str name);
const char *ns_pubkey_type_name(int type);
/* The certificate type name of a key type ("ssh-rsa-cert-v01@openssh.com"). */
const char *ns_pubkey_cert_name(int type);
/* A certificate type name to its key type; NS_PK_NONE when unknown. */
int ns_pubkey_cert_type_of(ns_str name);

/* Parse a plain key blob. NS_ERR_KEYTYPE: a type we do not know;
 * NS_ERR_LIMIT: an RSA modulus outside the limits; NS_ERR_FORMAT otherwise.
 * *why (may be NULL) gets a short reason for a log line. */
int ns_pubkey_from_blob(const uint8_t *blob, size_t len, ns_pubkey *out, const char **why);
/* "TYPE BASE64 [comment]"; comment (may be NULL) is a view into line. */
int ns_pubkey_from_line(const char *line, size_t len, ns_pubkey *out, ns_str *comment);
/* "TYPE BASE64[ comment]", NUL-terminated. */
int ns_pubkey_to_line(const ns_pubkey *k, const char *comment, char *out, size_t cap);
/* "SHA256:..." of the blob, as ssh-keygen -l (out: NS_FINGERPRINT_LEN). */
void ns_pubkey_fingerprint(const ns_pubkey *k, char *out);
/* Same key (type and blob)? */
int ns_pubkey_equal(const ns_pubkey *a, const ns_pubkey *b);

/* Is alg a signature algorithm for keys of this type? ("rsa-sha2-512" for
 * NS_PK_RSA; "ssh-rsa", SHA-1, never.) */
int ns_pubkey_sig_alg_ok(int type, ns_str alg);
/* Verify a signature blob over data. want_alg (NULL: any that fits the key
 * type) is the algorithm the signature must name. 0, NS_ERR_SIGNATURE,
 * NS_ERR_FORMAT, NS_ERR_KEYTYPE (algorithm does not fit the key, or is
 * ssh-rsa SHA-1). info (may be NULL) gets the FIDO flags and counter; the
 * caller decides whether a missing user-presence flag is acceptable. */
int ns_pubkey_verify(const ns_pubkey *k, const char *want_alg, const uint8_t *sig, size_t siglen,
                     const uint8_t *data, size_t len, ns_sig_info *info);

NS_END_DECLS

#endif
