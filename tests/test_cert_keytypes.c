/* Tests for cert/ with key types beyond ssh-ed25519: certificates made by
 * ssh-keygen -s (pubkey_vectors.h) for RSA and ECDSA keys parse, carry the
 * key ssh-keygen certified, write back byte for byte and pass the policy;
 * one signed by an RSA CA (rsa-sha2-256) verifies but is never trusted,
 * even beside an all-zero CA key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "pubkey_vectors.h"

typedef struct loaded {
	uint8_t blob[NS_CERT_BLOB_MAX];
	size_t len;
	ns_cert c;
} loaded;

static void load(const char *line, loaded *l)
{
	assert_int_equal(ns_cert_from_line(line, strlen(line), l->blob, sizeof(l->blob), &l->len),
	                 0);
	assert_int_equal(ns_cert_parse(l->blob, l->len, &l->c, NULL), 0);
}

static int check(const ns_cert *c, const char *principal, uint32_t type)
{
	uint8_t cas[2][NS_ED25519_PK_LEN] = {{0}};
	ns_cert_policy pol = {0};
	ns_cert_verdict v;
	ns_pubkey ca;

	assert_int_equal(ns_pubkey_from_line(CA_PUB, strlen(CA_PUB), &ca, NULL), 0);
	memcpy(cas[1], ca.blob + ca.blob_len - NS_ED25519_PK_LEN, NS_ED25519_PK_LEN);
	pol.ca_keys = (const uint8_t(*)[NS_ED25519_PK_LEN])cas;
	pol.nca = 2; /* an all-zero key first: must never match a non-ed25519 CA */
	pol.type = type;
	pol.principal = principal;
	pol.now = 1800000000;
	ns_cert_check(c, &pol, &v);
	return v.reason;
}

static void same_key(const ns_cert *c, const char *pub, int type)
{
	ns_pubkey want, got;

	assert_int_equal(c->key_type, type);
	assert_int_equal(ns_pubkey_from_line(pub, strlen(pub), &want, NULL), 0);
	assert_int_equal(ns_cert_pubkey(c, &got), 0);
	assert_true(ns_pubkey_equal(&want, &got));
}

static void round_trip(const loaded *l, const char *line)
{
	char out[NS_CERT_LINE_MAX];

	assert_int_equal(ns_cert_to_line(l->blob, l->len, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, line);
}

static void rsa_user_certs(void **state)
{
	static loaded l;

	(void)state;
	load(RSA2048_U_CERT, &l);
	same_key(&l.c, RSA2048_PUB, NS_PK_RSA);
	assert_int_equal(l.c.ca_type, NS_PK_ED25519);
	round_trip(&l, RSA2048_U_CERT);
	assert_int_equal(check(&l.c, "sb_1", NS_CERT_USER), NS_CERT_OK);
	assert_int_equal(check(&l.c, "bob", NS_CERT_USER), NS_CERT_WRONG_PRINCIPAL);
	load(RSA4096_U_CERT, &l);
	same_key(&l.c, RSA4096_PUB, NS_PK_RSA);
	assert_int_equal(check(&l.c, "alice", NS_CERT_USER), NS_CERT_OK);
}

static void ecdsa_certs(void **state)
{
	static loaded l;

	(void)state;
	load(ECDSA_U_CERT, &l);
	same_key(&l.c, ECDSA_PUB, NS_PK_ECDSA_P256);
	round_trip(&l, ECDSA_U_CERT);
	assert_int_equal(check(&l.c, "alice", NS_CERT_USER), NS_CERT_OK);
	load(ECDSA_H_CERT, &l);
	same_key(&l.c, ECDSA_PUB, NS_PK_ECDSA_P256);
	assert_int_equal(l.c.type, NS_CERT_HOST);
	assert_int_equal(check(&l.c, "localhost", NS_CERT_HOST), NS_CERT_OK);
}

static void rsa_ca_never_trusted(void **state)
{
	static loaded l;

	(void)state;
	load(ECDSA_R256_CERT, &l);
	assert_int_equal(l.c.ca_type, NS_PK_RSA);
	assert_int_equal(check(&l.c, "alice", NS_CERT_USER), NS_CERT_UNTRUSTED_CA);
	/* its signature is checked: one flipped byte in the signed part */
	l.blob[60] ^= 1;
	assert_int_not_equal(ns_cert_parse(l.blob, l.len, &l.c, NULL), 0);
}

/* key: lines of any type revoke the certificate's key (or its CA). */
static void revoked_by_key(void **state)
{
	static loaded l;
	static char list[4096];
	int why = 0;

	(void)state;
	load(RSA2048_U_CERT, &l);
	snprintf(list, sizeof(list), "key: %s old laptop\n", ECDSA_PUB);
	assert_int_equal(ns_revoked_check(list, strlen(list), &l.c, &why), 0);
	snprintf(list, sizeof(list), "key: %s\nkey: %s old laptop\n", ECDSA_PUB, RSA2048_PUB);
	assert_int_equal(ns_revoked_check(list, strlen(list), &l.c, &why), NS_ERR_AUTH);
	assert_int_equal(why, NS_CERT_REVOKED_KEY);
	load(ECDSA_U_CERT, &l);
	snprintf(list, sizeof(list), "key: %s\n", CA_PUB);
	assert_int_equal(ns_revoked_check(list, strlen(list), &l.c, &why), NS_ERR_AUTH);
	assert_int_equal(why, NS_CERT_REVOKED_KEY);
	/* an RSA key under 2048 bits is not a valid entry: the list is void */
	snprintf(list, sizeof(list), "key: %s\n", RSA1024_PUB);
	assert_int_equal(ns_revoked_check(list, strlen(list), &l.c, &why), NS_ERR_AUTH);
	assert_int_equal(why, NS_CERT_MALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(rsa_user_certs),
	    cmocka_unit_test(ecdsa_certs),
	    cmocka_unit_test(rsa_ca_never_trusted),
	    cmocka_unit_test(revoked_by_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
