/* Internal: the key fields of each public key type (shared by plain blobs
 * and certificates, whose key fields are the same bytes after the nonce) and
 * the per-algorithm verifiers behind ns_pubkey_verify (core/sig.c). */
#ifndef NS_CORE_SIG_H
#define NS_CORE_SIG_H

#include "nullspace/pubkey.h"
#include "wire.h"

#define NS_P256_POINT_LEN 65 /* 0x04 || x || y */
#define NS_P256_SCALAR_LEN 32

/* The key fields of one type, as views into the blob they came from. */
typedef struct ns_pk_fields {
	ns_str ed25519;     /* 32 bytes (ed25519, sk-ed25519) */
	ns_str q;           /* P-256 point (ecdsa, sk-ecdsa) */
	ns_str e, n;        /* RSA, mpint bodies without the sign byte */
	ns_str application; /* sk-* */
} ns_pk_fields;

/* Read the key fields of a key of type from r (after the type name, and in
 * a certificate after the nonce) and validate them. NS_ERR_LIMIT with *why
 * for an RSA modulus outside the limits; NS_ERR_FORMAT otherwise. */
int ns_pk_read_fields(ns_rd *r, int type, ns_pk_fields *f, const char **why);
/* The fields of a parsed key (its blob is known good). */
int ns_pk_fields_of(const ns_pubkey *k, ns_pk_fields *f);
/* Build a plain key from validated fields (cert key fields included). */
int ns_pk_from_fields(int type, const uint8_t *fields, size_t len, ns_pubkey *out);

/* A P-256 point is on the curve (uncompressed form only). */
int ns_sig_p256_point_ok(ns_str q);
/* ECDSA P-256 with SHA-256 over msg; sig is the SSH signature body
 * (mpint r, mpint s). */
int ns_sig_ecdsa_verify(ns_str q, ns_str sig, const uint8_t *msg, size_t len);
/* RSA PKCS#1 v1.5 with SHA-256 (sha512 == 0) or SHA-512 over msg. */
int ns_sig_rsa_verify(ns_str e, ns_str n, int sha512, ns_str sig, const uint8_t *msg, size_t len);
/* Bits of an RSA modulus (n without leading zeros). */
size_t ns_sig_rsa_bits(ns_str n);
/* sk-* signature after the algorithm name: string sig, byte flags, uint32
 * counter, over sha256(application) || flags || counter || sha256(msg). */
int ns_sig_sk_verify(int type, const ns_pk_fields *f, ns_rd *r, const uint8_t *msg, size_t len,
                     ns_sig_info *info);

#endif
