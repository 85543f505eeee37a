/* The ciphers of the packet layer by name: key and IV sizes taken from the
 * KDF, whether the cipher is an AEAD (no MAC negotiated) and whether this
 * CPU runs it. */
#include <string.h>

#include "packet.h"
#include "wire.h"

struct cipher_info {
	const char *name;
	uint8_t key_len, iv_len, aead;
};

static const struct cipher_info ciphers[NS_PKT_NCIPHERS] = {
    [NS_PKT_CHACHA] = {NS_CIPHER_NAME_CHACHA, NS_CHACHA_KEY_LEN, 0, 1},
    [NS_PKT_AESGCM] = {NS_CIPHER_NAME_AESGCM, 32, NS_GCM_IV_LEN, 1},
    [NS_PKT_AES128GCM] = {NS_CIPHER_NAME_AES128GCM, 16, NS_GCM_IV_LEN, 1},
    [NS_PKT_AES256CTR] = {NS_CIPHER_NAME_AES256CTR, 32, NS_CTR_IV_LEN, 0},
    [NS_PKT_AES128CTR] = {NS_CIPHER_NAME_AES128CTR, 16, NS_CTR_IV_LEN, 0},
};

static int known(int cipher)
{
	return cipher > NS_PKT_NONE && cipher < NS_PKT_NCIPHERS;
}

int ns_pkt_aesgcm_available(void)
{
	return crypto_aead_aes256gcm_is_available();
}

int ns_pkt_cipher_available(int cipher)
{
	return known(cipher) && (cipher != NS_PKT_AESGCM || ns_pkt_aesgcm_available());
}

int ns_pkt_cipher_by_name(ns_str name)
{
	int i;

	for (i = NS_PKT_NONE + 1; i < NS_PKT_NCIPHERS; i++) {
		if (ns_str_eq(name, ciphers[i].name)) {
			return i;
		}
	}
	return NS_PKT_NONE;
}

const char *ns_pkt_cipher_name(int cipher)
{
	return known(cipher) ? ciphers[cipher].name : "none";
}

size_t ns_pkt_key_len(int cipher)
{
	return known(cipher) ? ciphers[cipher].key_len : 0;
}

size_t ns_pkt_iv_len(int cipher)
{
	return known(cipher) ? ciphers[cipher].iv_len : 0;
}

int ns_pkt_cipher_aead(int cipher)
{
	return known(cipher) && ciphers[cipher].aead;
}
