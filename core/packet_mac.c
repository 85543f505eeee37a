/* aes128-ctr and aes256-ctr packets with an HMAC (RFC 4253 6.3-6.4, RFC 4344,
 * OpenSSH PROTOCOL 1.7): encrypt-then-MAC leaves the length in clear and
 * MACs it with the ciphertext, checked before anything is decrypted;
 * encrypt-and-MAC encrypts the length too and MACs the plaintext, so the
 * receiver decrypts first and wipes the packet when the MAC is wrong. Both
 * MAC the sequence number first. */
#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "packet_int.h"
#include "wire.h"

void ns_pkt_ctr_seal(ns_pkt_dir *d, uint8_t *p, size_t plen)
{
	uint8_t *tag = p + NS_PKT_LEN_FIELD + plen;

	if (ns_mac_etm(d->mac.alg)) {
		ns_aes_ctr_xor(&d->aes, p + NS_PKT_LEN_FIELD, plen);
		ns_mac_compute(&d->mac, d->seq, p, NS_PKT_LEN_FIELD + plen, tag);
	} else {
		ns_mac_compute(&d->mac, d->seq, p, NS_PKT_LEN_FIELD + plen, tag);
		ns_aes_ctr_xor(&d->aes, p, NS_PKT_LEN_FIELD + plen);
	}
}

int ns_pkt_ctr_open(ns_pkt_dir *d, uint8_t *buf, size_t plen)
{
	const uint8_t *tag = buf + NS_PKT_LEN_FIELD + plen;
	uint8_t ctr[NS_AES_BLOCK];
	int rc = 0;

	if (ns_mac_etm(d->mac.alg)) {
		/* uint32 packet_length (clear) || ciphertext, MAC first */
		if (ns_mac_verify(&d->mac, d->seq, buf, NS_PKT_LEN_FIELD + plen, tag) != 0) {
			return NS_ERR_MAC;
		}
		ns_aes_ctr_xor(&d->aes, buf + NS_PKT_LEN_FIELD, plen);
		return 0;
	}
	memcpy(ctr, d->aes.ctr_block, sizeof(ctr));
	ns_aes_ctr_xor(&d->aes, buf, NS_PKT_LEN_FIELD + plen);
	if (ns_mac_verify(&d->mac, d->seq, buf, NS_PKT_LEN_FIELD + plen, tag) != 0) {
		sodium_memzero(buf, NS_PKT_LEN_FIELD + plen);
		memcpy(d->aes.ctr_block, ctr, sizeof(ctr));
		rc = NS_ERR_MAC;
	}
	sodium_memzero(ctr, sizeof(ctr));
	return rc;
}

uint32_t ns_pkt_ctr_peek_len(const ns_pkt_dir *d, const uint8_t first[NS_AES_BLOCK])
{
	uint8_t clear[NS_AES_BLOCK];
	uint32_t len;

	ns_aes_ctr_peek(&d->aes, first, clear);
	len = ns_load32(clear);
	sodium_memzero(clear, sizeof(clear));
	return len;
}
