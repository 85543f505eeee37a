/* Fuzzes ns_relay_startups_parse, the reader of `nullspace relay
 * --max-startups START:RATE:FULL` (or N): a parsed value must hold its
 * invariants (RATE 1-100, START <= FULL, FULL >= 1) and give a drop chance
 * of 0-100 that never falls as the waiting count rises. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_relay_startups m;
	uint32_t n, pct, prev = 0;
	char s[64];

	if (size >= sizeof(s)) {
		return 0;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	if (ns_relay_startups_parse(s, &m) != 0) {
		return 0;
	}
	if (m.rate < 1 || m.rate > 100 || m.full == 0 || m.start > m.full) {
		abort();
	}
	for (n = m.start > 2 ? m.start - 2 : 0; n <= m.full + 2 && n < m.start + 64; n++) {
		if ((pct = ns_relay_startups_drop_pct(&m, n)) > 100 || pct < prev) {
			abort();
		}
		prev = pct;
	}
	return 0;
}
