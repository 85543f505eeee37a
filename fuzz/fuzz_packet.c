/* Fuzzes ns_pkt_open over a stream of received bytes, once without a cipher
 * and once with a fixed chacha20-poly1305 key (sealed seeds in the corpus
 * use the same key and start at seq 0). Checks the payload view stays
 * inside the packet that *need describes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "packet.h"

static void run(const uint8_t *data, size_t size, int keyed)
{
	static const uint8_t key[NS_CHACHA_KEY_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	uint8_t *copy = malloc(size + 1), *p = copy;
	ns_pkt_dir d = {0};
	size_t need;
	ns_str pl;

	if (copy == NULL) {
		return;
	}
	memcpy(copy, data, size);
	if (keyed) {
		ns_pkt_set_key(&d, key);
	}
	while (ns_pkt_open(&d, p, size, &need, &pl) == 0) {
		if (need > size || pl.len == 0 || pl.p < p + 5 || pl.p + pl.len > p + need) {
			abort();
		}
		p += need;
		size -= need;
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size, 0);
	run(data, size, 1);
	return 0;
}
