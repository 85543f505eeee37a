/* SSH binary packets (RFC 4253 section 6): framing, padding and, once keys
 * are set, chacha20-poly1305@openssh.com (OpenSSH PROTOCOL.chacha20poly1305),
 * aes128/256-gcm@openssh.com (RFC 5647, OpenSSH PROTOCOL 1.6) or aes*-ctr
 * with an HMAC (packet_mac.c). Sealing appends to an ns_buf and encrypts in
 * place; opening authenticates the whole packet before it accepts a byte. */
#include "packet.h"

#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "packet_int.h"
#include "wire.h"

#define PKT_BLOCK 8      /* cipher block size for none and chacha20-poly1305 */
#define PKT_BLOCK_GCM 16 /* AES block size */
#define PKT_PAD_MIN 4    /* RFC 4253 6: at least four bytes of padding */
#define PKT_LEN_MIN 5    /* packet_length: padding_length byte + 4 padding */
#define PKT_LEN_FIELD NS_PKT_LEN_FIELD
#define PKT_CHACHA_CTR 1 /* the body starts at ChaCha20 block 1 */
#define PKT_POLY_KEY_LEN crypto_onetimeauth_poly1305_KEYBYTES
#define PKT_CHACHA_BLOCK 64 /* bytes of keystream per ChaCha20 block */
/* A body at least this long is encrypted from where it is (chacha_seal_from):
 * below, the copy it saves is not worth three calls instead of one. */
#define PKT_SEAL_FROM_MIN 1024

/* K_2 (main) is the first half of the key material, K_1 (length) the second. */
static const uint8_t *key_main(const ns_pkt_dir *d)
{
	return d->key;
}

static const uint8_t *key_len(const ns_pkt_dir *d)
{
	return d->key + NS_CHACHA_KEY_LEN / 2;
}

static void pkt_random(ns_pkt_dir *d, uint8_t *p, size_t n)
{
	(d->random != NULL ? d->random : ns_random_default)(d->random_ctx, p, n);
}

int ns_pkt_set_keys(ns_pkt_dir *d, const ns_pkt_keys *k)
{
	int mac = ns_pkt_cipher_aead(k->cipher) ? NS_MAC_NONE : k->mac;

	if (ns_pkt_key_len(k->cipher) == 0 ||
	    (!ns_pkt_cipher_aead(k->cipher) && ns_mac_len(k->mac) == 0)) {
		return NS_ERR_INVALID;
	}
	if (!ns_pkt_cipher_available(k->cipher)) {
		return NS_ERR_UNSUPPORTED;
	}
	sodium_memzero(&d->gcm, sizeof(d->gcm));
	sodium_memzero(&d->aes, sizeof(d->aes));
	sodium_memzero(&d->mac, sizeof(d->mac));
	sodium_memzero(d->key, sizeof(d->key));
	sodium_memzero(d->iv, sizeof(d->iv));
	switch (k->cipher) {
	case NS_PKT_CHACHA: memcpy(d->key, k->key, NS_CHACHA_KEY_LEN); break;
	case NS_PKT_AESGCM:
		crypto_aead_aes256gcm_beforenm(&d->gcm, k->key);
		memcpy(d->iv, k->iv, NS_GCM_IV_LEN);
		break;
	case NS_PKT_AES128GCM:
		ns_aes_gcm_init(&d->aes, k->key, ns_pkt_key_len(k->cipher));
		memcpy(d->iv, k->iv, NS_GCM_IV_LEN);
		break;
	default: /* aes*-ctr */
		ns_aes_ctr_init(&d->aes, k->key, ns_pkt_key_len(k->cipher), k->iv);
		ns_mac_init(&d->mac, mac, k->mac_key);
		break;
	}
	d->cipher = k->cipher;
	d->encrypted = 1;
	d->bytes = 0;
	d->packets = 0;
	pkt_random(d, d->pad_key, sizeof(d->pad_key));
	d->pad_ctr = 0;
	return 0;
}

void ns_pkt_set_key(ns_pkt_dir *d, const uint8_t key[NS_CHACHA_KEY_LEN])
{
	ns_pkt_keys k;

	memset(&k, 0, sizeof(k));
	k.cipher = NS_PKT_CHACHA;
	memcpy(k.key, key, NS_CHACHA_KEY_LEN);
	(void)ns_pkt_set_keys(d, &k); /* cannot fail for chacha20-poly1305 */
	sodium_memzero(&k, sizeof(k));
}

void ns_pkt_wipe(ns_pkt_dir *d)
{
	sodium_memzero(d, sizeof(*d));
}

static size_t block_of(const ns_pkt_dir *d)
{
	return d->encrypted && d->cipher != NS_PKT_CHACHA ? PKT_BLOCK_GCM : PKT_BLOCK;
}

/* The bytes after the packet: AEAD tag, MAC or nothing. */
static size_t tag_len(const ns_pkt_dir *d)
{
	if (!d->encrypted) {
		return 0;
	}
	return ns_pkt_cipher_aead(d->cipher) ? NS_POLY_TAG_LEN : ns_mac_len(d->mac.alg);
}

/* The length field is encrypted: no cipher yet (it is sent in clear, but
 * RFC 4253 6 counts it in the alignment) or aes*-ctr with a non-etm MAC. */
static int len_aligned(const ns_pkt_dir *d)
{
	return !d->encrypted || (!ns_pkt_cipher_aead(d->cipher) && !ns_mac_etm(d->mac.alg));
}

/* Bytes needed to learn packet_length: the whole first cipher block when
 * the length is encrypted under aes*-ctr. */
static size_t head_len(const ns_pkt_dir *d)
{
	return d->encrypted && len_aligned(d) ? NS_AES_BLOCK : PKT_LEN_FIELD;
}

/* Padding for a payload of len bytes. With an AEAD cipher or an -etm MAC the
 * length field is outside the aligned part (1 + payload + padding);
 * otherwise the whole packet, length field included, is aligned (RFC 4253
 * 6, as OpenSSH computes it). Always 4..block+3 bytes. */
static size_t pad_len(const ns_pkt_dir *d, size_t len)
{
	size_t block = block_of(d);
	size_t aligned = 1 + len + (len_aligned(d) ? PKT_LEN_FIELD : 0);
	size_t pad = block - aligned % block;

	if (pad < PKT_PAD_MIN) {
		pad += block;
	}
	return pad;
}

static void nonce_of(uint8_t nonce[crypto_stream_chacha20_NONCEBYTES], uint32_t seq)
{
	ns_store64(nonce, seq);
}

/* After each packet the invocation counter, the IV's last 8 bytes read as a
 * big-endian uint64, goes up by one, wrapping within those 8 bytes (RFC 5647
 * 7.1); the 4-byte fixed field never changes. */
static void gcm_next_iv(ns_pkt_dir *d)
{
	uint64_t ctr = 0;
	size_t i;

	for (i = 4; i < NS_GCM_IV_LEN; i++) {
		ctr = ctr << 8 | d->iv[i];
	}
	ns_store64(d->iv + 4, ctr + 1);
}

/* chacha20-poly1305: length under K_1, body under K_2 from block 1, tag
 * over both. p holds the 4-byte length then plen bytes. */
static void chacha_seal(const ns_pkt_dir *d, uint8_t *p, size_t plen)
{
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	uint8_t poly_key[PKT_POLY_KEY_LEN];

	nonce_of(nonce, d->seq);
	crypto_stream_chacha20(poly_key, sizeof(poly_key), nonce, key_main(d));
	crypto_stream_chacha20_xor(p, p, PKT_LEN_FIELD, nonce, key_len(d));
	crypto_stream_chacha20_xor_ic(p + PKT_LEN_FIELD, p + PKT_LEN_FIELD, plen, nonce,
	                              PKT_CHACHA_CTR, key_main(d));
	crypto_onetimeauth_poly1305(p + PKT_LEN_FIELD + plen, p, PKT_LEN_FIELD + plen, poly_key);
	sodium_memzero(poly_key, sizeof(poly_key));
}

/* aes128/256-gcm: the length stays in clear as the AAD; the body is
 * encrypted in place and the tag follows it. */
static void gcm_seal(ns_pkt_dir *d, uint8_t *p, size_t plen)
{
	uint8_t *body = p + PKT_LEN_FIELD;

	if (d->cipher == NS_PKT_AESGCM) {
		crypto_aead_aes256gcm_encrypt_detached_afternm(
		    body, body + plen, NULL, body, plen, p, PKT_LEN_FIELD, NULL, d->iv, &d->gcm);
	} else {
		ns_aes_gcm_seal(&d->aes, d->iv, p, PKT_LEN_FIELD, body, plen, body + plen);
	}
	gcm_next_iv(d);
}

/* n bytes of padding: random before the first keys, the padding stream
 * after (it is encrypted along with the payload). */
static void padding(ns_pkt_dir *d, uint8_t *p, size_t n)
{
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	uint8_t block[64];

	if (!d->encrypted) {
		pkt_random(d, p, n);
		return;
	}
	ns_store32(nonce, (uint32_t)(d->pad_ctr >> 32));
	ns_store32(nonce + 4, (uint32_t)d->pad_ctr);
	d->pad_ctr++;
	crypto_stream_chacha20(block, sizeof(block), nonce, d->pad_key);
	memcpy(p, block, n); /* n <= 19 */
}

/* chacha20-poly1305 with the body encrypted straight from where the caller
 * has it (the relay: the other engine's receive buffer), instead of copied
 * in and encrypted in place, which read and wrote it twice. ChaCha20 works
 * in 64-byte blocks from block 1 at p + 4: the first block (padding length,
 * head, the first bytes of the body) and the tail (the rest of the body,
 * the padding) are copied and encrypted in place, the whole blocks between
 * them go from body to p directly. The same bytes as chacha_seal. */
static void chacha_seal_from(ns_pkt_dir *d, uint8_t *p, size_t plen, size_t hlen,
                             const uint8_t *body, size_t blen, size_t pad)
{
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	uint8_t poly_key[PKT_POLY_KEY_LEN];
	uint8_t *enc = p + PKT_LEN_FIELD; /* block 1 starts here */
	size_t first = PKT_CHACHA_BLOCK - 1 - hlen, mid, rest;

	mid = (blen - first) / PKT_CHACHA_BLOCK * PKT_CHACHA_BLOCK;
	rest = blen - first - mid;
	memcpy(enc + 1 + hlen, body, first);
	memcpy(enc + PKT_CHACHA_BLOCK + mid, body + first + mid, rest);
	padding(d, enc + PKT_CHACHA_BLOCK + mid + rest, pad);
	nonce_of(nonce, d->seq);
	crypto_stream_chacha20(poly_key, sizeof(poly_key), nonce, key_main(d));
	crypto_stream_chacha20_xor(p, p, PKT_LEN_FIELD, nonce, key_len(d));
	crypto_stream_chacha20_xor_ic(enc, enc, PKT_CHACHA_BLOCK, nonce, PKT_CHACHA_CTR,
	                              key_main(d));
	crypto_stream_chacha20_xor_ic(enc + PKT_CHACHA_BLOCK, body + first, mid, nonce,
	                              PKT_CHACHA_CTR + 1, key_main(d));
	crypto_stream_chacha20_xor_ic(enc + PKT_CHACHA_BLOCK + mid, enc + PKT_CHACHA_BLOCK + mid,
	                              plen - PKT_CHACHA_BLOCK - mid, nonce,
	                              PKT_CHACHA_CTR + 1 + mid / PKT_CHACHA_BLOCK, key_main(d));
	crypto_onetimeauth_poly1305(p + PKT_LEN_FIELD + plen, p, PKT_LEN_FIELD + plen, poly_key);
	sodium_memzero(poly_key, sizeof(poly_key));
}

int ns_pkt_seal2(ns_pkt_dir *d, const uint8_t *head, size_t hlen, const uint8_t *body, size_t blen,
                 ns_buf *out)
{
	size_t len = hlen + blen, pad, plen, total;
	uint8_t *p;
	int rc;

	if (len == 0 || head == NULL || hlen == 0 || (body == NULL && blen > 0)) {
		rc = NS_ERR_INVALID;
		goto out;
	}
	if (len > NS_PAYLOAD_MAX) {
		rc = NS_ERR_TOOBIG;
		goto out;
	}
	pad = pad_len(d, len);
	plen = 1 + len + pad;
	total = PKT_LEN_FIELD + plen + tag_len(d);
	if ((rc = ns_buf_reserve(out, total, &p)) != 0) {
		goto out;
	}
	ns_store32(p, (uint32_t)plen); /* uint32 packet_length */
	p[4] = (uint8_t)pad;           /* byte padding_length */
	memcpy(p + 5, head, hlen);     /* byte[n1] payload: the head ... */
	if (d->encrypted && d->cipher == NS_PKT_CHACHA && blen >= PKT_SEAL_FROM_MIN &&
	    1 + hlen < PKT_CHACHA_BLOCK) {
		/* ... the body and the padding, encrypted on the way in */
		chacha_seal_from(d, p, plen, hlen, body, blen, pad);
		goto sealed;
	}
	if (blen > 0) {
		memcpy(p + 5 + hlen, body, blen); /* ... and the body */
	}
	padding(d, p + 5 + len, pad); /* byte[n2] random padding */
	if (d->encrypted && d->cipher == NS_PKT_CHACHA) {
		chacha_seal(d, p, plen);
	} else if (d->encrypted && ns_pkt_cipher_aead(d->cipher)) {
		gcm_seal(d, p, plen);
	} else if (d->encrypted) {
		ns_pkt_ctr_seal(d, p, plen);
	}
sealed:
	out->len += total;
	d->seq++;
	d->packets++;
	d->bytes += total;
	rc = 0;
out:
	return rc;
}

size_t ns_pkt_size(const ns_pkt_dir *d, size_t len)
{
	return PKT_LEN_FIELD + 1 + len + pad_len(d, len) + tag_len(d);
}

uint8_t *ns_pkt_payload_at(ns_buf *out, size_t off)
{
	return out->p + out->len + off + PKT_LEN_FIELD + 1;
}

int ns_pkt_seal_at(ns_pkt_dir *d, size_t len, ns_buf *out)
{
	size_t pad, plen, total;
	uint8_t *p;

	if (len == 0 || len > NS_PAYLOAD_MAX) {
		return NS_ERR_INVALID;
	}
	pad = pad_len(d, len);
	plen = 1 + len + pad;
	total = PKT_LEN_FIELD + plen + tag_len(d);
	/* within the room the caller reserved (ns_pkt_room): never moves */
	if (out->len + total > out->cap) {
		return NS_ERR_INVALID;
	}
	p = out->p + out->len;
	ns_store32(p, (uint32_t)plen);
	p[4] = (uint8_t)pad;
	padding(d, p + 5 + len, pad);
	if (d->encrypted && d->cipher == NS_PKT_CHACHA) {
		chacha_seal(d, p, plen);
	} else if (d->encrypted && ns_pkt_cipher_aead(d->cipher)) {
		gcm_seal(d, p, plen);
	} else if (d->encrypted) {
		ns_pkt_ctr_seal(d, p, plen);
	}
	out->len += total;
	d->seq++;
	d->packets++;
	d->bytes += total;
	return 0;
}

int ns_pkt_seal(ns_pkt_dir *d, const uint8_t *payload, size_t len, ns_buf *out)
{
	return ns_pkt_seal2(d, payload, len, NULL, 0, out);
}

/* Recover packet_length from the first 4 bytes without touching buf and
 * check it as far as possible before the rest arrives. */
static int read_len(const ns_pkt_dir *d, const uint8_t *buf, uint32_t *plen)
{
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
	uint8_t clear[PKT_LEN_FIELD];

	memcpy(clear, buf, PKT_LEN_FIELD);
	if (d->encrypted && d->cipher == NS_PKT_CHACHA) {
		nonce_of(nonce, d->seq);
		crypto_stream_chacha20_xor(clear, clear, PKT_LEN_FIELD, nonce, key_len(d));
	}
	*plen = ns_load32(clear);
	if (d->encrypted && len_aligned(d)) {
		*plen = ns_pkt_ctr_peek_len(d, buf); /* buf holds head_len(d) bytes */
	}
	if (*plen > NS_PACKET_MAX) {
		return NS_ERR_TOOBIG;
	}
	if (*plen < PKT_LEN_MIN) {
		return NS_ERR_FORMAT;
	}
	if ((*plen + (len_aligned(d) ? PKT_LEN_FIELD : 0)) % block_of(d) != 0) {
		return NS_ERR_FORMAT;
	}
	return 0;
}

/* aes128/256-gcm: libsodium or BearSSL checks the tag over the length (AAD)
 * and the ciphertext in constant time and wipes its output when it is wrong;
 * the body is wiped again here so that no caller can read plaintext from a
 * packet that failed. ns_pkt_open moves the IV on once the packet passed. */
static int gcm_open(ns_pkt_dir *d, uint8_t *buf, uint32_t plen)
{
	uint8_t *body = buf + PKT_LEN_FIELD;
	int bad;

	if (d->cipher == NS_PKT_AESGCM) {
		bad = crypto_aead_aes256gcm_decrypt_detached_afternm(
		    body, NULL, body, plen, body + plen, buf, PKT_LEN_FIELD, d->iv, &d->gcm);
	} else {
		bad = ns_aes_gcm_open(&d->aes, d->iv, buf, PKT_LEN_FIELD, body, plen, body + plen);
	}
	if (bad != 0) {
		sodium_memzero(body, plen);
		return NS_ERR_MAC;
	}
	return 0;
}

/* chacha20-poly1305: tag check in constant time, then decryption of the
 * body in place. */
static int chacha_open(const ns_pkt_dir *d, uint8_t *buf, uint32_t plen)
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

static int open_body(ns_pkt_dir *d, uint8_t *buf, uint32_t plen)
{
	if (d->cipher == NS_PKT_CHACHA) {
		return chacha_open(d, buf, plen);
	}
	if (ns_pkt_cipher_aead(d->cipher)) {
		return gcm_open(d, buf, plen);
	}
	return ns_pkt_ctr_open(d, buf, plen);
}

int ns_pkt_open(ns_pkt_dir *d, uint8_t *buf, size_t avail, size_t *need, ns_str *payload)
{
	uint32_t plen;
	size_t total;
	uint8_t pad;
	int rc;

	payload->p = NULL;
	payload->len = 0;
	*need = head_len(d);
	if (avail < *need) {
		rc = NS_ERR_AGAIN;
		goto out;
	}
	if ((rc = read_len(d, buf, &plen)) != 0) {
		*need = 0;
		goto out;
	}
	total = PKT_LEN_FIELD + (size_t)plen + tag_len(d);
	*need = total;
	if (avail < total) {
		rc = NS_ERR_AGAIN;
		goto out;
	}
	if (d->encrypted && (rc = open_body(d, buf, plen)) != 0) {
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
	if (d->encrypted && ns_pkt_cipher_aead(d->cipher) && d->cipher != NS_PKT_CHACHA) {
		gcm_next_iv(d);
	}
	d->seq++;
	d->packets++;
	d->bytes += total;
out:
	return rc;
}
