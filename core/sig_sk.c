/* FIDO signatures (PROTOCOL.u2f): sk-ssh-ed25519@openssh.com and
 * sk-ecdsa-sha2-nistp256@openssh.com. The token signs
 * sha256(application) || flags || uint32 counter || sha256(data); we only
 * verify, and report flags and counter: whether a missing user-presence
 * flag is acceptable (no-touch-required) is the caller's policy. */
#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "nullspace/keys.h"
#include "sig.h"
#include "wire.h"

#define SK_SIGNED_LEN (32 + 1 + 4 + 32)

int ns_sig_sk_verify(int type, const ns_pk_fields *f, ns_rd *r, const uint8_t *msg, size_t len,
                     ns_sig_info *info)
{
	uint8_t signed_data[SK_SIGNED_LEN];
	ns_str raw;
	uint8_t flags = 0;
	uint32_t counter = 0;
	int rc;

	ns_rd_string_max(r, NS_PUBKEY_SIG_MAX, &raw); /* string signature */
	ns_rd_u8(r, &flags);                          /* byte flags */
	ns_rd_u32(r, &counter);                       /* uint32 counter */
	if (ns_rd_end(r) != 0) {
		return NS_ERR_FORMAT;
	}
	crypto_hash_sha256(signed_data, f->application.p, f->application.len);
	signed_data[32] = flags;
	ns_store32(signed_data + 33, counter);
	crypto_hash_sha256(signed_data + 37, msg, len);
	if (type == NS_PK_SK_ED25519) {
		if (raw.len != NS_ED25519_SIG_LEN) {
			return NS_ERR_FORMAT;
		}
		rc = crypto_sign_verify_detached(raw.p, signed_data, sizeof(signed_data),
		                                 f->ed25519.p) == 0
		         ? 0
		         : NS_ERR_SIGNATURE;
	} else {
		rc = ns_sig_ecdsa_verify(f->q, raw, signed_data, sizeof(signed_data));
	}
	if (rc == 0) {
		info->sk = 1;
		info->flags = flags;
		info->counter = counter;
	}
	return rc;
}
