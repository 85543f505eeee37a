/* The relay's TLS credentials and per-connection server contexts: the
 * chain and key decoded with BearSSL's PEM, X.509 and key decoders, the
 * key checked (P-256 or RSA of NS_TLS_RSA_BITS_MIN bits) and kept in one
 * wiped allocation; a server context per connection with its own record
 * buffer, set to ns_tls_policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "nullspace/error.h"
#include "tls_io.h"
#include "tls_pem.h"
#include "tls_server.h"

struct ns_tls_cred {
	ns_tls_pem chain_pem;
	br_x509_certificate chain[NS_TLS_CHAIN_MAX];
	size_t chain_len;
	br_skey_decoder_context key; /* holds the key's bytes */
	int type;                    /* BR_KEYTYPE_EC or BR_KEYTYPE_RSA */
};

struct ns_tls_server {
	br_ssl_server_context sc;
	unsigned char iobuf[NS_TLS_IOBUF];
};

static int load_chain(ns_tls_cred *c, const char *path, char *err, size_t cap)
{
	size_t i;
	int rc;

	if ((rc = ns_tls_pem_load(path, &c->chain_pem)) != 0) {
		snprintf(err, cap, "%s: not a PEM certificate file (%s)", path, ns_strerror(rc));
		return rc;
	}
	for (i = 0; i < c->chain_pem.n; i++) {
		if (strcmp(c->chain_pem.objs[i].name, "CERTIFICATE") != 0) {
			continue;
		}
		if (c->chain_len == NS_TLS_CHAIN_MAX) {
			snprintf(err, cap, "%s: more than %d certificates", path, NS_TLS_CHAIN_MAX);
			return NS_ERR_TOOBIG;
		}
		c->chain[c->chain_len].data = c->chain_pem.objs[i].der;
		c->chain[c->chain_len++].data_len = c->chain_pem.objs[i].len;
	}
	if (c->chain_len == 0) {
		snprintf(err, cap, "%s: no CERTIFICATE in it", path);
		return NS_ERR_FORMAT;
	}
	return 0;
}

/* The key of the leaf certificate matches the private key's type. */
static int leaf_type(const ns_tls_cred *c)
{
	br_x509_decoder_context d;
	const br_x509_pkey *pk;

	br_x509_decoder_init(&d, NULL, NULL);
	br_x509_decoder_push(&d, c->chain[0].data, c->chain[0].data_len);
	pk = br_x509_decoder_get_pkey(&d);
	return pk == NULL ? -1 : (int)pk->key_type;
}

static int load_key(ns_tls_cred *c, const char *path, char *err, size_t cap)
{
	ns_tls_pem pem;
	const br_rsa_private_key *rsa;
	const br_ec_private_key *ec;
	size_t i;
	int rc, found = 0;

	if ((rc = ns_tls_pem_load(path, &pem)) != 0) {
		snprintf(err, cap, "%s: not a PEM key file (%s)", path, ns_strerror(rc));
		return rc;
	}
	for (i = 0; i < pem.n && !found; i++) {
		if (strstr(pem.objs[i].name, "PRIVATE KEY") == NULL) {
			continue;
		}
		br_skey_decoder_init(&c->key);
		br_skey_decoder_push(&c->key, pem.objs[i].der, pem.objs[i].len);
		found = 1;
	}
	ns_tls_pem_free(&pem);
	if (!found || br_skey_decoder_last_error(&c->key) != 0) {
		snprintf(err, cap, "%s: no unencrypted private key in it", path);
		return NS_ERR_FORMAT;
	}
	c->type = br_skey_decoder_key_type(&c->key);
	ec = br_skey_decoder_get_ec(&c->key);
	rsa = br_skey_decoder_get_rsa(&c->key);
	if (c->type == BR_KEYTYPE_EC && ec->curve != BR_EC_secp256r1) {
		snprintf(err, cap, "%s: an EC key on a curve other than P-256", path);
		return NS_ERR_UNSUPPORTED;
	}
	if (c->type == BR_KEYTYPE_RSA && rsa->n_bitlen < NS_TLS_RSA_BITS_MIN) {
		snprintf(err, cap, "%s: an RSA key of %u bits (%d at least)", path, rsa->n_bitlen,
		         NS_TLS_RSA_BITS_MIN);
		return NS_ERR_UNSUPPORTED;
	}
	if (leaf_type(c) != c->type) {
		snprintf(err, cap, "%s does not match the certificate's key type", path);
		return NS_ERR_INVALID;
	}
	return 0;
}

int ns_tls_cred_load(const char *cert_path, const char *key_path, ns_tls_cred **out, char *err,
                     size_t cap)
{
	ns_tls_cred *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (c == NULL) {
		snprintf(err, cap, "out of memory");
		return NS_ERR_NOMEM;
	}
	if ((rc = load_chain(c, cert_path, err, cap)) != 0 ||
	    (rc = load_key(c, key_path, err, cap)) != 0) {
		ns_tls_cred_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void ns_tls_cred_free(ns_tls_cred *c)
{
	if (c != NULL) {
		ns_tls_pem_free(&c->chain_pem);
		sodium_memzero(&c->key, sizeof(c->key));
		free(c);
	}
}

const char *ns_tls_cred_kind(const ns_tls_cred *c)
{
	return c->type == BR_KEYTYPE_EC ? "ecdsa-p256" : "rsa";
}

int ns_tls_server_new(const ns_tls_cred *c, ns_tls_server **out)
{
	ns_tls_server *s = malloc(sizeof(*s));
	br_ssl_engine_context *eng;

	*out = NULL;
	if (s == NULL) {
		return NS_ERR_NOMEM;
	}
	br_ssl_server_zero(&s->sc);
	eng = &s->sc.eng;
	if (c->type == BR_KEYTYPE_EC) {
		ns_tls_policy(eng, NS_TLS_SUITES_EC);
		br_ssl_server_set_single_ec(&s->sc, c->chain, c->chain_len,
		                            br_skey_decoder_get_ec(&c->key), BR_KEYTYPE_SIGN,
		                            BR_KEYTYPE_EC, br_ec_get_default(),
		                            br_ecdsa_sign_asn1_get_default());
	} else {
		ns_tls_policy(eng, NS_TLS_SUITES_RSA);
		br_ssl_server_set_single_rsa(
		    &s->sc, c->chain, c->chain_len, br_skey_decoder_get_rsa(&c->key),
		    BR_KEYTYPE_SIGN, br_rsa_private_get_default(), br_rsa_pkcs1_sign_get_default());
	}
	br_ssl_engine_set_buffer(eng, s->iobuf, sizeof(s->iobuf), 1);
	if (!br_ssl_server_reset(&s->sc)) {
		free(s);
		return NS_ERR_CRYPTO;
	}
	*out = s;
	return 0;
}

br_ssl_engine_context *ns_tls_server_engine(ns_tls_server *s)
{
	return &s->sc.eng;
}

void ns_tls_server_free(ns_tls_server *s)
{
	if (s != NULL) {
		sodium_memzero(s, sizeof(*s)); /* session keys */
		free(s);
	}
}
