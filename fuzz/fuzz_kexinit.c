/* KEXINIT parser and negotiation against our own lists, both roles. */
#include "kexinit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t mine_buf[2048];
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
		ns_kexinit_negotiate(role, 1, &mine, &peer, &res, &which);
	}
	return 0;
}
