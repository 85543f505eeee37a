/* sntrup761 decapsulation of outside bytes (the server's ciphertext a
 * client decapsulates) under a fixed key pair (fuzz/kem_dec.h), and the
 * hybrid's parse of Q_S (length, the X25519 half) through ns_kex_shared. */
#include "kem_dec.h"
#include "sntrup761.h"

_Static_assert(NS_SNTRUP761_SK_LEN + 32 <= NS_KEX_SECRET_MAX, "secret");
_Static_assert(NS_SNTRUP761_SK_LEN <= FUZZ_KEM_SK_MAX && NS_SNTRUP761_PK_LEN <= FUZZ_KEM_PK_MAX &&
                   NS_SNTRUP761_CT_LEN <= FUZZ_KEM_CT_MAX,
               "kem_dec.h's buffers");

static int sntrup761_enc(ns_random_fn rnd, void *ctx, uint8_t *ct, uint8_t *ss, const uint8_t *pk)
{
	ns_sntrup761_enc(rnd, ctx, ct, ss, pk);
	return 0;
}

static const fuzz_kem kem = {
    NS_KEX_SNTRUP,        NS_SNTRUP761_PK_LEN, NS_SNTRUP761_SK_LEN, NS_SNTRUP761_CT_LEN,
    ns_sntrup761_keypair, sntrup761_enc,       ns_sntrup761_dec,    0,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_kem_dec(&kem, data, size);
}
