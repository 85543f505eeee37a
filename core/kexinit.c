/* KEXINIT: our algorithm lists (the cipher list from the engine's config),
 * the parser for the peer's message and the client-preference negotiation of
 * RFC 4253 7.1, including the strict-kex and ext-info markers that appear
 * only in the first exchange. */
#include "kexinit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "engine_int.h"

#define KEX_ALGS                                                                                   \
	NS_KEX_MLKEM768 "," NS_KEX_SNTRUP761 "," NS_KEX_SNTRUP761_OPENSSH "," NS_KEX_CURVE25519    \
	                "," NS_KEX_CURVE25519_LIBSSH "," NS_KEX_ECDH_P256
#define HOSTKEY_ALGS "ssh-ed25519"
/* Used with aes*-ctr only (an AEAD cipher's tag replaces the MAC, and then
 * the MAC lists are not negotiated). Encrypt-then-MAC first; the
 * encrypt-and-MAC forms last, for clients that have nothing else (libssh2
 * up to 1.10: Debian 12's curl, PHP ssh2, libgit2). */
#define MAC_ALGS                                                                                   \
	NS_MAC_NAME_SHA512_ETM "," NS_MAC_NAME_SHA256_ETM "," NS_MAC_NAME_SHA512                   \
	                       "," NS_MAC_NAME_SHA256
/* A client verifies more host key types than a server has (ed25519 only):
 * after ed25519, ECDSA P-256 and RSA (rsa-sha2-*, never ssh-rsa SHA-1),
 * their certificates first when certificates are wanted. */
#define HOSTKEY_ALGS_CLIENT HOSTKEY_ALGS ",ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256"
#define HOSTKEY_CERTS_CLIENT                                                                       \
	NS_HOSTKEY_CERT "," HOSTKEY_ALGS ",ecdsa-sha2-nistp256-cert-v01@openssh.com,"              \
	                "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,"     \
	                "ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256"
/* Clients choose: ours take AES-GCM where the CPU has it (libsodium 1.0.18:
 * about 0.9 CPU-s per GiB against 1.1 for chacha20-poly1305 on our test
 * machine); as a server we list chacha20-poly1305 first, as OpenSSH does.
 * Then strongest first: 256-bit keys before 128, AEAD before CTR + MAC.
 * aes256-gcm is dropped where the CPU lacks AES-NI (ns_kexinit_ciphers). */
#define CIPHERS_TAIL                                                                               \
	NS_CIPHER_NAME_AES128GCM "," NS_CIPHER_NAME_AES256CTR "," NS_CIPHER_NAME_AES128CTR
#define CIPHERS_CLIENT NS_CIPHER_AESGCM "," NS_CIPHER_CHACHA "," CIPHERS_TAIL
#define CIPHERS_SERVER NS_CIPHER_CHACHA "," NS_CIPHER_AESGCM "," CIPHERS_TAIL

/* Append name to the list in out (len bytes so far) unless it is there. */
static int add_cipher(char *out, size_t *len, int cipher, int *seen)
{
	const char *name = ns_pkt_cipher_name(cipher);
	size_t n = strlen(name);

	if (seen[cipher]) {
		return NS_ERR_INVALID;
	}
	seen[cipher] = 1;
	if (!ns_pkt_cipher_available(cipher)) {
		return 0;
	}
	if (*len + (*len > 0) + n >= NS_CIPHER_LIST_MAX) {
		return NS_ERR_INVALID; /* cannot happen: each name at most once */
	}
	if (*len > 0) {
		out[(*len)++] = ',';
	}
	memcpy(out + *len, name, n + 1);
	*len += n;
	return 0;
}

int ns_kexinit_ciphers(int role, const char *wanted, char out[NS_CIPHER_LIST_MAX])
{
	const char *p = wanted ? wanted : role == NS_ROLE_CLIENT ? CIPHERS_CLIENT : CIPHERS_SERVER;
	int seen[NS_PKT_NCIPHERS] = {0};
	size_t len = 0;
	ns_str name;
	int rc, cipher;

	out[0] = '\0';
	for (;;) {
		name.p = (const uint8_t *)p;
		name.len = strcspn(p, ",");
		cipher = ns_pkt_cipher_by_name(name);
		if (cipher == NS_PKT_NONE) {
			return NS_ERR_INVALID;
		}
		if ((rc = add_cipher(out, &len, cipher, seen)) != 0) {
			return rc;
		}
		if (p[name.len] == '\0') {
			break;
		}
		p += name.len + 1;
	}
	return len > 0 ? 0 : NS_ERR_UNSUPPORTED;
}

const char *ns_kexinit_default_kex(void)
{
	return KEX_ALGS;
}

const char *ns_kexinit_default_macs(void)
{
	return MAC_ALGS;
}

int ns_kexinit_build(int role, int first, int certs, ns_buf *out)
{
	char ciphers[NS_CIPHER_LIST_MAX];
	uint8_t cookie[16];
	int rc;

	if ((rc = ns_kexinit_ciphers(role, NULL, ciphers)) != 0) {
		return rc;
	}
	ns_random_default(NULL, cookie, sizeof(cookie));
	return ns_kexinit_build_with(role, first, certs, ciphers, cookie, out);
}

int ns_kexinit_build_with(int role, int first, int certs, const char *ciphers,
                          const uint8_t cookie[16], ns_buf *out)
{
	return ns_kexinit_build_algs(role, first, certs, KEX_ALGS, ciphers, MAC_ALGS, cookie, out);
}

int ns_kexinit_build_algs(int role, int first, int certs, const char *kexs, const char *ciphers,
                          const char *macs, const uint8_t cookie[16], ns_buf *out)
{
	char kex[NS_KEX_LIST_MAX + 64];

	snprintf(kex, NS_KEX_LIST_MAX, "%s", kexs);
	if (first) {
		strcat(kex, role == NS_ROLE_CLIENT ? "," NS_EXT_INFO_C "," NS_KEX_STRICT_C
		                                   : "," NS_KEX_STRICT_S);
	}
	ns_wr_u8(out, SSH_MSG_KEXINIT);
	ns_wr_bytes(out, cookie, 16); /* cookie */
	ns_wr_cstr(out, kex);         /* kex_algorithms */
	ns_wr_cstr(out, role == NS_ROLE_CLIENT
	                    ? (certs ? HOSTKEY_CERTS_CLIENT : HOSTKEY_ALGS_CLIENT)
	                : certs ? NS_HOSTKEY_CERT "," HOSTKEY_ALGS
	                        : HOSTKEY_ALGS); /* server_host_key_algorithms */
	ns_wr_cstr(out, ciphers);                /* encryption c->s */
	ns_wr_cstr(out, ciphers);                /* encryption s->c */
	ns_wr_cstr(out, macs);                   /* mac c->s */
	ns_wr_cstr(out, macs);                   /* mac s->c */
	ns_wr_cstr(out, "none");                 /* compression c->s */
	ns_wr_cstr(out, "none");                 /* compression s->c */
	ns_wr_cstr(out, "");                     /* languages c->s */
	ns_wr_cstr(out, "");                     /* languages s->c */
	ns_wr_bool(out, 0);                      /* first_kex_packet_follows */
	return ns_wr_u32(out, 0);                /* reserved */
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

/* The MAC of each direction whose cipher is not an AEAD (RFC 4253 7.1;
 * OpenSSH ignores the MAC lists for AEAD ciphers, and so do we). */
static int choose_macs(const ns_kexinit *c, const ns_kexinit *s, ns_str *chosen, ns_kex_result *res,
                       int *which)
{
	int dir;

	res->cipher_cs = ns_pkt_cipher_by_name(chosen[NS_KI_ENC_CS]);
	res->cipher_sc = ns_pkt_cipher_by_name(chosen[NS_KI_ENC_SC]);
	if (res->cipher_cs == NS_PKT_NONE || res->cipher_sc == NS_PKT_NONE) {
		*which = res->cipher_cs == NS_PKT_NONE ? NS_KI_ENC_CS : NS_KI_ENC_SC;
		return NS_ERR_NOMATCH;
	}
	for (dir = 0; dir < 2; dir++) {
		int l = dir == 0 ? NS_KI_MAC_CS : NS_KI_MAC_SC;
		int *mac = dir == 0 ? &res->mac_cs : &res->mac_sc;

		if (ns_pkt_cipher_aead(dir == 0 ? res->cipher_cs : res->cipher_sc)) {
			continue;
		}
		if (choose(c->list[l], s->list[l], &chosen[l]) != 0 ||
		    (*mac = ns_mac_by_name(chosen[l])) == NS_MAC_NONE) {
			*which = l;
			return NS_ERR_NOMATCH;
		}
	}
	return 0;
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
	if (choose_macs(c, s, chosen, res, which) != 0) {
		return NS_ERR_NOMATCH;
	}
	/* Our lists hold only what we implement, so any match is ours. */
	if (ns_str_copy(chosen[NS_KI_KEX], res->kex, sizeof(res->kex)) != 0) {
		return NS_ERR_NOMATCH;
	}
	res->hostkey_cert = ns_str_eq(chosen[NS_KI_HOSTKEY], NS_HOSTKEY_CERT);
	if (ns_str_copy(chosen[NS_KI_HOSTKEY], res->hostkey_alg, sizeof(res->hostkey_alg)) != 0) {
		*which = NS_KI_HOSTKEY;
		return NS_ERR_NOMATCH;
	}
	res->kex_method = ns_kex_method_by_name(chosen[NS_KI_KEX]);
	if (res->kex_method == NS_KEX_NONE) {
		*which = NS_KI_KEX;
		return NS_ERR_NOMATCH;
	}
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
