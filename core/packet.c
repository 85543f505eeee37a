/* SSH binary packets (RFC 4253 section 6): framing, padding and, once keys
 * are set, chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305).
 * Sealing appends to an ns_buf and encrypts in place; opening authenticates
 * the whole packet before it decrypts or changes a byte of it. */
#include "packet.h"

#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "wire.h"

#define PKT_BLOCK 8      /* cipher block size for none and chacha20-poly1305 */
#define PKT_PAD_MIN 4    /* RFC 4253 6: at least four bytes of padding */
#define PKT_LEN_MIN 5    /* packet_length: padding_length byte + 4 padding */
#define PKT_LEN_FIELD 4  /* uint32 packet_length */
#define PKT_CHACHA_CTR 1 /* the body starts at ChaCha20 block 1 */
#define PKT_POLY_KEY_LEN crypto_onetimeauth_poly1305_KEYBYTES

/* K_2 (main) is the first half of the key material, K_1 (length) the second. */
static const uint8_t *key_main(const ns_pkt_dir *d)
{
	return d->key;
}

static const uint8_t *key_len(const ns_pkt_dir *d)
{
	return d->key + NS_CHACHA_KEY_LEN / 2;
}

void ns_pkt_set_key(ns_pkt_dir *d, const uint8_t key[NS_CHACHA_KEY_LEN])
{
	memcpy(d->key, key, NS_CHACHA_KEY_LEN);
	d->encrypted = 1;
	d->bytes = 0;
	d->packets = 0;
}

void ns_pkt_wipe(ns_pkt_dir *d)
{
	sodium_memzero(d, sizeof(*d));
}

/* Padding for a payload of len bytes. With chacha20-poly1305 the length
 * field is outside the aligned part (1 + payload + padding); without a
 * cipher the whole packet, length field included, is aligned (RFC 4253 6,
 * as OpenSSH computes it). Always 4..11 bytes. */
static size_t pad_len(const ns_pkt_dir *d, size_t len)
{
	size_t aligned = 1 + len + (d->encrypted ? 0 : PKT_LEN_FIELD);
	size_t pad = PKT_BLOCK - aligned % PKT_BLOCK;

	if (pad < PKT_PAD_MIN) {
		pad += PKT_BLOCK;
	}
	return pad;
}

static void nonce_of(uint8_t nonce[crypto_stream_chacha20_NONCEBYTES], uint32_t seq)
{
	ns_store64(nonce, seq);
}

int ns_pkt_seal(ns_pkt_dir *d, const uint8_t *payload, size_t len, ns_buf *out)
{
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	uint8_t poly_key[PKT_POLY_KEY_LEN];
	size_t pad, plen, total;
	uint8_t *p;
	int rc;

	if (len == 0 || payload == NULL) {
		rc = NS_ERR_INVALID;
		goto out;
	}
	if (len > NS_PAYLOAD_MAX) {
		rc = NS_ERR_TOOBIG;
		goto out;
	}
	pad = pad_len(d, len);
	plen = 1 + len + pad;
	total = PKT_LEN_FIELD + plen + (d->encrypted ? NS_POLY_TAG_LEN : 0);
	if ((rc = ns_buf_reserve(out, total, &p)) != 0) {
		goto out;
	}
	ns_store32(p, (uint32_t)plen);     /* uint32 packet_length */
	p[4] = (uint8_t)pad;               /* byte padding_length */
	memcpy(p + 5, payload, len);       /* byte[n1] payload */
	randombytes_buf(p + 5 + len, pad); /* byte[n2] random padding */
	if (d->encrypted) {
		nonce_of(nonce, d->seq);
		crypto_stream_chacha20(poly_key, sizeof(poly_key), nonce, key_main(d));
		crypto_stream_chacha20_xor(p, p, PKT_LEN_FIELD, nonce, key_len(d));
		crypto_stream_chacha20_xor_ic(p + PKT_LEN_FIELD, p + PKT_LEN_FIELD, plen, nonce,
		                              PKT_CHACHA_CTR, key_main(d));
		crypto_onetimeauth_poly1305(p + PKT_LEN_FIELD + plen, p, PKT_LEN_FIELD + plen,
		                            poly_key);
	}
	out->len += total;
	d->seq++;
	d->packets++;
	d->bytes += total;
	rc = 0;
out:
	sodium_memzero(poly_key, sizeof(poly_key));
	return rc;
}

/* Recover packet_length from the first 4 bytes without touching buf and
 * check it as far as possible before the rest arrives. */
static int read_len(const ns_pkt_dir *d, const uint8_t *buf, uint32_t *plen)
{
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	uint8_t clear[PKT_LEN_FIELD];

	memcpy(clear, buf, PKT_LEN_FIELD);
	if (d->encrypted) {
		nonce_of(nonce, d->seq);
		crypto_stream_chacha20_xor(clear, clear, PKT_LEN_FIELD, nonce, key_len(d));
	}
	*plen = ns_load32(clear);
	if (*plen > NS_PACKET_MAX) {
		return NS_ERR_TOOBIG;
	}
	if (*plen < PKT_LEN_MIN) {
		return NS_ERR_FORMAT;
	}
	if ((*plen + (d->encrypted ? 0 : PKT_LEN_FIELD)) % PKT_BLOCK != 0) {
		return NS_ERR_FORMAT;
	}
	return 0;
}

/* Tag check in constant time, then decryption of the body in place. */
static int decrypt(const ns_pkt_dir *d, uint8_t *buf, uint32_t plen)
{
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	uint8_t poly_key[PKT_POLY_KEY_LEN];
	int rc;

	nonce_of(nonce, d->seq);
	crypto_stream_chacha20(poly_key, sizeof(poly_key), nonce, key_main(d));
	if (crypto_onetimeauth_poly1305_verify(buf + PKT_LEN_FIELD + plen, buf,
	                                       PKT_LEN_FIELD + plen, poly_key) != 0) {
		rc = NS_ERR_MAC;
		goto out;
	}
	crypto_stream_chacha20_xor_ic(buf + PKT_LEN_FIELD, buf + PKT_LEN_FIELD, plen, nonce,
	                              PKT_CHACHA_CTR, key_main(d));
	rc = 0;
out:
	sodium_memzero(poly_key, sizeof(poly_key));
	return rc;
}

int ns_pkt_open(ns_pkt_dir *d, uint8_t *buf, size_t avail, size_t *need, ns_str *payload)
{
	uint32_t plen;
	size_t total;
	uint8_t pad;
	int rc;

	payload->p = NULL;
	payload->len = 0;
	*need = PKT_LEN_FIELD;
	if (avail < PKT_LEN_FIELD) {
		rc = NS_ERR_AGAIN;
		goto out;
	}
	if ((rc = read_len(d, buf, &plen)) != 0) {
		*need = 0;
		goto out;
	}
	total = PKT_LEN_FIELD + (size_t)plen + (d->encrypted ? NS_POLY_TAG_LEN : 0);
	*need = total;
	if (avail < total) {
		rc = NS_ERR_AGAIN;
		goto out;
	}
	if (d->encrypted && (rc = decrypt(d, buf, plen)) != 0) {
		goto out;
	}
	pad = buf[4];
	/* padding >= 4 and at least one payload byte (the message number) */
	if (pad < PKT_PAD_MIN || (uint32_t)pad + 2 > plen) {
		rc = NS_ERR_FORMAT;
		goto out;
	}
	payload->p = buf + 5;
	payload->len = plen - 1 - pad;
	d->seq++;
	d->packets++;
	d->bytes += total;
out:
	return rc;
}
