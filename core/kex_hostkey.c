/* Client side of host key verification in the key exchange: the server's
 * K_S parsed as the negotiated host key algorithm says (ssh-ed25519,
 * ecdsa-sha2-nistp256, rsa-sha2-512/256, or their certificates), its
 * signature over the exchange hash verified with that algorithm's signature
 * (core/sig.c), the key pinned by the first exchange and required again at
 * every rekey. Whether the key is trusted is the caller's verdict. */
#include <string.h>

#include "auth.h"
#include "kex.h"

/* The key in K_S (a certificate's key when the algorithm is one), or NULL
 * with the engine failed. */
static const ns_auth_alg *host_alg(ns_engine *e, ns_str k_s, ns_pubkey *key)
{
	ns_str name = {(const uint8_t *)e->hostkey_alg, strlen(e->hostkey_alg)};
	const ns_auth_alg *a = ns_auth_alg_find(name);
	const char *why = NULL;

	if (a == NULL) { /* cannot happen: we offered only what the table holds */
		ns_eng_fail(e, NS_ERR_UNSUPPORTED, NS_DISC_KEY_EXCHANGE_FAILED,
		            "host key algorithm not supported");
		return NULL;
	}
	if (a->type == NS_PK_SK_ED25519 || a->type == NS_PK_SK_ECDSA_P256 ||
	    ns_auth_blob_key(a, k_s.p, k_s.len, key, &why) != 0) {
		ns_eng_fail(e, NS_ERR_KEYTYPE, NS_DISC_KEY_EXCHANGE_FAILED,
		            a->is_cert ? "server host certificate is not of the negotiated type"
		                       : "server host key is not of the negotiated type");
		return NULL;
	}
	return a;
}

int ns_kex_hostkey_parse(ns_engine *e, ns_str k_s)
{
	ns_pubkey key;

	return host_alg(e, k_s, &key) != NULL ? 0 : e->err ? e->err : NS_ERR_KEYTYPE;
}

int ns_kex_hostkey_verify(ns_engine *e, ns_str k_s, ns_str sig, const uint8_t *h, size_t hlen)
{
	ns_pubkey key;
	const ns_auth_alg *a = host_alg(e, k_s, &key);
	ns_event *ev;

	if (a == NULL) {
		return e->err ? e->err : NS_ERR_KEYTYPE;
	}
	if (ns_pubkey_verify(&key, a->sig, sig.p, sig.len, h, hlen, NULL) != 0) {
		return ns_eng_fail(e, NS_ERR_SIGNATURE, NS_DISC_KEY_EXCHANGE_FAILED,
		                   "host key signature does not verify");
	}
	if (e->have_peer_hostkey) {
		/* A rekey must present the host key the user already accepted. */
		if (!ns_pubkey_equal(&key, &e->peer_hostkey)) {
			return ns_eng_fail(e, NS_ERR_HOSTKEY_CHANGED,
			                   NS_DISC_HOST_KEY_NOT_VERIFIABLE,
			                   "host key changed during rekey");
		}
		return 1;
	}
	e->peer_hostkey = key;
	e->kex_state = NS_KX_WAIT_VERDICT;
	ev = ns_eng_emit(e, NS_EV_HOSTKEY);
	if (ev != NULL) {
		ev->hostkey_blob = k_s;
		ev->is_cert = a->is_cert;
		ev->hostkey_pubkey = &e->peer_hostkey;
		if (key.type == NS_PK_ED25519) {
			memcpy(ev->hostkey, key.blob + key.blob_len - NS_ED25519_PK_LEN,
			       NS_ED25519_PK_LEN);
		}
	}
	return 0;
}
