/* Internals of the openssh-key-v1 reader shared by core/keyfile.c,
 * core/keyfile_crypt.c and the fuzzer (which lowers the bcrypt rounds
 * limit so that one input never costs more than a few hashes). */
#ifndef NS_CORE_KEYFILE_INT_H
#define NS_CORE_KEYFILE_INT_H

#include "nullspace/keys.h"
#include "wire.h"

#define NS_KEYFILE_CIPHER "aes256-ctr"
#define NS_KEYFILE_KDF "bcrypt"
#define NS_KEYFILE_CRYPT_BLOCK 16 /* AES block: the private section pads to it */

/* ns_keyfile_parse_pass with the rounds limit as a parameter. */
int ns_keyfile_parse_max(const char *text, size_t len, const char *pass, size_t passlen,
                         uint32_t max_rounds, ns_key *out);

/* The bcrypt kdfoptions: string salt, uint32 rounds. NS_ERR_FORMAT, or
 * NS_ERR_LIMIT when rounds > max_rounds. */
int ns_keyfile_kdfopts(ns_str opts, uint32_t max_rounds, ns_str *salt, uint32_t *rounds);
/* aes256-ctr with OpenSSH's 128-bit big-endian counter, in place. */
void ns_keyfile_aes256_ctr(const uint8_t key[32], const uint8_t iv[16], uint8_t *buf, size_t len);
/* Decrypt the private section in (aes256-ctr, key and IV from bcrypt_pbkdf
 * of pass) into out (in.len bytes). */
int ns_keyfile_decrypt(ns_str kdfopts, const char *pass, size_t passlen, uint32_t max_rounds,
                       ns_str in, uint8_t *out);

#endif
