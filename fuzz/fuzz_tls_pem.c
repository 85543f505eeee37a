/* Fuzzes the TLS file readers: ns_tls_pem_parse (the relay's --tls-cert and
 * --tls-key, `nullspace up`'s certificate) and ns_tls_anchors_parse (the CA
 * bundle `nullspace proxy` trusts: PEM, then each certificate through
 * BearSSL's X.509 decoder into a trust anchor). Every object kept must fit
 * the limits; every anchor must have a key. */
#include <stdint.h>
#include <stdlib.h>

#include "tls_client.h"
#include "tls_pem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ns_tls_pem pem;
	ns_tls_anchors a;
	size_t i;

	if (ns_tls_pem_parse(data, size, &pem) == 0) {
		for (i = 0; i < pem.n; i++) {
			if (pem.objs[i].len > NS_TLS_PEM_OBJ_MAX || pem.n > NS_TLS_PEM_OBJS_MAX) {
				abort();
			}
		}
	}
	ns_tls_pem_free(&pem);
	if (ns_tls_anchors_parse(data, size, &a) == 0) {
		for (i = 0; i < a.n; i++) {
			if (a.ta[i].pkey.key_type != BR_KEYTYPE_EC &&
			    a.ta[i].pkey.key_type != BR_KEYTYPE_RSA) {
				abort();
			}
		}
	}
	ns_tls_anchors_free(&a);
	return 0;
}
