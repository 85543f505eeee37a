/* source-address matching: a comma-separated list of IPv4/IPv6 addresses or
 * CIDR blocks, with OpenSSH's rules (no empty entries, no host bits beyond the
 * prefix, no '!' negation), against one textual peer address. IPv4-mapped
 * IPv6 addresses count as IPv4. Pure: inet_pton only, no resolver. */
#include "nullspace/cert.h"

#include <arpa/inet.h>
#include <string.h>

#include "nullspace/error.h"

/* an IPv6 address and "/128" */
#define ENTRY_MAX (INET6_ADDRSTRLEN + 4)
#define PREFIX_DIGITS_MAX 3

typedef struct net {
	int v6;
	uint8_t a[16];
	unsigned bits; /* prefix length */
} net;

static const uint8_t MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* ::ffff:a.b.c.d/96+n -> a.b.c.d/n */
static void unmap(net *x)
{
	if (x->v6 && x->bits >= 96 && memcmp(x->a, MAPPED, sizeof(MAPPED)) == 0) {
		memmove(x->a, x->a + 12, 4);
		memset(x->a + 4, 0, 12);
		x->v6 = 0;
		x->bits -= 96;
	}
}

static int parse_addr(const char *s, net *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->a) == 1) {
		out->bits = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->a) == 1) {
		out->v6 = 1;
		out->bits = 128;
		return 0;
	}
	return NS_ERR_FORMAT;
}

static int bit(const uint8_t *a, unsigned i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

/* OpenSSH refuses 10.0.0.1/8: no bits set past the prefix. */
static int host_bits_zero(const net *x)
{
	unsigned i, len = x->v6 ? 128 : 32;

	for (i = x->bits; i < len; i++) {
		if (bit(x->a, i)) {
			return 0;
		}
	}
	return 1;
}

static int in_net(const net *n, const net *peer)
{
	unsigned i;

	if (n->v6 != peer->v6) {
		return 0;
	}
	for (i = 0; i < n->bits; i++) {
		if (bit(n->a, i) != bit(peer->a, i)) {
			return 0;
		}
	}
	return 1;
}

static int entry_char(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
	       c == '.' || c == ':' || c == '/';
}

/* "addr" or "addr/prefix" */
static int parse_entry(const uint8_t *p, size_t n, net *out)
{
	char buf[ENTRY_MAX + 1];
	char *slash;
	unsigned prefix = 0;
	size_t i, digits;

	if (n == 0 || n > ENTRY_MAX) {
		return NS_ERR_FORMAT;
	}
	for (i = 0; i < n; i++) {
		if (!entry_char(p[i])) {
			return NS_ERR_FORMAT;
		}
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
	if ((slash = strchr(buf, '/')) != NULL) {
		*slash++ = '\0';
		digits = strlen(slash);
		if (digits == 0 || digits > PREFIX_DIGITS_MAX) {
			return NS_ERR_FORMAT;
		}
		for (i = 0; i < digits; i++) {
			if (slash[i] < '0' || slash[i] > '9') {
				return NS_ERR_FORMAT;
			}
			prefix = prefix * 10 + (unsigned)(slash[i] - '0');
		}
	}
	if (parse_addr(buf, out) != 0) {
		return NS_ERR_FORMAT;
	}
	if (slash != NULL) {
		if (prefix > out->bits) {
			return NS_ERR_FORMAT;
		}
		out->bits = prefix;
	}
	if (!host_bits_zero(out)) {
		return NS_ERR_FORMAT;
	}
	unmap(out);
	return 0;
}

int ns_cidr_list_match(ns_str list, const char *addr)
{
	net peer, n;
	size_t i = 0, start;
	int have_peer = 0, found = 0;

	if (addr != NULL && parse_addr(addr, &peer) == 0) {
		unmap(&peer);
		have_peer = 1; /* an unparsable peer address matches nothing */
	}
	if (list.len == 0) {
		return NS_ERR_FORMAT;
	}
	/* the whole list is checked, so a bad entry fails wherever it is */
	for (;;) {
		start = i;
		while (i < list.len && list.p[i] != ',') {
			i++;
		}
		if (parse_entry(list.p + start, i - start, &n) != 0) {
			return NS_ERR_FORMAT;
		}
		found |= have_peer && in_net(&n, &peer);
		if (i == list.len) {
			break;
		}
		i++;
	}
	return found;
}
