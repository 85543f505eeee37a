/* bcrypt_pbkdf: the key derivation OpenSSH uses for passphrase-protected
 * private key files (kdfname "bcrypt"). PBKDF2-like, with bcrypt's
 * expensive Blowfish key schedule over SHA-512 digests as the inner hash. */
#ifndef NS_CORE_BCRYPT_PBKDF_H
#define NS_CORE_BCRYPT_PBKDF_H

#include <stddef.h>
#include <stdint.h>

#define NS_BCRYPT_HASH_LEN 32
/* Longest key asked for: stride and output order are defined for any
 * length, but 1024 bytes keeps the stride loop short. */
#define NS_BCRYPT_KEY_MAX 1024
#define NS_BCRYPT_SALT_MAX 1024

/* Derive keylen bytes from pass and salt with rounds iterations. 0, or
 * NS_ERR_INVALID (rounds 0, empty salt or key, lengths over the maxima). */
int ns_bcrypt_pbkdf(const uint8_t *pass, size_t passlen, const uint8_t *salt, size_t saltlen,
                    uint32_t rounds, uint8_t *key, size_t keylen);

#endif
