/* The access `nullspace ssh` uses for a sandbox: the certificate on disk
 * while it is good for our key, else a new one minted through the API, the
 * relay's host key pinned (sshfiles_pin.c), then written atomically with the
 * .relay file that records what it was minted for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "file.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "sshfiles.h"
#include "sshfiles_int.h"

#define RELAY_FILE_MAX 1024

int ns_sshfiles_cert_reusable(const char *line, size_t len, const uint8_t pk[NS_ED25519_PK_LEN],
                              const char *principal, int64_t now, int64_t *valid_before)
{
	uint8_t blob[NS_CERT_BLOB_MAX];
	ns_cert c;
	ns_str name;
	uint32_t i;
	int found = 0;

	*valid_before = 0;
	if (ns_cert_from_line(line, len, blob, sizeof(blob), &len) != 0 ||
	    ns_cert_parse(blob, len, &c, NULL) != 0) {
		return NS_ERR_FORMAT;
	}
	if (sodium_memcmp(c.pk, pk, NS_ED25519_PK_LEN) != 0 || c.type != NS_CERT_USER) {
		return NS_ERR_AUTH;
	}
	for (i = 0; i < c.nprincipals && !found; i++) {
		found = ns_cert_principal(&c, i, &name) == 0 && name.len == strlen(principal) &&
		        memcmp(name.p, principal, name.len) == 0;
	}
	if (!found) {
		return NS_ERR_AUTH;
	}
	if (now < 0 || c.valid_before > (uint64_t)INT64_MAX ||
	    (int64_t)c.valid_before <= now + NS_SSHFILES_REUSE_MARGIN) {
		return NS_ERR_TIMEOUT;
	}
	*valid_before = (int64_t)c.valid_before;
	return 0;
}

/* A relay host name we put on a command line: no options, no blanks. */
static int host_ok(const char *h)
{
	size_t n = strlen(h);

	return n > 0 && h[0] != '-' &&
	       strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "0123456789.:-_%") == n;
}

/* The .relay file: "relay=HOST:PORT" (HOST in brackets when it holds ':')
 * and "host_key=ssh-ed25519 AAAA..." the access was minted with, and
 * "host_ca=ssh-ed25519 AAAA..." when the API named the relays' host CA. */
static int relay_format(const char *host, unsigned port, const uint8_t pk[NS_ED25519_PK_LEN],
                        const uint8_t *ca, char *out, size_t cap)
{
	char key[NS_KEY_LINE_MAX], cal[NS_KEY_LINE_MAX + 16] = "";
	int n;

	if (ns_key_to_line(pk, NULL, key, sizeof(key)) != 0) {
		return NS_ERR_TOOBIG;
	}
	if (ca != NULL) {
		memcpy(cal, "host_ca=", 8);
		if (ns_key_to_line(ca, NULL, cal + 8, sizeof(cal) - 9) != 0) {
			return NS_ERR_TOOBIG;
		}
		strcat(cal, "\n");
	}
	n = strchr(host, ':') != NULL
	        ? snprintf(out, cap, "relay=[%s]:%u\nhost_key=%s\n%s", host, port, key, cal)
	        : snprintf(out, cap, "relay=%s:%u\nhost_key=%s\n%s", host, port, key, cal);
	return n < 0 || (size_t)n >= cap ? NS_ERR_TOOBIG : 0;
}

/* HOST:PORT or [HOST]:PORT, len bytes. */
static int parse_addr(const char *h, size_t len, char *host, size_t cap, unsigned *port)
{
	const char *colon = memrchr(h, ':', len);
	unsigned long v = 0;
	size_t hl, i;

	if (colon == NULL || colon == h || colon + 1 == h + len || (size_t)(h + len - colon) > 6) {
		return NS_ERR_FORMAT;
	}
	for (i = 1; colon + i < h + len; i++) {
		if (colon[i] < '0' || colon[i] > '9') {
			return NS_ERR_FORMAT;
		}
		v = v * 10 + (unsigned long)(colon[i] - '0');
	}
	hl = (size_t)(colon - h);
	if (h[0] == '[' && colon[-1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl == 0 || hl >= cap || v == 0 || v > 65535) {
		return NS_ERR_FORMAT;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	*port = (unsigned)v;
	return host_ok(host) ? 0 : NS_ERR_FORMAT;
}

static int relay_parse(const char *text, size_t len, char *host, size_t cap, unsigned *port,
                       uint8_t pk[NS_ED25519_PK_LEN], uint8_t *ca, int *has_ca)
{
	const char *p = text, *end = text + len, *nl;
	int have_addr = 0, have_key = 0;
	size_t n;

	if (has_ca != NULL) {
		*has_ca = 0;
	}
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = (size_t)((nl != NULL ? nl : end) - p);
		if (n > 6 && memcmp(p, "relay=", 6) == 0) {
			have_addr = parse_addr(p + 6, n - 6, host, cap, port) == 0;
		} else if (n > 9 && memcmp(p, "host_key=", 9) == 0) {
			have_key = ns_key_from_line(p + 9, n - 9, pk, NULL) == 0;
		} else if (ca != NULL && n > 8 && memcmp(p, "host_ca=", 8) == 0) {
			*has_ca = ns_key_from_line(p + 8, n - 8, ca, NULL) == 0;
		}
		p += n + 1;
	}
	return have_addr && have_key ? 0 : NS_ERR_FORMAT;
}

static int relay_path(const ns_sshfiles *f, const char *sandbox_id, char *out)
{
	int n = snprintf(out, NS_SSHFILES_PATH_MAX, "%s/%s.relay", f->dir, sandbox_id);

	return n < 0 || n >= NS_SSHFILES_PATH_MAX ? NS_ERR_TOOBIG : 0;
}

int ns_sshfiles_relay(const ns_sshfiles *f, const char *sandbox_id, char *host, size_t cap,
                      unsigned *port, uint8_t pk[NS_ED25519_PK_LEN])
{
	char path[NS_SSHFILES_PATH_MAX], *text = NULL;
	uint8_t minted_pk[NS_ED25519_PK_LEN];
	size_t len = 0;
	int rc;

	if ((rc = relay_path(f, sandbox_id, path)) == 0 &&
	    (rc = ns_file_read(path, RELAY_FILE_MAX, &text, &len)) == 0 &&
	    (rc = relay_parse(text, len, host, cap, port, minted_pk, NULL, NULL)) == 0 &&
	    (rc = ns_sshfiles_pinned(f, host, *port, pk)) == 0 &&
	    sodium_memcmp(minted_pk, pk, NS_ED25519_PK_LEN) != 0) {
		rc = NS_ERR_HOSTKEY_CHANGED;
	}
	free(text);
	return rc;
}

/* Does the certificate line permit forwarding exactly as f asks? */
static int permits_match(const ns_sshfiles *f, const char *line, size_t len)
{
	uint8_t blob[NS_CERT_BLOB_MAX];
	uint32_t want = (f->no_port_forwarding ? 0 : NS_EXT_PERMIT_PORT_FORWARDING) |
	                (f->agent_forwarding ? NS_EXT_PERMIT_AGENT_FORWARDING : 0);
	ns_cert c;

	return ns_cert_from_line(line, len, blob, sizeof(blob), &len) == 0 &&
	       ns_cert_parse(blob, len, &c, NULL) == 0 &&
	       (ns_cert_extension_bits(&c) &
	        (NS_EXT_PERMIT_PORT_FORWARDING | NS_EXT_PERMIT_AGENT_FORWARDING)) == want;
}

/* The files on disk, when they are all still good: the certificate (see
 * ns_sshfiles_cert_reusable; with expires_in, not valid past that many
 * minutes), and known_hosts pinning the key it was minted with. */
static int try_reuse(const ns_sshfiles *f, const char *sandbox_id, const ns_key *key,
                     int expires_in, int64_t now, ns_sshaccess *out)
{
	char path[NS_SSHFILES_PATH_MAX], *text = NULL;
	uint8_t minted_pk[NS_ED25519_PK_LEN];
	size_t len = 0;
	int rc;

	if ((rc = relay_path(f, sandbox_id, path)) != 0 ||
	    (rc = ns_file_read(path, RELAY_FILE_MAX, &text, &len)) != 0 ||
	    (rc = relay_parse(text, len, out->relay_host, sizeof(out->relay_host), &out->relay_port,
	                      minted_pk, out->relay_ca, &out->has_ca)) != 0) {
		goto out;
	}
	if (out->has_ca) { /* the host CA pinned, not one relay's key */
		memcpy(out->relay_pk, minted_pk, NS_ED25519_PK_LEN);
		if ((rc = ns_sshfiles_pinned_ca(f, out->relay_host, out->relay_port,
		                                out->relay_ca)) != 0) {
			goto out;
		}
	} else if ((rc = ns_sshfiles_pinned(f, out->relay_host, out->relay_port, out->relay_pk)) !=
	           0) {
		goto out;
	}
	if (sodium_memcmp(minted_pk, out->relay_pk, NS_ED25519_PK_LEN) != 0) {
		rc = NS_ERR_HOSTKEY_CHANGED; /* minting again finds out which is right */
		goto out;
	}
	free(text);
	text = NULL;
	if ((rc = ns_file_read(f->cert, NS_CERT_LINE_MAX, &text, &len)) != 0 ||
	    (rc = ns_sshfiles_cert_reusable(text, len, key->pk, sandbox_id, now,
	                                    &out->expires_at)) != 0) {
		goto out;
	}
	if (!permits_match(f, text, len)) {
		rc = NS_ERR_AUTH; /* other permits than asked for: mint anew */
		goto out;
	}
	if (expires_in > 0 && out->expires_at > now + (int64_t)expires_in * 60) {
		rc = NS_ERR_LIMIT; /* longer-lived than asked for */
		goto out;
	}
	if ((out->cert = malloc(NS_CERT_BLOB_MAX)) == NULL) {
		rc = NS_ERR_NOMEM;
		goto out;
	}
	if ((rc = ns_cert_from_line(text, len, out->cert, NS_CERT_BLOB_MAX, &out->cert_len)) != 0) {
		goto out;
	}
	snprintf(out->user, sizeof(out->user), "%s", sandbox_id);
	out->reused = 1;
out:
	free(text);
	return rc;
}

/* The certificate the API returned: ours, a user certificate, parsed. */
static int take_cert(const ns_ssh_access *acc, const ns_key *key, ns_sshaccess *out, char *err,
                     size_t cap)
{
	ns_cert c;
	int rc;

	if ((out->cert = malloc(NS_CERT_BLOB_MAX)) == NULL) {
		return NS_ERR_NOMEM;
	}
	if ((rc = ns_cert_from_line(acc->certificate, strlen(acc->certificate), out->cert,
	                            NS_CERT_BLOB_MAX, &out->cert_len)) != 0 ||
	    (rc = ns_cert_parse(out->cert, out->cert_len, &c, NULL)) != 0) {
		snprintf(err, cap, "the API returned a certificate we cannot read");
		return NS_ERR_FORMAT;
	}
	if (sodium_memcmp(c.pk, key->pk, NS_ED25519_PK_LEN) != 0 || c.type != NS_CERT_USER) {
		snprintf(err, cap, "the API returned a certificate that is not for our key");
		return NS_ERR_FORMAT;
	}
	out->expires_at =
	    c.valid_before > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)c.valid_before;
	return 0;
}

/* What the API answered, checked, into out (not yet the certificate). */
static int take_relay(const ns_ssh_access *acc, const char *sandbox_id, ns_sshaccess *out,
                      char *err, size_t cap)
{
	if (acc->user == NULL || strcmp(acc->user, sandbox_id) != 0 || acc->relay_host == NULL ||
	    !host_ok(acc->relay_host) || strlen(acc->relay_host) >= sizeof(out->relay_host) ||
	    acc->relay_port == 0 || acc->relay_port > 65535 || acc->relay_host_key == NULL ||
	    acc->certificate == NULL ||
	    ns_key_from_line(acc->relay_host_key, strlen(acc->relay_host_key), out->relay_pk,
	                     NULL) != 0) {
		snprintf(err, cap, "the API returned an access we cannot use");
		return NS_ERR_FORMAT;
	}
	out->has_ca = 0;
	if (acc->size >= sizeof(*acc) && acc->relay_host_ca != NULL) {
		if (ns_key_from_line(acc->relay_host_ca, strlen(acc->relay_host_ca), out->relay_ca,
		                     NULL) != 0) {
			snprintf(err, cap, "the API returned a relay host CA we cannot use");
			return NS_ERR_FORMAT;
		}
		out->has_ca = 1;
	}
	memcpy(out->user, acc->user, strlen(acc->user) + 1);
	memcpy(out->relay_host, acc->relay_host, strlen(acc->relay_host) + 1);
	out->relay_port = acc->relay_port;
	return 0;
}

/* <id>.relay, then <id>-cert.pub (the line and a newline). */
static int write_files(const ns_sshfiles *f, const char *sandbox_id, const ns_sshaccess *a,
                       const char *certificate, char *err, size_t cap)
{
	char path[NS_SSHFILES_PATH_MAX], relay[900], *text;
	size_t n = strcspn(certificate, "\r\n");
	int rc;

	if (relay_path(f, sandbox_id, path) != 0 ||
	    relay_format(a->relay_host, a->relay_port, a->relay_pk, a->has_ca ? a->relay_ca : NULL,
	                 relay, sizeof(relay)) != 0) {
		snprintf(err, cap, "path too long under %s", f->dir);
		return NS_ERR_TOOBIG;
	}
	if ((rc = ns_sshfiles_write(path, relay, strlen(relay), 0600, 0, err, cap)) != 0) {
		return rc;
	}
	if ((text = malloc(n + 1)) == NULL) {
		return NS_ERR_NOMEM;
	}
	memcpy(text, certificate, n);
	text[n] = '\n';
	rc = ns_sshfiles_write(f->cert, text, n + 1, 0600, 0, err, cap);
	sodium_memzero(text, n + 1);
	free(text);
	return rc;
}

static int mint(const ns_sshfiles *f, ns_api *api, const char *sandbox_id, const ns_key *key,
                int expires_in, ns_sshaccess *out, int *api_failed, char *err, size_t cap)
{
	char line[NS_KEY_LINE_MAX];
	ns_ssh_access_opts opts;
	ns_ssh_access acc;
	int rc;

	ns_ssh_access_init(&acc);
	ns_ssh_access_opts_init(&opts);
	opts.expires_in_minutes = expires_in;
	opts.no_port_forwarding = f->no_port_forwarding;
	opts.agent_forwarding = f->agent_forwarding;
	if ((rc = ns_key_to_line(key->pk, key->comment, line, sizeof(line))) != 0) {
		snprintf(err, cap, "cannot format our public key: %s", ns_strerror(rc));
		return rc;
	}
	if ((rc = ns_api_create_ssh_access_opts(api, sandbox_id, line, &opts, &acc)) != 0) {
		snprintf(err, cap, "%s",
		         ns_api_error(api)[0] ? ns_api_error(api) : ns_strerror(rc));
		*api_failed = 1;
		return rc;
	}
	/* pin before writing, so a refused relay leaves no reusable files */
	if ((rc = take_relay(&acc, sandbox_id, out, err, cap)) != 0 ||
	    (rc = take_cert(&acc, key, out, err, cap)) != 0 ||
	    (rc = out->has_ca ? ns_sshfiles_pin_ca(f, out->relay_host, out->relay_port,
	                                           out->relay_ca, err, cap)
	                      : ns_sshfiles_pin(f, out->relay_host, out->relay_port, out->relay_pk,
	                                        err, cap)) != 0) {
		goto out;
	}
	if ((rc = write_files(f, sandbox_id, out, acc.certificate, err, cap)) == 0 &&
	    ((acc.websocket_url != NULL &&
	      (out->websocket_url = strdup(acc.websocket_url)) == NULL) ||
	     (acc.websocket_tls_sha256 != NULL &&
	      (out->websocket_pin = strdup(acc.websocket_tls_sha256)) == NULL))) {
		rc = NS_ERR_NOMEM;
	}
out:
	ns_ssh_access_free(&acc);
	return rc;
}

int ns_sshfiles_access(const ns_sshfiles *f, ns_api *api, const char *sandbox_id, const ns_key *key,
                       int expires_in, int64_t now, ns_sshaccess *out, int *api_failed, char *err,
                       size_t cap)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	*api_failed = 0;
	if (f->cert[0] == '\0' || sandbox_id == NULL) {
		snprintf(err, cap, "no sandbox id");
		return NS_ERR_INVALID;
	}
	/* a known_hosts we will not write (a link, a folder) stops us before
	 * the API mints an access for nothing */
	if ((rc = ns_sshfiles_known_read(f, &text, &len, err, cap)) != 0) {
		return rc;
	}
	free(text);
	if (!f->fresh && try_reuse(f, sandbox_id, key, expires_in, now, out) == 0) {
		return 0;
	}
	ns_sshaccess_free(out);
	if ((rc = mint(f, api, sandbox_id, key, expires_in, out, api_failed, err, cap)) != 0) {
		ns_sshaccess_free(out);
	}
	return rc;
}

void ns_sshaccess_free(ns_sshaccess *a)
{
	if (a == NULL) {
		return;
	}
	if (a->cert != NULL) {
		sodium_memzero(a->cert, a->cert_len);
		free(a->cert);
	}
	if (a->websocket_url != NULL) {
		sodium_memzero(a->websocket_url, strlen(a->websocket_url));
		free(a->websocket_url);
	}
	free(a->websocket_pin);
	memset(a, 0, sizeof(*a));
}
