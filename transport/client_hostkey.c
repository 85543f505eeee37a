/* The client's host key verdict: the known_hosts file (strict: unknown and
 * changed keys refused, with a message naming host, fingerprint, file and
 * line, and the line to add) or a pinned key. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_int.h"
#include "file.h"
#include "nullspace/known_hosts.h"

/* Line number (from 1) of the first entry for host with a key other than pk. */
static unsigned changed_line(const char *text, size_t len, const char *host, unsigned port,
                             const uint8_t pk[NS_ED25519_PK_LEN])
{
	uint8_t other[NS_ED25519_PK_LEN];
	size_t off = 0, end;
	unsigned line = 0;
	ns_str pats;
	const char *nl;

	while (off < len) {
		nl = memchr(text + off, '\n', len - off);
		end = nl ? (size_t)(nl - text) : len;
		line++;
		if (ns_known_hosts_line_parse(text + off, end - off, &pats, other) == 0 &&
		    ns_known_hosts_match(pats, host, port) == 1 &&
		    crypto_verify_32(other, pk) != 0) {
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

static int check_known_hosts(ns_client *c, const char *path, const uint8_t pk[NS_ED25519_PK_LEN])
{
	char fp[NS_FINGERPRINT_LEN], disp[NS_CLIENT_HOST_MAX + 16], add[NS_KEY_LINE_MAX];
	char *text = NULL;
	size_t len = 0;
	unsigned line;
	int rc;

	ns_key_fingerprint(pk, fp);
	ns_client_host_display(c->host, c->port, disp, sizeof(disp));
	if (ns_known_hosts_line(c->host, c->port, pk, add, sizeof(add)) != 0) {
		add[0] = '\0';
	}
	rc = ns_file_read(path, NS_CLIENT_KNOWN_HOSTS_MAX, &text, &len);
	if (rc != 0 && rc != NS_ERR_NOTFOUND) {
		rc = ns_cio_fail(c, rc, "cannot read known_hosts file %s: %s", path,
		                 rc == NS_ERR_IO ? strerror(errno) : ns_strerror(rc));
		goto out;
	}
	rc = rc == NS_ERR_NOTFOUND ? NS_ERR_HOSTKEY_UNKNOWN
	                           : ns_known_hosts_check(text, len, c->host, c->port, pk);
	if (rc == NS_ERR_HOSTKEY_UNKNOWN) {
		ns_cio_fail(c, rc,
		            "host key for %s is not known: the server offered ssh-ed25519 %s and "
		            "%s has no entry for %s%s.\nIf this is the right key (check the "
		            "fingerprint out of band), add this line to %s:\n%s",
		            disp, fp, path, disp, text == NULL ? " (the file does not exist)" : "",
		            path, add);
	} else if (rc == NS_ERR_HOSTKEY_CHANGED) {
		line = changed_line(text, len, c->host, c->port, pk);
		ns_cio_fail(c, rc,
		            "HOST KEY CHANGED for %s: the server offered ssh-ed25519 %s, but %s "
		            "line %u lists a different key for it. Someone may be intercepting "
		            "the connection, or the host key was replaced; refusing to connect.\n"
		            "If the change is expected, replace line %u of %s with:\n%s",
		            disp, fp, path, line, line, path, add);
	} else if (rc != 0) {
		ns_cio_fail(c, rc, "known_hosts %s: %s", path, ns_strerror(rc));
	}
out:
	free(text);
	return rc;
}

int ns_client_check_hostkey(ns_client *c, const ns_client_config *cfg,
                            const uint8_t pk[NS_ED25519_PK_LEN])
{
	char fp[NS_FINGERPRINT_LEN], pin[NS_FINGERPRINT_LEN];

	if (cfg->hostkey_policy == NS_HOSTKEY_PINNED) {
		if (cfg->hostkey_pin == NULL) {
			return ns_cio_fail(c, NS_ERR_INVALID, "no pinned host key given");
		}
		if (crypto_verify_32(cfg->hostkey_pin, pk) == 0) {
			return 0;
		}
		ns_key_fingerprint(pk, fp);
		ns_key_fingerprint(cfg->hostkey_pin, pin);
		return ns_cio_fail(c, NS_ERR_HOSTKEY_CHANGED,
		                   "HOST KEY MISMATCH for %s: the server offered ssh-ed25519 %s, "
		                   "the pinned key is %s; refusing to connect",
		                   c->host, fp, pin);
	}
	if (cfg->hostkey_policy != NS_HOSTKEY_STRICT || cfg->known_hosts == NULL) {
		return ns_cio_fail(c, NS_ERR_INVALID,
		                   "no known_hosts file given to verify the host key of %s",
		                   c->host);
	}
	return check_known_hosts(c, cfg->known_hosts, pk);
}
