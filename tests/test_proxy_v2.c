/* Tests for transport/common/proxy_v2.c with hand-built headers: IPv4,
 * IPv6 (and IPv4-mapped), LOCAL, UNSPEC, TLVs, and each refusal (bad
 * signature, version, command, family, protocol, short addresses, a TLV
 * that overruns, too many TLVs, too long); every prefix is incomplete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nullspace/error.h"
#include "proxy_v2.h"

static const uint8_t SIG[12] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

/* signature, ver_cmd, fam, then body (n bytes) with its length. */
static size_t hdr(uint8_t *out, uint8_t ver_cmd, uint8_t fam, const uint8_t *body, size_t n)
{
	memcpy(out, SIG, 12);
	out[12] = ver_cmd;
	out[13] = fam;
	out[14] = (uint8_t)(n >> 8);
	out[15] = (uint8_t)n;
	if (n > 0) {
		memcpy(out + 16, body, n);
	}
	return 16 + n;
}

/* 192.0.2.7:50000 -> 10.0.0.1:2222 */
static const uint8_t V4[12] = {192, 0, 2, 7, 10, 0, 0, 1, 0xc3, 0x50, 0x08, 0xae};

static void expect_fault(const uint8_t *p, size_t n, int rc, const char *why)
{
	const char *w = NULL;
	ns_proxy_v2 h;

	assert_int_equal(ns_proxy_v2_parse(p, n, &h, &w), rc);
	assert_string_equal(w, why);
}

static void test_ipv4(void **state)
{
	uint8_t b[64], extra[80];
	const char *why = NULL;
	char text[NS_PROXY_V2_ADDR_TEXT];
	ns_proxy_v2 h;
	size_t n = hdr(b, 0x21, 0x11, V4, sizeof(V4)), i, total;

	(void)state;
	assert_int_equal(ns_proxy_v2_parse(b, n, &h, &why), 0);
	assert_int_equal(h.command, NS_PROXY_PROXY);
	assert_int_equal(h.family, NS_PROXY_AF_INET);
	assert_int_equal(h.proto, NS_PROXY_PROTO_STREAM);
	assert_int_equal(h.len, 28);
	assert_int_equal(h.src_port, 50000);
	assert_int_equal(h.dst_port, 2222);
	assert_int_equal(h.ntlv, 0);
	assert_int_equal(ns_proxy_v2_src_text(&h, text, sizeof(text)), 0);
	assert_string_equal(text, "192.0.2.7");
	assert_int_equal(ns_proxy_v2_src_text(&h, text, 9), NS_ERR_INVALID); /* no room */
	/* every prefix wants more; the total is known from 16 bytes on */
	for (i = 0; i < n; i++) {
		assert_int_equal(ns_proxy_v2_parse(b, i, &h, &why), NS_ERR_AGAIN);
		assert_int_equal(ns_proxy_v2_total(b, i, &total, &why), i < 16 ? NS_ERR_AGAIN : 0);
	}
	assert_int_equal(total, 28);
	/* bytes after the header (the SSH stream) are not its business */
	memcpy(extra, b, n);
	memcpy(extra + n, "SSH-2.0-x\r\n", 11);
	assert_int_equal(ns_proxy_v2_parse(extra, n + 11, &h, &why), 0);
	assert_int_equal(h.len, 28);
}

static void test_ipv6(void **state)
{
	uint8_t body[36], b[64];
	const char *why = NULL;
	char text[NS_PROXY_V2_ADDR_TEXT];
	ns_proxy_v2 h;
	size_t n;

	(void)state;
	memset(body, 0, sizeof(body));
	body[0] = 0x20; /* 2001:db8::1 */
	body[1] = 0x01;
	body[2] = 0x0d;
	body[3] = 0xb8;
	body[15] = 1;
	body[31] = 2; /* ::2 */
	body[32] = 0x01;
	body[33] = 0x02;
	body[34] = 0x00;
	body[35] = 0x16;
	n = hdr(b, 0x21, 0x21, body, sizeof(body));
	assert_int_equal(ns_proxy_v2_parse(b, n, &h, &why), 0);
	assert_int_equal(h.family, NS_PROXY_AF_INET6);
	assert_int_equal(h.src_port, 258);
	assert_int_equal(h.dst_port, 22);
	assert_int_equal(ns_proxy_v2_src_text(&h, text, sizeof(text)), 0);
	assert_string_equal(text, "2001:db8::1");
	/* ::ffff:198.51.100.9 reads as the IPv4 address */
	memset(body, 0, 16);
	body[10] = body[11] = 0xff;
	body[12] = 198;
	body[13] = 51;
	body[14] = 100;
	body[15] = 9;
	n = hdr(b, 0x21, 0x21, body, sizeof(body));
	assert_int_equal(ns_proxy_v2_parse(b, n, &h, &why), 0);
	assert_int_equal(ns_proxy_v2_src_text(&h, text, sizeof(text)), 0);
	assert_string_equal(text, "198.51.100.9");
	/* 35 bytes of addresses: short */
	n = hdr(b, 0x21, 0x21, body, 35);
	expect_fault(b, n, NS_ERR_FORMAT, "short-addresses");
}

static void test_local_unspec(void **state)
{
	uint8_t b[64];
	const char *why = NULL;
	char text[NS_PROXY_V2_ADDR_TEXT];
	ns_proxy_v2 h;
	size_t n;

	(void)state;
	/* LOCAL, UNSPEC, no addresses: HAProxy's health check */
	n = hdr(b, 0x20, 0x00, NULL, 0);
	assert_int_equal(ns_proxy_v2_parse(b, n, &h, &why), 0);
	assert_int_equal(h.command, NS_PROXY_LOCAL);
	assert_int_equal(h.len, 16);
	assert_int_equal(ns_proxy_v2_src_text(&h, text, sizeof(text)), NS_ERR_INVALID);
	/* LOCAL with a family and addresses: skipped, not read */
	n = hdr(b, 0x20, 0x11, V4, 5);
	assert_int_equal(ns_proxy_v2_parse(b, n, &h, &why), 0);
	assert_int_equal(h.len, 21);
	/* PROXY over UNSPEC: parsed, no source; the relay refuses it */
	n = hdr(b, 0x21, 0x00, V4, 4);
	assert_int_equal(ns_proxy_v2_parse(b, n, &h, &why), 0);
	assert_int_equal(h.family, NS_PROXY_AF_UNSPEC);
	assert_int_equal(ns_proxy_v2_src_text(&h, text, sizeof(text)), NS_ERR_INVALID);
	/* AF_UNIX stream likewise */
	n = hdr(b, 0x21, 0x31, NULL, 0);
	assert_int_equal(ns_proxy_v2_parse(b, n, &h, &why), 0);
	assert_int_equal(h.family, NS_PROXY_AF_UNIX);
}

static void test_tlvs(void **state)
{
	uint8_t body[128], b[160];
	const char *why = NULL;
	ns_proxy_v2 h;
	size_t n, k = sizeof(V4);

	(void)state;
	memcpy(body, V4, k);
	/* PP2_TYPE_ALPN "h2", PP2_TYPE_NOOP of 0 bytes, PP2_TYPE_UNIQUE_ID of 4 */
	memcpy(body + k,
	       "\x01\x00\x02h2\x04\x00\x00\x05\x00\x04"
	       "abcd",
	       15);
	n = hdr(b, 0x21, 0x11, body, k + 15);
	assert_int_equal(ns_proxy_v2_parse(b, n, &h, &why), 0);
	assert_int_equal(h.ntlv, 3);
	assert_int_equal(h.len, 16 + k + 15);
	/* the last TLV's value overruns the header by one byte */
	body[k + 9] = 5;
	n = hdr(b, 0x21, 0x11, body, k + 15);
	expect_fault(b, n, NS_ERR_FORMAT, "bad-tlv");
	/* two bytes left after the addresses: no room for a TLV's head */
	n = hdr(b, 0x21, 0x11, body, k + 2);
	expect_fault(b, n, NS_ERR_FORMAT, "bad-tlv");
	/* 33 empty NOOPs */
	memset(body + k, 0, 99);
	for (n = 0; n < 33; n++) {
		body[k + 3 * n] = 0x04;
	}
	n = hdr(b, 0x21, 0x11, body, k + 99);
	expect_fault(b, n, NS_ERR_TOOBIG, "too-many-tlvs");
	n = hdr(b, 0x21, 0x11, body, k + 96); /* 32: fine */
	assert_int_equal(ns_proxy_v2_parse(b, n, &h, &why), 0);
	assert_int_equal(h.ntlv, 32);
}

static void test_refusals(void **state)
{
	uint8_t b[64];
	size_t total, n;
	const char *why = NULL;

	(void)state;
	n = hdr(b, 0x11, 0x11, V4, 12); /* version 1 in the binary form */
	expect_fault(b, n, NS_ERR_FORMAT, "bad-version");
	n = hdr(b, 0x31, 0x11, V4, 12);
	expect_fault(b, n, NS_ERR_FORMAT, "bad-version");
	n = hdr(b, 0x22, 0x11, V4, 12); /* command 2 is unassigned */
	expect_fault(b, n, NS_ERR_FORMAT, "bad-command");
	n = hdr(b, 0x21, 0x41, V4, 12); /* family 4 */
	expect_fault(b, n, NS_ERR_FORMAT, "bad-family");
	n = hdr(b, 0x21, 0x13, V4, 12); /* protocol 3 */
	expect_fault(b, n, NS_ERR_FORMAT, "bad-protocol");
	n = hdr(b, 0x21, 0x11, V4, 11); /* an IPv4 block of 11 bytes */
	expect_fault(b, n, NS_ERR_FORMAT, "short-addresses");
	n = hdr(b, 0x21, 0x11, V4, 12);
	b[4] = 0x01; /* the NUL of the signature */
	expect_fault(b, n, NS_ERR_FORMAT, "bad-signature");
	/* the signature is judged byte by byte, before 16 are in */
	assert_int_equal(ns_proxy_v2_total((const uint8_t *)"SSH-2.0-", 8, &total, &why),
	                 NS_ERR_FORMAT);
	assert_string_equal(why, "bad-signature");
	/* a length that takes the header past NS_PROXY_V2_MAX, known at 16 bytes */
	hdr(b, 0x21, 0x11, NULL, 0);
	b[14] = (NS_PROXY_V2_MAX - 16 + 1) >> 8;
	b[15] = (uint8_t)(NS_PROXY_V2_MAX - 16 + 1);
	assert_int_equal(ns_proxy_v2_total(b, 16, &total, &why), NS_ERR_TOOBIG);
	assert_string_equal(why, "too-long");
	b[14] = 0xff;
	b[15] = 0xff;
	expect_fault(b, 16, NS_ERR_TOOBIG, "too-long");
	b[14] = (NS_PROXY_V2_MAX - 16) >> 8;
	b[15] = (uint8_t)(NS_PROXY_V2_MAX - 16);
	assert_int_equal(ns_proxy_v2_total(b, 16, &total, &why), 0);
	assert_int_equal(total, NS_PROXY_V2_MAX);
}

static void test_sniff(void **state)
{
	uint8_t b[32];

	(void)state;
	hdr(b, 0x21, 0x11, V4, 12);
	assert_int_equal(ns_proxy_v2_sniff(b, 0), NS_ERR_AGAIN);
	assert_int_equal(ns_proxy_v2_sniff(b, 5), NS_ERR_AGAIN);
	assert_int_equal(ns_proxy_v2_sniff(b, 12), 1);
	assert_int_equal(ns_proxy_v2_sniff(b, 28), 1);
	assert_int_equal(ns_proxy_v2_sniff((const uint8_t *)"SSH-2.0-OpenSSH", 15), 0);
	assert_int_equal(ns_proxy_v2_sniff((const uint8_t *)"\r\n\r\nX", 5), 0);
	assert_int_equal(ns_proxy_v2_sniff((const uint8_t *)"GET / HTTP/1.1", 14), 0);
	assert_int_equal(ns_proxy_v2_sniff((const uint8_t *)"PROXY TCP4 ", 11), 0); /* v1 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4),         cmocka_unit_test(test_ipv6),
	    cmocka_unit_test(test_local_unspec), cmocka_unit_test(test_tlvs),
	    cmocka_unit_test(test_refusals),     cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
