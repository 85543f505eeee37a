/* Fuzzes ns_cert_parse and ns_cert_check (fixed policy) twice per input: as
 * is, and with the last 87 bytes (a real certificate's signature field)
 * replaced by a fresh signature of the test CA over the rest, so mutations
 * get past the signature into every field and the policy. Seeds are
 * ssh-keygen certificates signed by that CA (tests/lib_cert.h). */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nullspace/cert.h"
#include "nullspace/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SIG_FIELD (4 + NS_SIG_BLOB_LEN)

/* seed of the test CA key (CA_PUB in tests/lib_cert.h); test only */
static const uint8_t CA_SEED[32] = {
    0x0d, 0xd0, 0x6f, 0x54, 0x85, 0x1f, 0x41, 0x8b, 0xf6, 0x19, 0xd7, 0x02, 0x86, 0x4f, 0xfb, 0xd2,
    0x60, 0xcc, 0x11, 0xf7, 0x5c, 0x87, 0x59, 0xef, 0x77, 0xd9, 0x7c, 0xe9, 0x22, 0xd4, 0x54, 0xd0,
};
static const char REVOKED[] = "# fuzz\nserial: 99-100\nid: revoked\n";
static uint8_t buf[NS_CERT_BLOB_MAX + SIG_FIELD];

static void check(const uint8_t *blob, size_t len, const uint8_t (*ca_pk)[NS_ED25519_PK_LEN])
{
	ns_cert_policy p = {ca_pk,       1,          NS_CERT_USER, "alice",
	                    1704068200u, "10.1.2.3", REVOKED,      sizeof(REVOKED) - 1};
	ns_cert_verdict v;
	ns_cert c;
	int why, rc = ns_cert_parse(blob, len, &c, &why);

	if ((rc == 0) != (why == NS_CERT_OK)) {
		abort();
	}
	if (rc == 0 && ((ns_cert_check(&c, &p, &v) == 0) != (v.reason == NS_CERT_OK) ||
	                ns_cert_reason_name(v.reason) == NULL)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ns_key ca;
	static uint8_t keys[1][NS_ED25519_PK_LEN];
	size_t n;

	if (!ca.has_sk) {
		if (sodium_init() < 0 || crypto_sign_seed_keypair(ca.pk, ca.sk, CA_SEED) != 0) {
			abort();
		}
		ca.has_sk = 1;
		memcpy(keys[0], ca.pk, NS_ED25519_PK_LEN);
	}
	check(data, size, keys);
	if (size >= SIG_FIELD && size - SIG_FIELD <= NS_CERT_BLOB_MAX) {
		n = size - SIG_FIELD;
		memcpy(buf, data, n);
		buf[n] = buf[n + 1] = buf[n + 2] = 0; /* string signature */
		buf[n + 3] = NS_SIG_BLOB_LEN;
		ns_key_sign(&ca, buf, n, buf + n + 4);
		check(buf, n + SIG_FIELD, keys);
	}
	return 0;
}
