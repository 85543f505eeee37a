/* Fuzzes ns_proxy_v2_parse, the relay's reader of a load balancer's PROXY
 * protocol v2 header (and _total, _sniff, _src_text): an accepted header
 * lies inside the input and NS_PROXY_V2_MAX, agrees with _total, and its
 * source address prints within the named size. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/error.h"
#include "proxy_v2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[NS_PROXY_V2_ADDR_TEXT];
	const char *why;
	ns_proxy_v2 h;
	size_t total;
	int rc = ns_proxy_v2_total(data, size, &total, &why);

	if (ns_proxy_v2_sniff(data, size) == 1 && size >= 16 && rc == NS_ERR_AGAIN) {
		abort();
	}
	if (ns_proxy_v2_parse(data, size, &h, &why) != 0) {
		return 0;
	}
	if (rc != 0 || h.len != total || h.len > size || h.len > NS_PROXY_V2_MAX ||
	    h.ntlv > NS_PROXY_V2_TLVS_MAX) {
		abort();
	}
	if (ns_proxy_v2_src_text(&h, text, sizeof(text)) == 0 &&
	    strlen(text) >= NS_PROXY_V2_ADDR_TEXT) {
		abort();
	}
	return 0;
}
