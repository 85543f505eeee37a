/* Fuzzes the parser of the owner's line in NULLSPACE_HOME/state/lock
 * (cli/up_lock.c): any input is refused or yields a pid in 1..2^31-1 and a
 * NUL-terminated address of address characters that fits its buffer. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/up_int.h"
#include "nullspace/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char addr[32];
	long pid = -1;
	int rc = ns_up_lock_parse((const char *)data, size, &pid, addr, sizeof(addr));

	if (rc != 0 && (rc != NS_ERR_FORMAT && rc != NS_ERR_TOOBIG)) {
		abort();
	}
	if (rc != 0 && (pid != 0 || addr[0] != '\0')) {
		abort();
	}
	if (rc == 0 &&
	    (pid < 1 || pid > 2147483647L || strlen(addr) == 0 || strlen(addr) >= sizeof(addr) ||
	     strspn(addr, "0123456789abcdefABCDEF.:[]") != strlen(addr))) {
		abort();
	}
	return 0;
}
