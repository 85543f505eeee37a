/* What our TLS speaks, on both sides (issue 13): TLS 1.2, ECDHE key
 * exchange, AEAD suites only (AES-GCM, ChaCha20-Poly1305). No CBC, no RSA
 * key transport, no static ECDH, no renegotiation. */
#include "tls_server.h"

static const uint16_t suites_ec[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
};
static const uint16_t suites_rsa[] = {
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};
static const uint16_t suites_both[] = {
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};

void ns_tls_policy(br_ssl_engine_context *eng, int which)
{
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	if (which == NS_TLS_SUITES_EC) {
		br_ssl_engine_set_suites(eng, suites_ec, sizeof(suites_ec) / sizeof(suites_ec[0]));
	} else if (which == NS_TLS_SUITES_RSA) {
		br_ssl_engine_set_suites(eng, suites_rsa,
		                         sizeof(suites_rsa) / sizeof(suites_rsa[0]));
	} else {
		br_ssl_engine_set_suites(eng, suites_both,
		                         sizeof(suites_both) / sizeof(suites_both[0]));
	}
	/* signature hashes (what the peer's signature_algorithms may pick) */
	br_ssl_engine_set_hash(eng, br_sha256_ID, &br_sha256_vtable);
	br_ssl_engine_set_hash(eng, br_sha384_ID, &br_sha384_vtable);
	br_ssl_engine_set_hash(eng, br_sha512_ID, &br_sha512_vtable);
	br_ssl_engine_set_prf_sha256(eng, &br_tls12_sha256_prf);
	br_ssl_engine_set_prf_sha384(eng, &br_tls12_sha384_prf);
	br_ssl_engine_set_default_aes_gcm(eng);
	br_ssl_engine_set_default_chapol(eng);
	br_ssl_engine_set_default_ec(eng);
	br_ssl_engine_add_flags(eng, BR_OPT_NO_RENEGOTIATION);
}
