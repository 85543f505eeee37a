/* sntrup761 decapsulation of outside bytes (the server's ciphertext a
 * client decapsulates) under a fixed key pair. Bit 0 of the first byte: 0,
 * the rest (zero-padded or cut to 1039 bytes) is the ciphertext; 1, the
 * rest is the randomness of an encapsulation whose key decapsulation must
 * give back (abort otherwise). Also the hybrid's parse of Q_S (length, the
 * X25519 half) through ns_kex_shared. */
#include <stdlib.h>
#include <string.h>

#include "kex_ecdh.h"
#include "kexinit.h"
#include "sntrup761.h"

typedef struct stream {
	const uint8_t *p;
	size_t n, off;
	uint32_t ctr;
} stream;

/* The input's bytes, then a counter: deterministic randomness. */
static void stream_random(void *ctx, uint8_t *buf, size_t len)
{
	stream *s = ctx;
	size_t i;

	for (i = 0; i < len; i++) {
		buf[i] = s->off < s->n ? s->p[s->off++] : (uint8_t)(s->ctr++ * 2654435761u >> 24);
	}
}

static uint8_t sk[NS_SNTRUP761_SK_LEN], pk[NS_SNTRUP761_PK_LEN];
static uint8_t secret[NS_KEX_SECRET_MAX];

static void fixed_keys(void)
{
	static int done;
	stream s = {NULL, 0, 0, 1};

	if (!done) {
		ns_sntrup761_keypair(stream_random, &s, pk, sk);
		memcpy(secret, sk, sizeof(sk));
		memset(secret + sizeof(sk), 9, 32); /* the X25519 half */
		done = 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t ct[NS_SNTRUP761_CT_LEN], ss[32], ss2[32], kmp[NS_KEX_K_MAX];
	size_t n;

	if (size < 1) {
		return 0;
	}
	fixed_keys();
	if (data[0] & 1) {
		stream s = {data + 1, size - 1, 0, 0};

		ns_sntrup761_enc(stream_random, &s, ct, ss, pk);
		ns_sntrup761_dec(ss2, ct, sk);
		if (memcmp(ss, ss2, sizeof(ss)) != 0) {
			abort();
		}
		return 0;
	}
	memset(ct, 0, sizeof(ct));
	memcpy(ct, data + 1, size - 1 < sizeof(ct) ? size - 1 : sizeof(ct));
	ns_sntrup761_dec(ss, ct, sk);
	ns_kex_shared(NS_KEX_SNTRUP, secret, data + 1, size - 1, kmp, &n);
	return 0;
}
