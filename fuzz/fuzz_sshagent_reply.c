/* Fuzzes the ssh-agent reply parsers (transport/client/sshagent_msg.c): one input
 * is read both as an identities answer and as a sign response. Seeds are
 * replies of OpenSSH 9.2's ssh-agent (ed25519, its certificate and an RSA
 * key listed; a signature; a failure). A parsed answer must hold only
 * ed25519 keys within the limit. */
#include <stdint.h>
#include <stdlib.h>

#include "nullspace/sshagent.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ns_sshagent_ids ids;
	uint8_t sig[NS_SIG_BLOB_LEN];

	if (ns_sshagent_parse_identities(data, size, &ids) == 0 &&
	    (ids.n > NS_SSHAGENT_KEYS_MAX || ids.n + ids.skipped > size)) {
		abort();
	}
	ns_sshagent_parse_sign(data, size, sig);
	return 0;
}
