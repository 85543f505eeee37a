/* ML-KEM-768 decapsulation of outside bytes (the server's ciphertext a
 * client decapsulates) under a fixed key pair (fuzz/kem_dec.h). The input
 * is also tried as a client's encapsulation key (the modulus check), and
 * the hybrid's parse of Q_S (length, the X25519 half) through
 * ns_kex_shared. */
#include "kem_dec.h"
#include "mlkem768.h"

_Static_assert(NS_MLKEM768_SK_LEN + 32 <= NS_KEX_SECRET_MAX, "secret");
_Static_assert(NS_MLKEM768_SK_LEN <= FUZZ_KEM_SK_MAX && NS_MLKEM768_PK_LEN <= FUZZ_KEM_PK_MAX &&
                   NS_MLKEM768_CT_LEN <= FUZZ_KEM_CT_MAX,
               "kem_dec.h's buffers");

static const fuzz_kem kem = {
    NS_KEX_MLKEM,        NS_MLKEM768_PK_LEN, NS_MLKEM768_SK_LEN, NS_MLKEM768_CT_LEN,
    ns_mlkem768_keypair, ns_mlkem768_enc,    ns_mlkem768_dec,    1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_kem_dec(&kem, data, size);
}
