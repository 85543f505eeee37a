/* KEXINIT: our algorithm lists, the parser for the peer's message and the
 * client-preference negotiation of RFC 4253 7.1, including the strict-kex and
 * ext-info markers that appear only in the first exchange. */
#include "kexinit.h"

#include <sodium.h>
#include <string.h>

#include "engine_int.h"

#define KEX_ALGS "curve25519-sha256,curve25519-sha256@libssh.org"
#define HOSTKEY_ALGS "ssh-ed25519"
/* Never used: the only cipher is an AEAD, whose tag replaces the MAC. Listed
 * so that peers which insist on a common MAC name still agree. */
#define MAC_ALGS "hmac-sha2-256-etm@openssh.com,hmac-sha2-256"

int ns_kexinit_build(int role, int first, int certs, ns_buf *out)
{
	uint8_t cookie[16];
	char kex[256];

	randombytes_buf(cookie, sizeof(cookie));
	strcpy(kex, KEX_ALGS);
	if (first) {
		strcat(kex, role == NS_ROLE_CLIENT ? "," NS_EXT_INFO_C "," NS_KEX_STRICT_C
		                                   : "," NS_KEX_STRICT_S);
	}
	ns_wr_u8(out, SSH_MSG_KEXINIT);
	ns_wr_bytes(out, cookie, sizeof(cookie)); /* cookie */
	ns_wr_cstr(out, kex);                     /* kex_algorithms */
	ns_wr_cstr(out, certs ? NS_HOSTKEY_CERT "," HOSTKEY_ALGS
	                      : HOSTKEY_ALGS); /* server_host_key_algorithms */
	ns_wr_cstr(out, NS_CIPHER_CHACHA);     /* encryption c->s */
	ns_wr_cstr(out, NS_CIPHER_CHACHA);     /* encryption s->c */
	ns_wr_cstr(out, MAC_ALGS);             /* mac c->s */
	ns_wr_cstr(out, MAC_ALGS);             /* mac s->c */
	ns_wr_cstr(out, "none");               /* compression c->s */
	ns_wr_cstr(out, "none");               /* compression s->c */
	ns_wr_cstr(out, "");                   /* languages c->s */
	ns_wr_cstr(out, "");                   /* languages s->c */
	ns_wr_bool(out, 0);                    /* first_kex_packet_follows */
	return ns_wr_u32(out, 0);              /* reserved */
}

int ns_kexinit_parse(const uint8_t *p, size_t len, ns_kexinit *ki)
{
	ns_rd r;
	uint8_t type;
	uint32_t reserved;
	int i;

	memset(ki, 0, sizeof(*ki));
	ns_rd_init(&r, p, len);
	ns_rd_u8(&r, &type); /* SSH_MSG_KEXINIT */
	if (r.err == 0 && type != SSH_MSG_KEXINIT) {
		return NS_ERR_FORMAT;
	}
	ns_rd_bytes(&r, 16, &ki->cookie); /* cookie */
	for (i = 0; i < NS_KI_NLISTS; i++) {
		/* kex, host key, enc x2, mac x2, compression x2, languages x2 */
		ns_rd_string_max(&r, NS_NAMELIST_MAX, &ki->list[i]);
	}
	ns_rd_bool(&r, &ki->first_kex_follows); /* first_kex_packet_follows */
	ns_rd_u32(&r, &reserved);               /* reserved */
	for (i = 0; r.err == 0 && i < NS_KI_NLISTS; i++) {
		size_t j;

		for (j = 0; j < ki->list[i].len; j++) {
			uint8_t c = ki->list[i].p[j];

			if (c < 0x21 || c > 0x7e) {
				return NS_ERR_FORMAT;
			}
		}
	}
	return ns_rd_end(&r);
}

/* First name of client list that the server list also has. */
static int choose(ns_str client, ns_str server, ns_str *out)
{
	size_t i = 0, start;
	char name[NS_NAME_MAX + 1];

	while (i < client.len) {
		start = i;
		while (i < client.len && client.p[i] != ',') {
			i++;
		}
		if (i - start > 0 && i - start <= NS_NAME_MAX) {
			memcpy(name, client.p + start, i - start);
			name[i - start] = '\0';
			if (ns_namelist_has(server, name)) {
				out->p = client.p + start;
				out->len = i - start;
				return 0;
			}
		}
		i++;
	}
	return NS_ERR_NOMATCH;
}

static int first_name_is(ns_str list, ns_str name)
{
	size_t n = 0;

	while (n < list.len && list.p[n] != ',') {
		n++;
	}
	return n == name.len && memcmp(list.p, name.p, n) == 0;
}

int ns_kexinit_negotiate(int role, int first, const ns_kexinit *mine, const ns_kexinit *peer,
                         ns_kex_result *res, int *which)
{
	const ns_kexinit *c = role == NS_ROLE_CLIENT ? mine : peer;
	const ns_kexinit *s = role == NS_ROLE_CLIENT ? peer : mine;
	static const int needed[] = {NS_KI_KEX,    NS_KI_HOSTKEY, NS_KI_ENC_CS,
	                             NS_KI_ENC_SC, NS_KI_COMP_CS, NS_KI_COMP_SC};
	ns_str chosen[NS_KI_NLISTS];
	size_t i;

	memset(res, 0, sizeof(*res));
	memset(chosen, 0, sizeof(chosen));
	*which = -1;
	for (i = 0; i < sizeof(needed) / sizeof(needed[0]); i++) {
		if (choose(c->list[needed[i]], s->list[needed[i]], &chosen[needed[i]]) != 0) {
			*which = needed[i];
			return NS_ERR_NOMATCH;
		}
	}
	/* Our lists hold only what we implement, so any match is ours. */
	if (ns_str_copy(chosen[NS_KI_KEX], res->kex, sizeof(res->kex)) != 0) {
		return NS_ERR_NOMATCH;
	}
	res->hostkey_cert = ns_str_eq(chosen[NS_KI_HOSTKEY], NS_HOSTKEY_CERT);
	if (first) {
		res->strict =
		    ns_namelist_has(peer->list[NS_KI_KEX],
		                    role == NS_ROLE_CLIENT ? NS_KEX_STRICT_S : NS_KEX_STRICT_C);
		res->peer_ext_info =
		    role == NS_ROLE_SERVER && ns_namelist_has(peer->list[NS_KI_KEX], NS_EXT_INFO_C);
	}
	if (peer->first_kex_follows) {
		res->guess_wrong = !first_name_is(peer->list[NS_KI_KEX], chosen[NS_KI_KEX]) ||
		                   !first_name_is(peer->list[NS_KI_HOSTKEY], chosen[NS_KI_HOSTKEY]);
	}
	return 0;
}
