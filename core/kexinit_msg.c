/* The words of a failed algorithm negotiation: which list found no common
 * name, and both sides' lists (the peer's are printable ASCII, checked by
 * ns_kexinit_parse), so that a user can see what the other side offered. */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"
#include "kexinit.h"

static const char *what(int which)
{
	switch (which) {
	case NS_KI_KEX: return "no matching key exchange method found";
	case NS_KI_HOSTKEY: return "no matching host key type found";
	case NS_KI_ENC_CS:
	case NS_KI_ENC_SC: return "no matching cipher found";
	case NS_KI_MAC_CS:
	case NS_KI_MAC_SC: return "no matching MAC found";
	default: return "no matching compression method found";
	}
}

/* "%.*s" with the list cut to NS_KEX_FAIL_LIST_MAX bytes. */
static int list_len(ns_str l)
{
	return (int)(l.len > NS_KEX_FAIL_LIST_MAX ? NS_KEX_FAIL_LIST_MAX : l.len);
}

void ns_kexinit_nomatch(int role, int which, const ns_kexinit *mine, const ns_kexinit *peer,
                        char *out, size_t cap)
{
	const ns_kexinit *c = role == NS_ROLE_CLIENT ? mine : peer;
	const ns_kexinit *s = role == NS_ROLE_CLIENT ? peer : mine;
	ns_str cl, sl;

	if (which < 0 || which >= NS_KI_NLISTS) {
		which = NS_KI_COMP_CS;
	}
	cl = c->list[which];
	sl = s->list[which];
	if (cl.p == NULL) {
		cl.p = (const uint8_t *)"";
	}
	if (sl.p == NULL) {
		sl.p = (const uint8_t *)"";
	}
	snprintf(out, cap, "%s: client %.*s%s server %.*s%s", what(which), list_len(cl),
	         (const char *)cl.p, cl.len > NS_KEX_FAIL_LIST_MAX ? "..." : "", list_len(sl),
	         (const char *)sl.p, sl.len > NS_KEX_FAIL_LIST_MAX ? "..." : "");
}
