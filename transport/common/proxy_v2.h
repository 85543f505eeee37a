/* The PROXY protocol version 2 header (HAProxy's doc/proxy-protocol.txt,
 * section 2.2) that a load balancer puts before a connection's first byte
 * to carry the client's address: a 16-byte fixed part, an address block
 * and optional TLVs. Pure parsing, no I/O; the relay decides whom to
 * believe (transport/relay/relay_proxyproto.c). */
#ifndef NS_TRANSPORT_PROXY_V2_H
#define NS_TRANSPORT_PROXY_V2_H

#include <stddef.h>
#include <stdint.h>

#define NS_PROXY_V2_SIG_LEN 12 /* 0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A */
#define NS_PROXY_V2_FIXED 16   /* signature, ver/cmd, fam/proto, length */
/* The whole header we accept, fixed part included. HAProxy's own headers
 * (addresses, a unique id of at most 128 bytes, the SSL TLVs) stay well
 * under; a longer one is refused ("too-long"). */
#define NS_PROXY_V2_MAX 1024
#define NS_PROXY_V2_TLVS_MAX 32  /* TLVs in one header */
#define NS_PROXY_V2_ADDR_TEXT 48 /* an IPv6 address in text, with its NUL */

enum { NS_PROXY_LOCAL = 0, NS_PROXY_PROXY = 1 }; /* the command */
enum { NS_PROXY_AF_UNSPEC = 0, NS_PROXY_AF_INET, NS_PROXY_AF_INET6, NS_PROXY_AF_UNIX };
enum { NS_PROXY_PROTO_UNSPEC = 0, NS_PROXY_PROTO_STREAM, NS_PROXY_PROTO_DGRAM };

typedef struct ns_proxy_v2 {
	int command; /* NS_PROXY_LOCAL or NS_PROXY_PROXY */
	int family;  /* NS_PROXY_AF_* */
	int proto;   /* NS_PROXY_PROTO_* */
	/* PROXY over INET/INET6 only: the addresses (4 or 16 bytes used) and
	 * ports, in host order */
	uint8_t src[16], dst[16];
	uint16_t src_port, dst_port;
	uint32_t ntlv; /* TLVs after the addresses (INET/INET6 PROXY only) */
	size_t len;    /* the whole header: NS_PROXY_V2_FIXED + its length field */
} ns_proxy_v2;

/* Do the first n bytes start like the signature? 1 when n >= 12 and they
 * are the signature, NS_ERR_AGAIN when fewer than 12 all match so far (0
 * bytes included), 0 as soon as one differs. */
int ns_proxy_v2_sniff(const uint8_t *p, size_t n);

/* How long the whole header is, from its first n bytes: 0 with *total set
 * once the fixed part is in (its checks passed), NS_ERR_AGAIN before, else
 * NS_ERR_FORMAT or NS_ERR_TOOBIG with *why naming the fault for the log
 * ("bad-signature", "bad-version", "bad-command", "too-long"). */
int ns_proxy_v2_total(const uint8_t *p, size_t n, size_t *total, const char **why);

/* Parse a whole header (n >= its length; bytes after it are not read): 0
 * with *out filled, NS_ERR_AGAIN when n is short of it, or NS_ERR_FORMAT /
 * NS_ERR_TOOBIG with *why ("bad-signature", "bad-version", "bad-command",
 * "bad-family", "bad-protocol", "short-addresses", "bad-tlv",
 * "too-many-tlvs", "too-long"). LOCAL ignores family and addresses, as
 * the specification asks; an AF_UNIX or UNSPEC PROXY is returned as such
 * (the caller decides), its addresses unread. */
int ns_proxy_v2_parse(const uint8_t *p, size_t n, ns_proxy_v2 *out, const char **why);

/* The source address as text ("192.0.2.7", "2001:db8::1"; an IPv4-mapped
 * IPv6 address as IPv4): 0, or NS_ERR_INVALID when the header carries none
 * (LOCAL, UNSPEC, UNIX) or cap is short. */
int ns_proxy_v2_src_text(const ns_proxy_v2 *h, char *out, size_t cap);

#endif
