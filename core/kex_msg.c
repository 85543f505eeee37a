/* Parsers for the curve25519-sha256 messages KEX_ECDH_INIT and
 * KEX_ECDH_REPLY (RFC 5656 4, RFC 8731 3): pure, fuzzed by fuzz_kex. */
#include "kex.h"

int ns_kex_ecdh_init_parse(ns_rd *r, const uint8_t **q_c)
{
	ns_str q;

	*q_c = NULL;
	ns_rd_string_max(r, 32, &q); /* Q_C, client's ephemeral public key */
	if (ns_rd_end(r) != 0) {
		return r->err;
	}
	if (q.len != 32) {
		return NS_ERR_FORMAT;
	}
	*q_c = q.p;
	return 0;
}

int ns_kex_ecdh_reply_parse(ns_rd *r, ns_str *k_s, const uint8_t **q_s, ns_str *sig)
{
	ns_str q;

	*q_s = NULL;
	ns_rd_string_max(r, 4096, k_s); /* K_S, server's public host key (or cert) */
	ns_rd_string_max(r, 32, &q);    /* Q_S, server's ephemeral public key */
	ns_rd_string_max(r, 1024, sig); /* signature of H by the host key */
	if (ns_rd_end(r) != 0) {
		return r->err;
	}
	if (q.len != 32) {
		return NS_ERR_FORMAT;
	}
	*q_s = q.p;
	return 0;
}
