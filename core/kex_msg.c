/* Parsers for the ECDH messages KEX_ECDH_INIT and KEX_ECDH_REPLY (RFC 5656
 * 4, RFC 8731 3): pure, fuzzed by fuzz_kex. The public values are checked
 * for their method (length, point on the curve) by ns_kex_shared. */
#include "kex.h"
#include "kex_ecdh.h"

int ns_kex_ecdh_init_parse(ns_rd *r, ns_str *q_c)
{
	ns_rd_string_max(r, NS_KEX_PUB_MAX, q_c); /* Q_C, client's ephemeral public key */
	if (ns_rd_end(r) != 0) {
		q_c->p = NULL;
		q_c->len = 0;
		return r->err;
	}
	return 0;
}

int ns_kex_ecdh_reply_parse(ns_rd *r, ns_str *k_s, ns_str *q_s, ns_str *sig)
{
	ns_rd_string_max(r, 4096, k_s);           /* K_S, server's public host key (or cert) */
	ns_rd_string_max(r, NS_KEX_PUB_MAX, q_s); /* Q_S, server's ephemeral public key */
	ns_rd_string_max(r, 1024, sig);           /* signature of H by the host key */
	if (ns_rd_end(r) != 0) {
		q_s->p = NULL;
		q_s->len = 0;
		return r->err;
	}
	return 0;
}
