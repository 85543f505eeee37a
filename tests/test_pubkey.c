/* Tests for core/pubkey.c and the verifiers (sig.c, sig_ecdsa.c, sig_rsa.c,
 * sig_sk.c): keys, fingerprints and signatures made by ssh-keygen
 * (pubkey_vectors.h), RSA size limits, ssh-rsa (SHA-1) refused, invalid
 * points, and FIDO signatures from the test signer in lib_sk.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "buf.h"
#include "lib_sk.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"
#include "nullspace/pubkey.h"
#include "pubkey_vectors.h"
#include "wire.h"

static size_t b64(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;

	assert_int_equal(sodium_base642bin(out, cap, s, strlen(s), NULL, &n, NULL,
	                                   sodium_base64_VARIANT_ORIGINAL),
	                 0);
	return n;
}

static void line_key(const char *line, ns_pubkey *k)
{
	assert_int_equal(ns_pubkey_from_line(line, strlen(line), k, NULL), 0);
}

/* An SSHSIG (ssh-keygen -Y sign): the signature blob and the data it covers
 * ("SSHSIG", string namespace, string reserved, string hash, string H(msg)). */
typedef struct sshsig {
	uint8_t raw[4096], signed_data[256];
	ns_str sig;
	size_t signed_len;
} sshsig;

static void sshsig_load(const char *text, sshsig *s)
{
	ns_str pk, ns, reserved, hash;
	uint32_t version;
	uint8_t h[64];
	ns_buf b;
	ns_rd r;
	size_t n = b64(text, s->raw, sizeof(s->raw));

	ns_rd_init(&r, s->raw + 6, n - 6);
	ns_rd_u32(&r, &version);
	ns_rd_string(&r, &pk);
	ns_rd_string(&r, &ns);
	ns_rd_string(&r, &reserved);
	ns_rd_string(&r, &hash);
	ns_rd_string(&r, &s->sig);
	assert_int_equal(ns_rd_end(&r), 0);
	assert_true(ns_str_eq(hash, "sha512"));
	crypto_hash_sha512(h, (const uint8_t *)VEC_MSG, strlen(VEC_MSG));
	ns_buf_init_fixed(&b, s->signed_data, sizeof(s->signed_data));
	ns_wr_bytes(&b, "SSHSIG", 6);
	ns_wr_str(&b, ns);
	ns_wr_str(&b, reserved);
	ns_wr_str(&b, hash);
	ns_wr_string(&b, h, sizeof(h));
	assert_int_equal(b.err, 0);
	s->signed_len = b.len;
}

static void check_vector(const char *pub, const char *fp, const char *sig, int type)
{
	char out[NS_PUBKEY_LINE_MAX], got_fp[NS_FINGERPRINT_LEN];
	ns_sig_info info;
	ns_pubkey k;
	sshsig s;

	line_key(pub, &k);
	assert_int_equal(k.type, type);
	ns_pubkey_fingerprint(&k, got_fp);
	assert_string_equal(got_fp, fp);
	assert_int_equal(ns_pubkey_to_line(&k, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, pub);
	sshsig_load(sig, &s);
	assert_int_equal(
	    ns_pubkey_verify(&k, NULL, s.sig.p, s.sig.len, s.signed_data, s.signed_len, &info), 0);
	assert_int_equal(info.sk, 0);
	s.signed_data[s.signed_len - 1] ^= 1;
	assert_int_equal(
	    ns_pubkey_verify(&k, NULL, s.sig.p, s.sig.len, s.signed_data, s.signed_len, NULL),
	    NS_ERR_SIGNATURE);
}

static void ssh_keygen_rsa_2048(void **state)
{
	(void)state;
	check_vector(RSA2048_PUB, RSA2048_FP, RSA2048_SSHSIG, NS_PK_RSA);
}

static void ssh_keygen_rsa_4096(void **state)
{
	(void)state;
	check_vector(RSA4096_PUB, RSA4096_FP, RSA4096_SSHSIG, NS_PK_RSA);
}

static void ssh_keygen_rsa_8192(void **state)
{
	(void)state;
	check_vector(RSA8192_PUB, RSA8192_FP, RSA8192_SSHSIG, NS_PK_RSA);
}

static void ssh_keygen_ecdsa(void **state)
{
	(void)state;
	check_vector(ECDSA_PUB, ECDSA_FP, ECDSA_SSHSIG, NS_PK_ECDSA_P256);
}

static void ssh_keygen_ed25519(void **state)
{
	char fp[NS_FINGERPRINT_LEN];
	ns_pubkey k;

	(void)state;
	line_key(CA_PUB, &k);
	assert_int_equal(k.type, NS_PK_ED25519);
	ns_pubkey_fingerprint(&k, fp);
	assert_string_equal(fp, CA_FP);
}

/* rsa-sha2-256: a certificate that ssh-keygen -s signed with the RSA key. */
static void rsa_sha2_256_cert_signature(void **state)
{
	uint8_t blob[4096];
	ns_str f;
	ns_pubkey ca;
	ns_rd r;
	size_t n, signed_len;
	const char *line = strchr(ECDSA_R256_CERT, ' ') + 1;

	(void)state;
	line_key(RSA2048_PUB, &ca);
	n = b64(line, blob, sizeof(blob));
	ns_rd_init(&r, blob, n);
	for (int i = 0; i < 5; i++) { /* type, nonce, curve, Q */
		ns_rd_string(&r, &f);
		if (i == 3) {
			uint64_t u64;
			uint32_t u32;
			ns_rd_u64(&r, &u64);
			ns_rd_u32(&r, &u32);
		}
	}
	/* after Q, serial, type, key id: principals, after, before, options,
	 * extensions, reserved, signature key */
	{
		uint64_t u;
		ns_rd_string(&r, &f);
		ns_rd_u64(&r, &u);
		ns_rd_u64(&r, &u);
		ns_rd_string(&r, &f);
		ns_rd_string(&r, &f);
		ns_rd_string(&r, &f);
		ns_rd_string(&r, &f);
	}
	signed_len = r.off;
	ns_rd_string(&r, &f);
	assert_int_equal(ns_rd_end(&r), 0);
	assert_int_equal(ns_pubkey_verify(&ca, "rsa-sha2-256", f.p, f.len, blob, signed_len, NULL),
	                 0);
	assert_int_equal(ns_pubkey_verify(&ca, "rsa-sha2-512", f.p, f.len, blob, signed_len, NULL),
	                 NS_ERR_KEYTYPE);
	blob[20] ^= 1;
	assert_int_equal(ns_pubkey_verify(&ca, NULL, f.p, f.len, blob, signed_len, NULL),
	                 NS_ERR_SIGNATURE);
}

/* The same signature relabelled "ssh-rsa" (SHA-1) is never taken. */
static void rsa_sha1_refused(void **state)
{
	uint8_t blob[2048];
	ns_pubkey k;
	ns_str alg, raw;
	ns_buf b;
	ns_rd r;
	sshsig s;

	(void)state;
	line_key(RSA2048_PUB, &k);
	sshsig_load(RSA2048_SSHSIG, &s);
	ns_rd_init(&r, s.sig.p, s.sig.len);
	ns_rd_string(&r, &alg);
	ns_rd_string(&r, &raw);
	ns_buf_init_fixed(&b, blob, sizeof(blob));
	ns_wr_cstr(&b, "ssh-rsa");
	ns_wr_str(&b, raw);
	assert_int_equal(ns_pubkey_verify(&k, NULL, b.p, b.len, s.signed_data, s.signed_len, NULL),
	                 NS_ERR_KEYTYPE);
	assert_int_equal(
	    ns_pubkey_verify(&k, "ssh-rsa", s.sig.p, s.sig.len, s.signed_data, s.signed_len, NULL),
	    NS_ERR_KEYTYPE);
}

static void rsa_size_limits(void **state)
{
	ns_pubkey k;
	uint8_t blob[2048];
	const char *why = NULL;
	size_t n = b64(strchr(RSA1024_PUB, ' ') + 1, blob, sizeof(blob));

	(void)state;
	assert_int_equal(ns_pubkey_from_blob(blob, n, &k, &why), NS_ERR_LIMIT);
	assert_string_equal(why, "rsa-key-too-small");
	assert_int_equal(ns_pubkey_from_line(RSA1024_PUB, strlen(RSA1024_PUB), &k, NULL),
	                 NS_ERR_LIMIT);
}

/* RSA 8193 bits: the 8192-bit key's modulus with one more byte. */
static void rsa_too_large(void **state)
{
	uint8_t blob[2048], big[2048];
	ns_str t, e, nn;
	ns_pubkey k;
	ns_buf b;
	ns_rd r;
	const char *why = NULL;
	size_t n = b64(strchr(RSA8192_PUB, ' ') + 1, blob, sizeof(blob));

	(void)state;
	ns_rd_init(&r, blob, n);
	ns_rd_string(&r, &t);
	ns_rd_string(&r, &e);
	ns_rd_string(&r, &nn);
	ns_buf_init_fixed(&b, big, sizeof(big));
	ns_wr_str(&b, t);
	ns_wr_str(&b, e);
	assert_int_equal(nn.p[0], 0); /* mpint: a zero before the top bit */
	ns_wr_u32(&b, (uint32_t)nn.len);
	ns_wr_u8(&b, 0x01); /* 8193 bits */
	ns_wr_bytes(&b, nn.p + 1, nn.len - 1);
	assert_int_equal(ns_pubkey_from_blob(big, b.len, &k, &why), NS_ERR_LIMIT);
	assert_string_equal(why, "rsa-key-too-large");
}

static void ecdsa_point_off_curve(void **state)
{
	uint8_t blob[256];
	ns_pubkey k;
	const char *why = NULL;
	size_t n = b64(strchr(ECDSA_PUB, ' ') + 1, blob, sizeof(blob));

	(void)state;
	assert_int_equal(ns_pubkey_from_blob(blob, n, &k, NULL), 0);
	blob[n - 1] ^= 1; /* y changes: off the curve */
	assert_int_equal(ns_pubkey_from_blob(blob, n, &k, &why), NS_ERR_FORMAT);
	assert_string_equal(why, "invalid-ecdsa-point");
	blob[n - 1] ^= 1;
	blob[n - 65] = 0x02; /* compressed form: not taken */
	assert_int_equal(ns_pubkey_from_blob(blob, n, &k, NULL), NS_ERR_FORMAT);
}

static void ecdsa_test_signer(void **state)
{
	uint8_t sig[256];
	const uint8_t data[] = "data";
	lib_sk k;
	size_t n;

	(void)state;
	lib_ecdsa_new(&k, 7);
	n = lib_ecdsa_sign(&k, data, sizeof(data), sig, sizeof(sig));
	assert_int_equal(ns_pubkey_verify(&k.key, NULL, sig, n, data, sizeof(data), NULL), 0);
	assert_int_equal(ns_pubkey_verify(&k.key, NULL, sig, n, data, sizeof(data) - 1, NULL),
	                 NS_ERR_SIGNATURE);
}

static void sk_round(int type)
{
	uint8_t sig[256];
	const uint8_t data[] = "session data";
	ns_sig_info info;
	lib_sk k, other;
	size_t n;

	lib_sk_new(&k, type, 3, "ssh:");
	n = lib_sk_sign(&k, NS_SK_FLAG_UP, 42, data, sizeof(data), sig, sizeof(sig));
	assert_int_equal(ns_pubkey_verify(&k.key, NULL, sig, n, data, sizeof(data), &info), 0);
	assert_int_equal(info.sk, 1);
	assert_int_equal(info.flags, NS_SK_FLAG_UP);
	assert_int_equal(info.counter, 42);
	/* no user presence: the signature is still valid, the flag says so */
	n = lib_sk_sign(&k, 0, 43, data, sizeof(data), sig, sizeof(sig));
	assert_int_equal(ns_pubkey_verify(&k.key, NULL, sig, n, data, sizeof(data), &info), 0);
	assert_int_equal(info.flags & NS_SK_FLAG_UP, 0);
	/* flags are signed: flipping them breaks the signature */
	sig[n - 5] |= NS_SK_FLAG_UP;
	assert_int_equal(ns_pubkey_verify(&k.key, NULL, sig, n, data, sizeof(data), &info),
	                 NS_ERR_SIGNATURE);
	assert_int_equal(info.sk, 0);
	/* another application: another signed hash */
	lib_sk_new(&other, type, 3, "ssh:other");
	n = lib_sk_sign(&other, NS_SK_FLAG_UP, 1, data, sizeof(data), sig, sizeof(sig));
	assert_int_equal(ns_pubkey_verify(&k.key, NULL, sig, n, data, sizeof(data), NULL),
	                 NS_ERR_SIGNATURE);
}

static void sk_ed25519(void **state)
{
	(void)state;
	sk_round(NS_PK_SK_ED25519);
}

static void sk_ecdsa(void **state)
{
	(void)state;
	sk_round(NS_PK_SK_ECDSA_P256);
}

static void names(void **state)
{
	ns_str s = {(const uint8_t *)"rsa-sha2-512", 12};

	(void)state;
	assert_string_equal(ns_pubkey_cert_name(NS_PK_RSA), "ssh-rsa-cert-v01@openssh.com");
	assert_true(ns_pubkey_sig_alg_ok(NS_PK_RSA, s));
	assert_false(ns_pubkey_sig_alg_ok(NS_PK_ECDSA_P256, s));
	s.p = (const uint8_t *)"ssh-dss";
	s.len = 7;
	assert_int_equal(ns_pubkey_type_of(s), NS_PK_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ssh_keygen_rsa_2048),
	    cmocka_unit_test(ssh_keygen_rsa_4096),
	    cmocka_unit_test(ssh_keygen_rsa_8192),
	    cmocka_unit_test(ssh_keygen_ecdsa),
	    cmocka_unit_test(ssh_keygen_ed25519),
	    cmocka_unit_test(rsa_sha2_256_cert_signature),
	    cmocka_unit_test(rsa_sha1_refused),
	    cmocka_unit_test(rsa_size_limits),
	    cmocka_unit_test(rsa_too_large),
	    cmocka_unit_test(ecdsa_point_off_curve),
	    cmocka_unit_test(ecdsa_test_signer),
	    cmocka_unit_test(sk_ed25519),
	    cmocka_unit_test(sk_ecdsa),
	    cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
