/* rsa-sha2-256 / rsa-sha2-512 (RFC 8332): RSASSA-PKCS1-v1_5 verification.
 * The public operation s^e mod n is done here with Montgomery multiplication
 * on 32-bit limbs, because BearSSL's RSA stops at 4096 bits and we take
 * moduli up to NS_RSA_BITS_MAX; everything it touches is public, so it need
 * not be constant-time. The result is compared with the whole expected
 * encoding (00 01 FF.. 00 DigestInfo H), never parsed. */
#include <sodium.h>
#include <string.h>

#include "nullspace/error.h"
#include "sig.h"

#define LIMBS_MAX (NS_RSA_BITS_MAX / 32)
#define MOD_BYTES_MAX (NS_RSA_BITS_MAX / 8)

static const uint8_t di_sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
static const uint8_t di_sha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

typedef struct mont {
	uint32_t n[LIMBS_MAX];
	uint32_t n0inv; /* -n^-1 mod 2^32 */
	size_t L;
} mont;

size_t ns_sig_rsa_bits(ns_str n)
{
	size_t bits;
	uint8_t top;

	while (n.len > 0 && n.p[0] == 0) {
		n.p++;
		n.len--;
	}
	if (n.len == 0) {
		return 0;
	}
	for (bits = (n.len - 1) * 8, top = n.p[0]; top; top >>= 1) {
		bits++;
	}
	return bits;
}

/* big-endian bytes into L little-endian limbs (zero-extended) */
static void from_bytes(uint32_t *a, size_t L, const uint8_t *p, size_t len)
{
	size_t i;

	memset(a, 0, L * sizeof(*a));
	for (i = 0; i < len; i++) {
		a[i / 4] |= (uint32_t)p[len - 1 - i] << (8 * (i % 4));
	}
}

static void to_bytes(const uint32_t *a, uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		p[len - 1 - i] = (uint8_t)(a[i / 4] >> (8 * (i % 4)));
	}
}

/* a >= b */
static int geq(const uint32_t *a, const uint32_t *b, size_t L)
{
	size_t i = L;

	while (i-- > 0) {
		if (a[i] != b[i]) {
			return a[i] > b[i];
		}
	}
	return 1;
}

static void sub(uint32_t *a, const uint32_t *b, size_t L)
{
	uint64_t borrow = 0, d;
	size_t i;

	for (i = 0; i < L; i++) {
		d = (uint64_t)a[i] - b[i] - borrow;
		a[i] = (uint32_t)d;
		borrow = (d >> 32) & 1;
	}
}

/* out = a * b / R mod n (CIOS); a, b < n; out may alias a or b */
static void mont_mul(const mont *m, uint32_t *out, const uint32_t *a, const uint32_t *b)
{
	uint32_t t[LIMBS_MAX + 2];
	uint64_t c, s;
	uint32_t q;
	size_t i, j, L = m->L;

	memset(t, 0, (L + 2) * sizeof(*t));
	for (i = 0; i < L; i++) {
		for (c = 0, j = 0; j < L; j++) {
			s = (uint64_t)t[j] + (uint64_t)a[j] * b[i] + c;
			t[j] = (uint32_t)s;
			c = s >> 32;
		}
		s = (uint64_t)t[L] + c;
		t[L] = (uint32_t)s;
		t[L + 1] = (uint32_t)(s >> 32);
		q = t[0] * m->n0inv;
		c = ((uint64_t)t[0] + (uint64_t)q * m->n[0]) >> 32;
		for (j = 1; j < L; j++) {
			s = (uint64_t)t[j] + (uint64_t)q * m->n[j] + c;
			t[j - 1] = (uint32_t)s;
			c = s >> 32;
		}
		s = (uint64_t)t[L] + c;
		t[L - 1] = (uint32_t)s;
		t[L] = t[L + 1] + (uint32_t)(s >> 32);
	}
	if (t[L] != 0 || geq(t, m->n, L)) {
		sub(t, m->n, L);
	}
	memcpy(out, t, L * sizeof(*out));
}

/* x = 2x mod n, x < n */
static void double_mod(const mont *m, uint32_t *x)
{
	uint32_t top = x[m->L - 1] >> 31;
	size_t i;

	for (i = m->L - 1; i > 0; i--) {
		x[i] = (x[i] << 1) | (x[i - 1] >> 31);
	}
	x[0] <<= 1;
	if (top || geq(x, m->n, m->L)) {
		sub(x, m->n, m->L);
	}
}

/* R^2 mod n, R = 2^(32L). Powers of two only: mont_mul(2^a, 2^a) = 2^(2a - 32L),
 * so from 2^(32L + 1) (a few doublings of 2^(bits-1), which is < n) the
 * exponent 32L + k goes to 32L + 2k by a squaring and to 32L + k + 1 by a
 * doubling: k climbs to 32L along its binary digits. */
static void r_squared(const mont *m, uint32_t *r2, size_t bits)
{
	size_t target = 32 * m->L, e, k;
	int b;

	memset(r2, 0, m->L * sizeof(*r2));
	r2[(bits - 1) / 32] = (uint32_t)1 << ((bits - 1) % 32);
	for (e = bits - 1; e < target + 1; e++) {
		double_mod(m, r2);
	}
	for (b = 63; b >= 0 && !((target >> b) & 1); b--) {
	}
	for (k = 1; --b >= 0;) {
		mont_mul(m, r2, r2, r2);
		k *= 2;
		if ((target >> b) & 1) {
			double_mod(m, r2);
			k++;
		}
	}
	(void)k; /* k == target: r2 = 2^(32L + 32L) mod n */
}

/* x = s^e mod n, s < n */
static void modpow(const mont *m, uint32_t *x, ns_str e, size_t bits)
{
	uint32_t base[LIMBS_MAX], r2[LIMBS_MAX], one[LIMBS_MAX];
	uint64_t ev = 0;
	int bit;
	size_t i;

	for (i = 0; i < e.len; i++) {
		ev = (ev << 8) | e.p[i];
	}
	r_squared(m, r2, bits);
	mont_mul(m, base, x, r2); /* s * R mod n */
	memcpy(x, base, m->L * sizeof(*x));
	for (bit = 63; bit >= 0 && !((ev >> bit) & 1); bit--) {
	}
	while (--bit >= 0) {
		mont_mul(m, x, x, x);
		if ((ev >> bit) & 1) {
			mont_mul(m, x, x, base);
		}
	}
	memset(one, 0, m->L * sizeof(*one));
	one[0] = 1;
	mont_mul(m, x, x, one);
}

static void mont_init(mont *m, ns_str n)
{
	uint32_t x;
	int i;

	m->L = (n.len + 3) / 4;
	from_bytes(m->n, m->L, n.p, n.len);
	for (x = m->n[0], i = 0; i < 5; i++) {
		x *= 2 - m->n[0] * x; /* Newton: correct to 3, 6, 12, 24, 48 bits */
	}
	m->n0inv = (uint32_t)0 - x;
}

/* 00 01 FF..FF 00 DigestInfo H, k bytes */
static int expected(uint8_t *em, size_t k, int sha512, const uint8_t *msg, size_t len)
{
	const uint8_t *di = sha512 ? di_sha512 : di_sha256;
	size_t dilen = sha512 ? sizeof(di_sha512) : sizeof(di_sha256);
	size_t hlen = sha512 ? crypto_hash_sha512_BYTES : crypto_hash_sha256_BYTES;

	if (k < 3 + 8 + dilen + hlen) {
		return NS_ERR_FORMAT;
	}
	em[0] = 0x00;
	em[1] = 0x01;
	memset(em + 2, 0xff, k - 3 - dilen - hlen);
	em[k - 1 - dilen - hlen] = 0x00;
	memcpy(em + k - dilen - hlen, di, dilen);
	if (sha512) {
		crypto_hash_sha512(em + k - hlen, msg, len);
	} else {
		crypto_hash_sha256(em + k - hlen, msg, len);
	}
	return 0;
}

int ns_sig_rsa_verify(ns_str e, ns_str n, int sha512, ns_str sig, const uint8_t *msg, size_t len)
{
	uint8_t em[MOD_BYTES_MAX], got[MOD_BYTES_MAX];
	uint32_t x[LIMBS_MAX];
	mont m;
	size_t k = n.len;

	/* OpenSSH takes a signature shorter than the modulus (left-padded) */
	if (k == 0 || k > MOD_BYTES_MAX || sig.len > k || sig.len == 0 || e.len > 8) {
		return NS_ERR_FORMAT;
	}
	if (expected(em, k, sha512, msg, len) != 0) {
		return NS_ERR_FORMAT;
	}
	mont_init(&m, n);
	from_bytes(x, m.L, sig.p, sig.len);
	if (geq(x, m.n, m.L)) {
		return NS_ERR_SIGNATURE; /* s >= n */
	}
	modpow(&m, x, e, ns_sig_rsa_bits(n));
	to_bytes(x, got, k);
	return sodium_memcmp(got, em, k) == 0 ? 0 : NS_ERR_SIGNATURE;
}
