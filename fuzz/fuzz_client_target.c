/* USER@HOST[:PORT] target parsing of nullspace connect (and the SDK). */
#include <stdlib.h>
#include <string.h>

#include "client_util.h"
#include "nullspace/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char user[64], host[256], *s;
	unsigned port;

	if ((s = malloc(size + 1)) == NULL) {
		return 0;
	}
	memcpy(s, data, size);
	s[size] = '\0';
	ns_client_parse_target(s, user, sizeof(user), host, sizeof(host), &port);
	free(s);
	return 0;
}
