/* The cost of the crypto a relay or an agent cannot avoid, as a yardstick
 * for bench/relay.sh: CPU seconds per GiB for one pass (seal or open) of
 * 32 KiB packets with libsodium's primitives, as the SSH ciphers use them:
 * chacha20-poly1305@openssh.com (a chacha20 block for the Poly1305 key,
 * chacha20 over length and payload, Poly1305 over both) and, where the CPU
 * has AES-NI and PCLMUL, aes256-gcm@openssh.com (AES-GCM with a
 * precomputed key). Prints "NAME SECONDS" lines. Usage: crypto [MiB]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#define PACKET 32768
#define TAG 16

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One packet as chacha20-poly1305@openssh.com seals it. */
static void chacha_seal(const uint8_t k_main[32], const uint8_t k_len[32], uint64_t seq,
                        uint8_t *pkt, size_t len, uint8_t tag[TAG])
{
	uint8_t nonce[8], poly_key[32];
	int i;

	for (i = 0; i < 8; i++) {
		nonce[i] = (uint8_t)(seq >> (56 - 8 * i));
	}
	crypto_stream_chacha20(poly_key, sizeof(poly_key), nonce, k_main);
	crypto_stream_chacha20_xor(pkt, pkt, 4, nonce, k_len);
	crypto_stream_chacha20_xor_ic(pkt + 4, pkt + 4, len - 4, nonce, 1, k_main);
	crypto_onetimeauth_poly1305(tag, pkt, len, poly_key);
	sodium_memzero(poly_key, sizeof(poly_key));
}

static double bench_chacha(uint8_t *pkt, uint64_t packets)
{
	uint8_t k1[32], k2[32], tag[TAG];
	double t0;
	uint64_t i;

	randombytes_buf(k1, sizeof(k1));
	randombytes_buf(k2, sizeof(k2));
	t0 = cpu_seconds();
	for (i = 0; i < packets; i++) {
		chacha_seal(k1, k2, i, pkt, PACKET + 4, tag);
	}
	return cpu_seconds() - t0;
}

static double bench_gcm(uint8_t *pkt, uint64_t packets)
{
	crypto_aead_aes256gcm_state st;
	uint8_t key[crypto_aead_aes256gcm_KEYBYTES], iv[crypto_aead_aes256gcm_NPUBBYTES];
	uint8_t tag[TAG];
	unsigned long long tlen;
	double t0;
	uint64_t i;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(iv, sizeof(iv));
	crypto_aead_aes256gcm_beforenm(&st, key);
	t0 = cpu_seconds();
	for (i = 0; i < packets; i++) {
		iv[11] = (uint8_t)i; /* the invocation counter moves per packet */
		crypto_aead_aes256gcm_encrypt_detached_afternm(pkt + 4, tag, &tlen, pkt + 4, PACKET,
		                                               pkt, 4, NULL, iv, &st);
	}
	return cpu_seconds() - t0;
}

int main(int argc, char **argv)
{
	unsigned long mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
	uint64_t packets = (uint64_t)mib * 1048576 / PACKET;
	double per_gib = 1024.0 / (double)(mib ? mib : 1);
	uint8_t *pkt;

	if (sodium_init() < 0 || mib == 0 || (pkt = calloc(1, PACKET + 4)) == NULL) {
		fprintf(stderr, "crypto: cannot start\n");
		return 1;
	}
	printf("chacha20-poly1305@openssh.com %.3f\n", bench_chacha(pkt, packets) * per_gib);
	if (crypto_aead_aes256gcm_is_available()) {
		printf("aes256-gcm@openssh.com %.3f\n", bench_gcm(pkt, packets) * per_gib);
	}
	free(pkt);
	return 0;
}
