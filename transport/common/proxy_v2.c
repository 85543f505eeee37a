/* PROXY protocol v2 header parser (HAProxy's doc/proxy-protocol.txt, 2.2):
 * the fixed 16 bytes, the address block of the family, the TLVs walked to
 * check that each fits. Reads only the bytes the length field covers, so
 * what follows (the SSH stream) is never touched. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "nullspace/error.h"
#include "proxy_v2.h"

static const uint8_t SIG[NS_PROXY_V2_SIG_LEN] = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d,
                                                 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};

#define V4_ADDRS 12 /* 2 * 4 + 2 * 2 */
#define V6_ADDRS 36 /* 2 * 16 + 2 * 2 */
#define TLV_HDR 3   /* type, length (2) */

int ns_proxy_v2_sniff(const uint8_t *p, size_t n)
{
	size_t m = n < NS_PROXY_V2_SIG_LEN ? n : NS_PROXY_V2_SIG_LEN;

	if (memcmp(p, SIG, m) != 0) {
		return 0;
	}
	return n >= NS_PROXY_V2_SIG_LEN ? 1 : NS_ERR_AGAIN;
}

static int fault(const char **why, const char *what, int rc)
{
	*why = what;
	return rc;
}

int ns_proxy_v2_total(const uint8_t *p, size_t n, size_t *total, const char **why)
{
	size_t len;

	*total = 0;
	*why = "";
	if (n < NS_PROXY_V2_FIXED) {
		return ns_proxy_v2_sniff(p, n) == 0 ? fault(why, "bad-signature", NS_ERR_FORMAT)
		                                    : NS_ERR_AGAIN;
	}
	if (memcmp(p, SIG, sizeof(SIG)) != 0) { /* 12 bytes: the signature */
		return fault(why, "bad-signature", NS_ERR_FORMAT);
	}
	if ((p[12] >> 4) != 2) { /* byte 13, high nibble: the version */
		return fault(why, "bad-version", NS_ERR_FORMAT);
	}
	if ((p[12] & 0x0f) > NS_PROXY_PROXY) { /* low nibble: the command */
		return fault(why, "bad-command", NS_ERR_FORMAT);
	}
	len = (size_t)p[14] << 8 | p[15]; /* bytes 15-16: the rest's length */
	if (NS_PROXY_V2_FIXED + len > NS_PROXY_V2_MAX) {
		return fault(why, "too-long", NS_ERR_TOOBIG);
	}
	*total = NS_PROXY_V2_FIXED + len;
	return 0;
}

/* The TLVs in p..p+n: each type (1), length (2), value; all must fit. */
static int walk_tlvs(const uint8_t *p, size_t n, uint32_t *count, const char **why)
{
	size_t off = 0, vlen;

	*count = 0;
	while (off < n) {
		if (n - off < TLV_HDR) {
			return fault(why, "bad-tlv", NS_ERR_FORMAT);
		}
		vlen =
		    (size_t)p[off + 1] << 8 | p[off + 2]; /* type at p[off] is not ours to judge */
		if (vlen > n - off - TLV_HDR) {
			return fault(why, "bad-tlv", NS_ERR_FORMAT);
		}
		if (++*count > NS_PROXY_V2_TLVS_MAX) {
			return fault(why, "too-many-tlvs", NS_ERR_TOOBIG);
		}
		off += TLV_HDR + vlen;
	}
	return 0;
}

/* The address block of an INET or INET6 PROXY header and its TLVs. */
static int addresses(const uint8_t *a, size_t n, ns_proxy_v2 *out, const char **why)
{
	size_t alen = out->family == NS_PROXY_AF_INET ? 4 : 16;
	size_t need = out->family == NS_PROXY_AF_INET ? V4_ADDRS : V6_ADDRS;

	if (n < need) {
		return fault(why, "short-addresses", NS_ERR_FORMAT);
	}
	memcpy(out->src, a, alen);                                      /* source address */
	memcpy(out->dst, a + alen, alen);                               /* destination address */
	out->src_port = (uint16_t)(a[2 * alen] << 8 | a[2 * alen + 1]); /* source port */
	out->dst_port = (uint16_t)(a[2 * alen + 2] << 8 | a[2 * alen + 3]); /* destination port */
	return walk_tlvs(a + need, n - need, &out->ntlv, why);
}

int ns_proxy_v2_parse(const uint8_t *p, size_t n, ns_proxy_v2 *out, const char **why)
{
	size_t total;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = ns_proxy_v2_total(p, n, &total, why)) != 0) {
		return rc;
	}
	if (n < total) {
		return NS_ERR_AGAIN;
	}
	out->len = total;
	out->command = p[12] & 0x0f;
	out->family = p[13] >> 4;  /* byte 14, high nibble: address family */
	out->proto = p[13] & 0x0f; /* low nibble: transport protocol */
	if (out->family > NS_PROXY_AF_UNIX) {
		return fault(why, "bad-family", NS_ERR_FORMAT);
	}
	if (out->proto > NS_PROXY_PROTO_DGRAM) {
		return fault(why, "bad-protocol", NS_ERR_FORMAT);
	}
	if (out->command == NS_PROXY_LOCAL) {
		return 0; /* "discard the protocol block including the family" */
	}
	if (out->family != NS_PROXY_AF_INET && out->family != NS_PROXY_AF_INET6) {
		return 0; /* UNSPEC or UNIX: nothing we read; the caller decides */
	}
	return addresses(p + NS_PROXY_V2_FIXED, total - NS_PROXY_V2_FIXED, out, why);
}

int ns_proxy_v2_src_text(const ns_proxy_v2 *h, char *out, size_t cap)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char ip[NS_PROXY_V2_ADDR_TEXT];
	const void *a = h->src;
	int af = AF_INET6;

	if (cap > 0) {
		out[0] = '\0';
	}
	if (h->command != NS_PROXY_PROXY ||
	    (h->family != NS_PROXY_AF_INET && h->family != NS_PROXY_AF_INET6)) {
		return NS_ERR_INVALID;
	}
	if (h->family == NS_PROXY_AF_INET) {
		af = AF_INET;
	} else if (memcmp(h->src, mapped, sizeof(mapped)) == 0) {
		af = AF_INET; /* ::ffff:a.b.c.d is a.b.c.d, as the relay's own peer names */
		a = h->src + 12;
	}
	if (inet_ntop(af, a, ip, sizeof(ip)) == NULL || strlen(ip) >= cap) {
		return NS_ERR_INVALID;
	}
	memcpy(out, ip, strlen(ip) + 1);
	return 0;
}
