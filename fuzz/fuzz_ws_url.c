/* Fuzzes the signed WebSocket URL's readers: ns_ws_target_parse (the
 * relay's request target) with verification against a fixed secret, and
 * ns_ws_url_parse (`nullspace proxy URL`). An accepted target must hold a
 * valid sandbox id; a forged one must never verify. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ws_url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t secret[NS_WS_SECRET_MIN] = {1};
	char s[NS_WS_URL_MAX + 1];
	ns_ws_target t;
	ns_ws_url u;

	if (ns_ws_target_parse((const char *)data, size, &t) == NS_WS_OK) {
		if (!ns_registry_id_valid(t.sandbox) || !t.has_exp || !t.has_sig) {
			abort();
		}
		(void)ns_ws_target_verify(&t, secret, sizeof(secret), 0);
	}
	if (size < sizeof(s)) {
		memcpy(s, data, size);
		s[size] = '\0';
		if (ns_ws_url_parse(s, &u) == 0 &&
		    (u.host[0] == '\0' || u.port == 0 || u.target[0] != '/')) {
			abort();
		}
	}
	return 0;
}
