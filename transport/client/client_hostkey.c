/* The client's host key verdict: the known_hosts file (strict: unknown and
 * changed keys refused, with a message naming host, key type, fingerprint,
 * file and line, and the line to add) or a pinned key (ed25519). Host keys
 * may be ed25519, ecdsa-sha2-nistp256 or RSA (the engine verified them). */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_int.h"
#include "file.h"
#include "nullspace/known_hosts.h"

/* Line number (from 1) of the first entry for host with another key of the
 * same type. */
static unsigned changed_line(const char *text, size_t len, const char *host, unsigned port,
                             const ns_pubkey *key)
{
	ns_known_hosts_entry e;
	size_t off = 0, end;
	unsigned line = 0;
	const char *nl;

	while (off < len) {
		nl = memchr(text + off, '\n', len - off);
		end = nl ? (size_t)(nl - text) : len;
		line++;
		if (ns_known_hosts_entry_parse(text + off, end - off, &e) == 0 &&
		    e.marker == NS_KNOWN_HOSTS_PLAIN &&
		    ns_known_hosts_match(e.patterns, host, port) == 1 && e.key.type == key->type &&
		    !ns_pubkey_equal(&e.key, key)) {
			return line;
		}
		off = end + 1;
	}
	return 0;
}

void ns_client_host_display(const char *host, unsigned port, char *out, size_t cap)
{
	if (port == NS_CLIENT_PORT_DEFAULT) {
		snprintf(out, cap, "%s", host);
	} else {
		snprintf(out, cap, "[%s]:%u", host, port);
	}
}

static int check_known_hosts(ns_client *c, const char *path, const ns_pubkey *key)
{
	char fp[NS_FINGERPRINT_LEN], disp[NS_CLIENT_HOST_MAX + 16], add[NS_PUBKEY_LINE_MAX + 64];
	const char *type = ns_pubkey_type_name(key->type);
	char *text = NULL;
	size_t len = 0;
	unsigned line;
	int rc;

	ns_pubkey_fingerprint(key, fp);
	ns_client_host_display(c->host, c->port, disp, sizeof(disp));
	if (ns_known_hosts_line_key(c->host, c->port, key, add, sizeof(add)) != 0) {
		add[0] = '\0';
	}
	rc = ns_file_read(path, NS_CLIENT_KNOWN_HOSTS_MAX, &text, &len);
	if (rc != 0 && rc != NS_ERR_NOTFOUND) {
		rc = ns_cio_fail(c, rc, "cannot read known_hosts file %s: %s", path,
		                 rc == NS_ERR_IO ? strerror(errno) : ns_strerror(rc));
		goto out;
	}
	rc = rc == NS_ERR_NOTFOUND ? NS_ERR_HOSTKEY_UNKNOWN
	                           : ns_known_hosts_check_key(text, len, c->host, c->port, key);
	if (rc == NS_ERR_HOSTKEY_UNKNOWN) {
		ns_cio_fail(c, rc,
		            "host key for %s is not known: the server offered %s %s and "
		            "%s has no entry for %s%s.\nIf this is the right key (check the "
		            "fingerprint out of band), add this line to %s:\n%s",
		            disp, type, fp, path, disp,
		            text == NULL ? " (the file does not exist)" : "", path, add);
	} else if (rc == NS_ERR_HOSTKEY_CHANGED) {
		line = changed_line(text, len, c->host, c->port, key);
		ns_cio_fail(c, rc,
		            "HOST KEY CHANGED for %s: the server offered %s %s, but %s "
		            "line %u lists a different key for it. Someone may be intercepting "
		            "the connection, or the host key was replaced; refusing to connect.\n"
		            "If the change is expected, replace line %u of %s with:\n%s",
		            disp, type, fp, path, line, line, path, add);
	} else if (rc != 0) {
		ns_cio_fail(c, rc, "known_hosts %s: %s", path, ns_strerror(rc));
	}
out:
	free(text);
	return rc;
}

int ns_client_check_hostkey(ns_client *c, const ns_client_config *cfg, const ns_pubkey *key)
{
	char fp[NS_FINGERPRINT_LEN], pin[NS_FINGERPRINT_LEN];

	if (cfg->hostkey_policy == NS_HOSTKEY_PINNED) {
		if (cfg->hostkey_pin == NULL) {
			return ns_cio_fail(c, NS_ERR_INVALID, "no pinned host key given");
		}
		if (key->type == NS_PK_ED25519 &&
		    crypto_verify_32(cfg->hostkey_pin, key->blob + key->blob_len - 32) == 0) {
			return 0;
		}
		ns_pubkey_fingerprint(key, fp);
		ns_key_fingerprint(cfg->hostkey_pin, pin);
		return ns_cio_fail(c, NS_ERR_HOSTKEY_CHANGED,
		                   "HOST KEY MISMATCH for %s: the server offered %s %s, "
		                   "the pinned key is ssh-ed25519 %s; refusing to connect",
		                   c->host, ns_pubkey_type_name(key->type), fp, pin);
	}
	if (cfg->hostkey_policy != NS_HOSTKEY_STRICT || cfg->known_hosts == NULL) {
		return ns_cio_fail(c, NS_ERR_INVALID,
		                   "no known_hosts file given to verify the host key of %s",
		                   c->host);
	}
	return check_known_hosts(c, cfg->known_hosts, key);
}
