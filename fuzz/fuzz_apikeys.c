/* Fuzzes the API key store parser (api/apikey.c): any text is refused with
 * a line number or yields at most NS_APIKEY_MAX_KEYS digests, each of which
 * the constant-time check can be run against; no leaks. */
#include <stdint.h>
#include <stdlib.h>

#include "apikey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_apikeys ks;
	int line = -1, rc = ns_apikeys_parse((const char *)data, size, &ks, &line);

	if ((rc == 0 && line != 0) || (rc != 0 && (ks.n != 0 || ks.hash != NULL)) ||
	    ks.n > NS_APIKEY_MAX_KEYS || (ks.n > 0) != (ks.hash != NULL)) {
		abort();
	}
	(void)ns_apikeys_check(&ks, (const char *)data, size);
	ns_apikeys_free(&ks);
	return 0;
}
