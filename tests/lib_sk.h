/* A software FIDO "token" for tests: sk-ssh-ed25519@openssh.com and
 * sk-ecdsa-sha2-nistp256@openssh.com keys and signatures built per OpenSSH
 * PROTOCOL.u2f, with the flags and counter chosen by the test. */
#ifndef NS_TEST_LIB_SK_H
#define NS_TEST_LIB_SK_H

#include <stddef.h>
#include <stdint.h>

#include "nullspace/pubkey.h"

typedef struct lib_sk {
	int type; /* NS_PK_SK_ED25519 or NS_PK_SK_ECDSA_P256 */
	uint8_t ed_sk[64];
	uint8_t ec_x[32];
	uint8_t pub[65]; /* ed25519: 32 bytes; ecdsa: the point */
	char app[64];
	ns_pubkey key; /* the public key, parsed */
} lib_sk;

/* A fixed key from seed (any byte), application app ("ssh:"). */
void lib_sk_new(lib_sk *k, int type, uint8_t seed, const char *app);
/* Signature blob over data; returns its length. */
size_t lib_sk_sign(const lib_sk *k, uint8_t flags, uint32_t counter, const uint8_t *data,
                   size_t len, uint8_t *out, size_t cap);
/* ecdsa-sha2-nistp256: a plain key of the same seed and its signature. */
void lib_ecdsa_new(lib_sk *k, uint8_t seed);
size_t lib_ecdsa_sign(const lib_sk *k, const uint8_t *data, size_t len, uint8_t *out, size_t cap);

#endif
