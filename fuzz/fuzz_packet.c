/* Fuzzes ns_pkt_open over a stream of received bytes, once without a cipher,
 * once with a fixed chacha20-poly1305 key, where the CPU has AES-NI once with
 * a fixed aes256-gcm@openssh.com key and IV, and once for each of
 * aes128-gcm, aes*-ctr with each MAC, etm and not (sealed seeds in the
 * corpus, keyed_*, gcm_*, gcm128_*, ctr_*, use the same keys and start at
 * seq 0 / this IV). Checks the payload view stays inside the packet that
 * *need describes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"

static void run(const uint8_t *data, size_t size, int cipher, int mac)
{
	static const uint8_t key[NS_CHACHA_KEY_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	static const uint8_t iv[NS_PKT_IV_MAX] = {0xf0, 0xf1, 0xf2, 0xf3};
	static const uint8_t mac_key[NS_MAC_KEY_MAX] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
	uint8_t *copy = malloc(size + 1), *p = copy;
	ns_pkt_dir d = {0};
	ns_pkt_keys k = {0};
	size_t need;
	ns_str pl;

	if (copy == NULL) {
		return;
	}
	memcpy(copy, data, size);
	k.cipher = cipher;
	memcpy(k.key, key, sizeof(k.key));
	memcpy(k.iv, iv, sizeof(k.iv));
	k.mac = mac;
	memcpy(k.mac_key, mac_key, sizeof(k.mac_key));
	if (cipher != NS_PKT_NONE && ns_pkt_set_keys(&d, &k) != 0) {
		free(copy);
		return; /* aes256-gcm without AES-NI */
	}
	while (ns_pkt_open(&d, p, size, &need, &pl) == 0) {
		if (need > size || pl.len == 0 || pl.p < p + 5 || pl.p + pl.len > p + need) {
			abort();
		}
		p += need;
		size -= need;
	}
	ns_pkt_wipe(&d);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size, NS_PKT_NONE, NS_MAC_NONE);
	run(data, size, NS_PKT_CHACHA, NS_MAC_NONE);
	run(data, size, NS_PKT_AESGCM, NS_MAC_NONE);
	run(data, size, NS_PKT_AES128GCM, NS_MAC_NONE);
	run(data, size, NS_PKT_AES256CTR, NS_MAC_SHA256_ETM);
	run(data, size, NS_PKT_AES128CTR, NS_MAC_SHA512_ETM);
	run(data, size, NS_PKT_AES256CTR, NS_MAC_SHA512);
	run(data, size, NS_PKT_AES128CTR, NS_MAC_SHA256);
	return 0;
}
