/* AES for the packet layer through BearSSL: CTR with the 128-bit big-endian
 * counter of RFC 4344 (aes128-ctr, aes256-ctr) and GCM as RFC 5647 uses it
 * (aes128-gcm@openssh.com, and aes256-gcm@openssh.com where libsodium
 * lacks it). AES-NI and PCLMUL when the CPU has them, BearSSL's
 * constant-time ct64 code otherwise. */
#ifndef NS_CORE_CIPHER_AES_H
#define NS_CORE_CIPHER_AES_H

#include <bearssl.h>
#include <stddef.h>
#include <stdint.h>

#define NS_AES_BLOCK 16
#define NS_AES_TAG_LEN 16 /* GCM */

typedef struct ns_aes {
	/* CTR: the key schedule and the counter of the next block. */
	br_aes_gen_ctrcbc_keys ctr;
	uint8_t ctr_block[NS_AES_BLOCK];
	/* GCM: the key schedule; the GCM context is set up per packet, since
	 * it points into this struct and the struct may move. */
	br_aes_gen_ctr_keys gcm;
	int accel; /* AES-NI (and PCLMUL for GHASH) in use */
} ns_aes;

/* 1 when AES-NI is used (else ct64). */
int ns_aes_accelerated(void);
/* CTR: key of 16 or 32 bytes, the initial counter block (16 bytes). */
void ns_aes_ctr_init(ns_aes *a, const uint8_t *key, size_t key_len, const uint8_t iv[16]);
/* XOR len bytes (a multiple of 16) with the key stream, in place; the counter
 * moves on by len / 16. */
void ns_aes_ctr_xor(ns_aes *a, uint8_t *data, size_t len);
/* The first block at the current counter decrypted into out, without
 * moving the counter (to learn the length of an encrypted packet). */
void ns_aes_ctr_peek(const ns_aes *a, const uint8_t in[16], uint8_t out[16]);
/* GCM: key of 16 or 32 bytes. */
void ns_aes_gcm_init(ns_aes *a, const uint8_t *key, size_t key_len);
/* Encrypt data in place under iv (12 bytes) with aad, write the 16-byte tag. */
void ns_aes_gcm_seal(ns_aes *a, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                     uint8_t *data, size_t len, uint8_t tag[16]);
/* Check the tag and decrypt in place; on a wrong tag (-1) data is wiped. */
int ns_aes_gcm_open(ns_aes *a, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
                    uint8_t *data, size_t len, const uint8_t tag[16]);

#endif
