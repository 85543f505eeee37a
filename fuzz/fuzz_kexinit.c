/* KEXINIT parser and negotiation against our own lists, both roles, and
 * the failure message that quotes the peer's lists. */
#include <string.h>

#include "engine_int.h"
#include "kexinit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mine_buf[2048];
	char msg[NS_KEX_FAIL_MSG_MAX];
	ns_kexinit mine, peer;
	ns_kex_result res;
	ns_buf b;
	int role, which;

	if (ns_kexinit_parse(data, size, &peer) != 0) {
		return 0;
	}
	for (role = 0; role < 2; role++) {
		ns_buf_init_fixed(&b, mine_buf, sizeof(mine_buf));
		ns_kexinit_build(role, 1, role, &b);
		ns_kexinit_parse(b.p, b.len, &mine);
		if (ns_kexinit_negotiate(role, 1, &mine, &peer, &res, &which) != 0) {
			ns_kexinit_nomatch(role, which, &mine, &peer, msg, sizeof(msg));
			if (strlen(msg) >= sizeof(msg)) {
				__builtin_trap();
			}
		}
	}
	return 0;
}
