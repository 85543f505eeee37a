/* Fuzzes the client config parser (api/config.c): any text is accepted with
 * NUL-terminated fields or refused with a line number and the output
 * zeroed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/sdk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_api_config cfg;
	int line = -1, rc = ns_api_config_parse((const char *)data, size, &cfg, &line);

	if (memchr(cfg.api_url, '\0', sizeof(cfg.api_url)) == NULL ||
	    memchr(cfg.api_key, '\0', sizeof(cfg.api_key)) == NULL) {
		abort();
	}
	if (rc == 0 && line != 0) {
		abort();
	}
	if (rc != 0 && (cfg.api_url[0] != '\0' || cfg.api_key[0] != '\0')) {
		abort();
	}
	return 0;
}
