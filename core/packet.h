/* SSH binary packet protocol (RFC 4253 section 6) with no cipher (before the
 * first NEWKEYS) or chacha20-poly1305@openssh.com (PROTOCOL.chacha20poly1305).
 * One direction's state: keys and the wrapping 32-bit sequence number. */
#ifndef NS_CORE_PACKET_H
#define NS_CORE_PACKET_H

#include "buf.h"

/* Largest packet_length we accept from a peer (RFC 4253 6.1 requires 35000;
 * our channels advertise 32 KiB max packet, so this leaves generous room). */
#define NS_PACKET_MAX 65536
/* Largest payload we ever send in one packet. */
#define NS_PAYLOAD_MAX 65000
#define NS_CHACHA_KEY_LEN 64 /* K_2 (main, first 32) || K_1 (length, last 32) */
#define NS_POLY_TAG_LEN 16
/* Bytes a sealed packet adds around its payload at most:
 * 4 length + 1 padding length + up to 8+3 padding + 16 tag. */
#define NS_PACKET_OVERHEAD 36

typedef struct ns_pkt_dir {
	uint32_t seq;  /* wraps; reset to 0 after NEWKEYS under strict kex */
	int encrypted; /* 0: none; 1: chacha20-poly1305@openssh.com */
	uint8_t key[NS_CHACHA_KEY_LEN];
	uint64_t bytes;   /* since the last key change, for rekeying */
	uint64_t packets; /* since the last key change */
} ns_pkt_dir;

/* Install 64 bytes of key material (and start encrypting). */
void ns_pkt_set_key(ns_pkt_dir *d, const uint8_t key[NS_CHACHA_KEY_LEN]);
void ns_pkt_wipe(ns_pkt_dir *d);

/* Append one packet carrying payload to out: padding (random, >= 4, block 8),
 * encryption and tag; increments seq. */
int ns_pkt_seal(ns_pkt_dir *d, const uint8_t *payload, size_t len, ns_buf *out);

/* Look at the received bytes buf[0..avail). If the first 4 bytes are there,
 * *need is set to the full packet size (length + body + tag); NS_ERR_AGAIN
 * when avail < *need (or < 4). Once complete: verifies the tag in constant
 * time BEFORE decrypting, decrypts in place, checks padding and lengths, sets
 * payload to the view inside buf and increments seq. Errors: NS_ERR_TOOBIG
 * (length over NS_PACKET_MAX), NS_ERR_FORMAT (bad length/padding), NS_ERR_MAC. */
int ns_pkt_open(ns_pkt_dir *d, uint8_t *buf, size_t avail, size_t *need, ns_str *payload);

#endif
