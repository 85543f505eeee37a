/* SSH binary packet protocol (RFC 4253 section 6) with no cipher (before the
 * first NEWKEYS), chacha20-poly1305@openssh.com (PROTOCOL.chacha20poly1305),
 * aes128/256-gcm@openssh.com (RFC 5647 as amended by OpenSSH's PROTOCOL 1.6)
 * or aes128/256-ctr (RFC 4344) with an HMAC (mac.h). One direction's state:
 * keys, the wrapping 32-bit sequence number and, for AES, the key schedule
 * and the invocation counter or CTR counter. */
#ifndef NS_CORE_PACKET_H
#define NS_CORE_PACKET_H

#include <sodium.h>

#include "buf.h"
#include "cipher_aes.h"
#include "mac.h"
#include "random.h"

/* Largest packet_length we accept from a peer (RFC 4253 6.1 requires 35000;
 * our channels advertise 32 KiB max packet, so this leaves generous room). */
#define NS_PACKET_MAX 65536
/* Largest payload we ever send in one packet. */
#define NS_PAYLOAD_MAX 65000
#define NS_CHACHA_KEY_LEN 64 /* K_2 (main, first 32) || K_1 (length, last 32) */
#define NS_POLY_TAG_LEN 16   /* the tag of each AEAD cipher */
#define NS_GCM_KEY_LEN 32
#define NS_GCM_IV_LEN 12 /* fixed field (4) || invocation counter (8, big endian) */
#define NS_CTR_IV_LEN 16 /* the initial counter block */
#define NS_PKT_KEY_MAX NS_CHACHA_KEY_LEN
#define NS_PKT_IV_MAX NS_CTR_IV_LEN
#define NS_PKT_TAG_MAX NS_MAC_LEN_MAX /* hmac-sha2-512 */
/* Bytes a sealed packet adds around its payload at most:
 * 4 length + 1 padding length + up to 16+3 padding (AES) + 64 MAC. */
#define NS_PACKET_OVERHEAD (24 + NS_PKT_TAG_MAX)

#define NS_CIPHER_NAME_CHACHA "chacha20-poly1305@openssh.com"
#define NS_CIPHER_NAME_AESGCM "aes256-gcm@openssh.com"
#define NS_CIPHER_NAME_AES128GCM "aes128-gcm@openssh.com"
#define NS_CIPHER_NAME_AES256CTR "aes256-ctr"
#define NS_CIPHER_NAME_AES128CTR "aes128-ctr"
/* Room for a cipher name-list of ours: every cipher we know, once, with
 * commas, and the terminating NUL. */
#define NS_CIPHER_LIST_MAX 128

enum ns_pkt_cipher {
	NS_PKT_NONE = 0,
	NS_PKT_CHACHA = 1,    /* chacha20-poly1305@openssh.com */
	NS_PKT_AESGCM = 2,    /* aes256-gcm@openssh.com (libsodium) */
	NS_PKT_AES128GCM = 3, /* aes128-gcm@openssh.com (BearSSL) */
	NS_PKT_AES256CTR = 4, /* aes256-ctr + a MAC (BearSSL) */
	NS_PKT_AES128CTR = 5, /* aes128-ctr + a MAC */
	NS_PKT_NCIPHERS
};

/* One direction's new keys from the kex, installed by NEWKEYS. */
typedef struct ns_pkt_keys {
	int cipher;                      /* enum ns_pkt_cipher */
	int mac;                         /* enum ns_mac_alg: CTR ciphers only */
	uint8_t key[NS_PKT_KEY_MAX];     /* ns_pkt_key_len(cipher) bytes (letters C/D) */
	uint8_t iv[NS_PKT_IV_MAX];       /* AES: initial IV (letters A/B), 12 or 16 bytes */
	uint8_t mac_key[NS_MAC_KEY_MAX]; /* ns_mac_len(mac) bytes (letters E/F) */
} ns_pkt_keys;

typedef struct ns_pkt_dir {
	/* AES-GCM key schedule (crypto_aead_aes256gcm_beforenm). Its type is
	 * 16-byte aligned: a struct holding it must come from malloc-aligned
	 * memory. First, so that it needs no padding before it. */
	/* One cipher's state at a time (ns_pkt_set_keys wipes the union): an
	 * engine holds two directions per connection, and the three side by
	 * side cost 512 bytes more each (docs/relay.md, idle memory). */
	union {
		crypto_aead_aes256gcm_state gcm;
		struct {
			ns_aes aes; /* aes128-gcm, aes*-ctr */
			ns_mac mac; /* with aes*-ctr */
		};
	};
	uint32_t seq;                   /* wraps; reset to 0 after NEWKEYS under strict kex */
	int encrypted;                  /* 0: none; 1: keyed (cipher says which) */
	int cipher;                     /* enum ns_pkt_cipher */
	uint8_t key[NS_CHACHA_KEY_LEN]; /* chacha20-poly1305 */
	uint8_t iv[NS_GCM_IV_LEN];      /* AES-GCM: the IV of the next packet */
	uint64_t bytes;                 /* since the last key change, for rekeying */
	uint64_t packets;               /* since the last key change */
	/* Padding once keyed: a ChaCha20 stream under a key drawn at each key
	 * change, one block per packet (encrypted padding needs no fresh
	 * system randomness, and a syscall per packet costs) */
	uint8_t pad_key[32];
	uint64_t pad_ctr;
	/* Random bytes (padding before keys, pad_key): the engine's source;
	 * NULL: ns_random_default. */
	ns_random_fn random;
	void *random_ctx;
} ns_pkt_dir;

/* 1 when this CPU runs aes256-gcm@openssh.com (libsodium: AES-NI and
 * PCLMUL); never offered or accepted otherwise. Call after ns_init(). */
int ns_pkt_aesgcm_available(void);
/* 1 when cipher can run here (every BearSSL one can: ct64 without AES-NI). */
int ns_pkt_cipher_available(int cipher);
/* Key and IV bytes the cipher takes from the KDF; 1 for an AEAD cipher
 * (no MAC negotiated). */
size_t ns_pkt_key_len(int cipher);
size_t ns_pkt_iv_len(int cipher);
int ns_pkt_cipher_aead(int cipher);
/* The cipher with this SSH name (NS_PKT_NONE: not one of ours). */
int ns_pkt_cipher_by_name(ns_str name);
/* The SSH name of a cipher ("none" for NS_PKT_NONE). */
const char *ns_pkt_cipher_name(int cipher);

/* Install new keys and start encrypting with k->cipher (wipes the old
 * state). NS_ERR_UNSUPPORTED: aes256-gcm on a CPU without it; NS_ERR_INVALID:
 * an unknown cipher, or a CTR cipher without a MAC. */
int ns_pkt_set_keys(ns_pkt_dir *d, const ns_pkt_keys *k);
/* chacha20-poly1305: install 64 bytes of key material. */
void ns_pkt_set_key(ns_pkt_dir *d, const uint8_t key[NS_CHACHA_KEY_LEN]);
void ns_pkt_wipe(ns_pkt_dir *d);

/* Append one packet carrying payload to out: padding (random, >= 4, block 8,
 * or 16 under AES-GCM), encryption and tag; increments seq (and the AES-GCM
 * invocation counter). */
int ns_pkt_seal(ns_pkt_dir *d, const uint8_t *payload, size_t len, ns_buf *out);
/* The same for a payload in two parts, head then body (a message header
 * and the data it carries), copied once, straight into out. */
int ns_pkt_seal2(ns_pkt_dir *d, const uint8_t *head, size_t hlen, const uint8_t *body, size_t blen,
                 ns_buf *out);

/* Sealing in place, for a payload written straight into out (no copy):
 * reserve ns_pkt_size(d, len) bytes of out (ns_buf_reserve: the exact
 * size of that packet, which never shrinks as len grows), write the
 * payload at ns_pkt_payload_at(out, 0), then ns_pkt_seal_at(d, len, out)
 * adds length, padding and tag around it. Packets one after another in one
 * reservation: packet i's payload at ns_pkt_payload_at(out, sum of the
 * sizes before it). NS_ERR_INVALID: len is 0, over NS_PAYLOAD_MAX, or past
 * the reserved room. */
size_t ns_pkt_size(const ns_pkt_dir *d, size_t len);
uint8_t *ns_pkt_payload_at(ns_buf *out, size_t off);
int ns_pkt_seal_at(ns_pkt_dir *d, size_t len, ns_buf *out);

/* Look at the received bytes buf[0..avail). Once the first 4 bytes are
 * there (16 for aes*-ctr with a non-etm MAC, whose length is encrypted: the
 * first block is decrypted into a copy to learn it), *need is set to the full
 * packet size (length + body + tag); NS_ERR_AGAIN when avail < *need. Once
 * complete: verifies the tag in constant time BEFORE decrypting (AEAD and
 * -etm MACs; a non-etm MAC covers the plaintext, so there the packet is
 * decrypted first and wiped again when the MAC is wrong), decrypts in place,
 * checks padding and lengths, sets payload to the view inside buf and
 * increments seq. On NS_ERR_MAC no plaintext is left in buf. Errors:
 * NS_ERR_TOOBIG (length over NS_PACKET_MAX), NS_ERR_FORMAT (bad
 * length/padding), NS_ERR_MAC; nothing advances on an error. */
int ns_pkt_open(ns_pkt_dir *d, uint8_t *buf, size_t avail, size_t *need, ns_str *payload);

#endif
