/* Fuzzes the parser of /proc/self/task/TID/children lists
 * (api/runtime_orphans.c): any input is either refused or yields at most
 * cap pids, each in 1..2^30. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include "nullspace/error.h"
#include "runtime_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pid_t pids[8];
	size_t i, n = 99;
	int rc = ns_rt_parse_pids((const char *)data, size, pids, 8, &n);

	if (n > 8 || (rc != 0 && rc != NS_ERR_FORMAT)) {
		abort();
	}
	for (i = 0; rc == 0 && i < n; i++) {
		if (pids[i] < 1 || pids[i] > 0x3fffffff) {
			abort();
		}
	}
	return 0;
}
