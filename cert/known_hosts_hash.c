/* Hashed known_hosts names, as `ssh-keygen -H` and HashKnownHosts write them
 * (OpenSSH hostfile.c host_hash): "|1|" base64(salt) "|" base64(HMAC-SHA1
 * keyed with the 20-byte salt over "host" or "[host]:port"). SHA-1 is not in
 * libsodium, so the HMAC is BearSSL's. */
#include "nullspace/known_hosts.h"

#include <bearssl.h>
#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "random.h"

#define MAGIC "|1|"
#define MAGIC_LEN (sizeof(MAGIC) - 1)
#define B64_LEN 28 /* base64 of 20 bytes, padded */

static void hmac_sha1(const uint8_t salt[NS_KNOWN_HOSTS_SALT_LEN], const char *name, size_t len,
                      uint8_t out[NS_KNOWN_HOSTS_HASH_LEN])
{
	br_hmac_key_context kc;
	br_hmac_context hc;

	br_hmac_key_init(&kc, &br_sha1_vtable, salt, NS_KNOWN_HOSTS_SALT_LEN);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, name, len);
	br_hmac_out(&hc, out);
}

int ns_known_hosts_hash_name(const char *name, size_t len, const uint8_t *salt,
                             char out[NS_KNOWN_HOSTS_HASHED_MAX])
{
	uint8_t s[NS_KNOWN_HOSTS_SALT_LEN], h[NS_KNOWN_HOSTS_HASH_LEN];
	char *p = out;

	out[0] = '\0';
	if (name == NULL || len == 0) {
		return NS_ERR_INVALID;
	}
	if (salt != NULL) {
		memcpy(s, salt, sizeof(s));
	} else {
		ns_random_default(NULL, s, sizeof(s));
	}
	hmac_sha1(s, name, len, h);
	memcpy(p, MAGIC, MAGIC_LEN);
	p += MAGIC_LEN;
	sodium_bin2base64(p, B64_LEN + 1, s, sizeof(s), sodium_base64_VARIANT_ORIGINAL);
	p += B64_LEN;
	*p++ = '|';
	sodium_bin2base64(p, B64_LEN + 1, h, sizeof(h), sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

/* Exactly want bytes of padded base64 in s (canonical: libsodium refuses
 * stray bits), so that comparing bytes is comparing OpenSSH's strings. */
static int b64_exact(const char *s, size_t n, uint8_t *out, size_t want)
{
	size_t got = 0;

	return sodium_base642bin(out, want, s, n, NULL, &got, NULL,
	                         sodium_base64_VARIANT_ORIGINAL) == 0 &&
	       got == want;
}

int ns_known_hosts_hash_match(const char *pattern, size_t plen, const char *name, size_t nlen)
{
	uint8_t salt[NS_KNOWN_HOSTS_SALT_LEN], want[NS_KNOWN_HOSTS_HASH_LEN],
	    got[NS_KNOWN_HOSTS_HASH_LEN];
	const char *bar;

	if (plen < MAGIC_LEN || memcmp(pattern, MAGIC, MAGIC_LEN) != 0) {
		return 0;
	}
	pattern += MAGIC_LEN;
	plen -= MAGIC_LEN;
	if ((bar = memchr(pattern, '|', plen)) == NULL ||
	    !b64_exact(pattern, (size_t)(bar - pattern), salt, sizeof(salt)) ||
	    !b64_exact(bar + 1, plen - (size_t)(bar - pattern) - 1, want, sizeof(want))) {
		return 0;
	}
	hmac_sha1(salt, name, nlen, got);
	return sodium_memcmp(got, want, sizeof(got)) == 0;
}
