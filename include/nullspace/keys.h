/* ssh-ed25519 keys: wire blobs, one-line OpenSSH public keys, SHA256
 * fingerprints as ssh-keygen prints them, signatures, and openssh-key-v1
 * private key files (plain or passphrase-protected). */
#ifndef NULLSPACE_KEYS_H
#define NULLSPACE_KEYS_H

#include "nullspace/decls.h"

#include <stddef.h>
#include <stdint.h>

#include "nullspace/types.h"

NS_BEGIN_DECLS

#define NS_ED25519_PK_LEN 32
#define NS_ED25519_SK_LEN 64 /* seed || pk, as libsodium keeps it */
#define NS_ED25519_SIG_LEN 64
/* string "ssh-ed25519" || string pk[32] */
#define NS_KEY_BLOB_LEN 51
/* string "ssh-ed25519" || string sig[64] */
#define NS_SIG_BLOB_LEN 83
/* "SHA256:" + 43 base64 characters + NUL */
#define NS_FINGERPRINT_LEN 51
/* Longest public key line we write: type, base64 blob, comment. */
#define NS_KEY_LINE_MAX 1024
#define NS_KEY_COMMENT_MAX 256
/* Largest private key file we read. */
#define NS_KEYFILE_MAX 8192

typedef struct ns_key {
	uint8_t pk[NS_ED25519_PK_LEN];
	uint8_t sk[NS_ED25519_SK_LEN];
	int has_sk;
	char comment[NS_KEY_COMMENT_MAX];
} ns_key;

/* New random key pair. */
int ns_key_generate(ns_key *k, const char *comment);
void ns_key_wipe(ns_key *k);

/* Wire blob of a public key (exactly NS_KEY_BLOB_LEN bytes). */
void ns_key_blob(const uint8_t pk[NS_ED25519_PK_LEN], uint8_t out[NS_KEY_BLOB_LEN]);
/* Parse a wire blob; NS_ERR_KEYTYPE for other key types. */
int ns_key_from_blob(const uint8_t *blob, size_t len, uint8_t pk[NS_ED25519_PK_LEN]);

/* "ssh-ed25519 AAAA... comment" (comment may be NULL/empty), NUL-terminated. */
int ns_key_to_line(const uint8_t pk[NS_ED25519_PK_LEN], const char *comment, char *out, size_t cap);
/* Parse one public key line (the authorized_keys form without options);
 * leading/trailing whitespace allowed. comment may be NULL. */
int ns_key_from_line(const char *line, size_t len, uint8_t pk[NS_ED25519_PK_LEN], ns_str *comment);

/* "SHA256:<base64 without padding>" of the blob, exactly as ssh-keygen -l. */
void ns_key_fingerprint(const uint8_t pk[NS_ED25519_PK_LEN], char out[NS_FINGERPRINT_LEN]);

/* Sign data into a signature blob (string "ssh-ed25519", string sig). */
int ns_key_sign(const ns_key *k, const uint8_t *data, size_t len, uint8_t sig[NS_SIG_BLOB_LEN]);
/* Verify a signature blob over data: 0 or NS_ERR_SIGNATURE/NS_ERR_FORMAT/NS_ERR_KEYTYPE. */
int ns_key_verify(const uint8_t pk[NS_ED25519_PK_LEN], const uint8_t *sig, size_t siglen,
                  const uint8_t *data, size_t len);

/* openssh-key-v1 ("-----BEGIN OPENSSH PRIVATE KEY-----"), unencrypted ed25519.
 * NS_ERR_ENCRYPTED for passphrase-protected files. */
int ns_keyfile_parse(const char *text, size_t len, ns_key *out);

/* Most bcrypt rounds a passphrase-protected file may ask for. ssh-keygen
 * writes 16 (-a N sets N); a round costs about 9 ms on a 2020s x86 core
 * (as in OpenSSH), so this bounds what a hostile file can cost to ~10 s
 * instead of the hours 2^32 rounds would take. */
#define NS_KEYFILE_KDF_ROUNDS_MAX 1024
/* Longest bcrypt salt read (ssh-keygen writes 16 bytes). */
#define NS_KEYFILE_SALT_MAX 64

/* A passphrase-protected file (cipher aes256-ctr, kdf bcrypt, as
 * `ssh-keygen -N` writes them) or an unencrypted one (pass ignored).
 * NS_ERR_AUTH: the passphrase is wrong (the check ints differ after
 * decryption); NS_ERR_LIMIT: more than NS_KEYFILE_KDF_ROUNDS_MAX rounds;
 * NS_ERR_UNSUPPORTED: another cipher or kdf. Decrypted bytes and derived
 * keys are wiped; the caller wipes pass. */
int ns_keyfile_parse_pass(const char *text, size_t len, const char *pass, size_t passlen,
                          ns_key *out);

/* What can be known of a key file without its passphrase. */
typedef struct ns_keyfile_info {
	uint8_t pk[NS_ED25519_PK_LEN]; /* the public key (stored in clear) */
	int encrypted;                 /* cipher or kdf other than "none" */
	int supported;                 /* encrypted with aes256-ctr and bcrypt */
	uint32_t rounds;               /* bcrypt rounds when supported */
} ns_keyfile_info;
int ns_keyfile_inspect(const char *text, size_t len, ns_keyfile_info *info);
/* Write a file body that ssh-keygen and ssh accept; NUL-terminated. */
int ns_keyfile_write(const ns_key *k, char *out, size_t cap, size_t *outlen);

NS_END_DECLS

#endif
