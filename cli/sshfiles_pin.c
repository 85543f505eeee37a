/* The relay pins in NULLSPACE_HOME/ssh/known_hosts: look one up, add the
 * line for a new relay (mode 0600, one append), and refuse a relay that
 * presents another key than the pinned one, naming both fingerprints. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "nullspace/client.h"
#include "nullspace/error.h"
#include "nullspace/known_hosts.h"
#include "sshfiles.h"

static int read_known(const ns_sshfiles *f, char **text, size_t *len)
{
	int rc = ns_file_read(f->known_hosts, NS_CLIENT_KNOWN_HOSTS_MAX, text, len);

	if (rc == NS_ERR_NOTFOUND) {
		*text = NULL;
		*len = 0;
		return 0;
	}
	return rc;
}

/* The first host key line of text for host:port: its key and line number. */
static int find_pin(const char *text, size_t len, const char *host, unsigned port,
                    uint8_t pk[NS_ED25519_PK_LEN], unsigned *lineno)
{
	const char *p = text, *end = text + len, *nl;
	ns_str patterns;
	unsigned n = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		nl = nl != NULL ? nl : end;
		n++;
		if (ns_known_hosts_line_parse(p, (size_t)(nl - p), &patterns, pk) == 0 &&
		    ns_known_hosts_match(patterns, host, port) == 1) {
			*lineno = n;
			return 0;
		}
		p = nl + 1;
	}
	return NS_ERR_NOTFOUND;
}

int ns_sshfiles_pinned(const ns_sshfiles *f, const char *host, unsigned port,
                       uint8_t pk[NS_ED25519_PK_LEN])
{
	char *text = NULL;
	size_t len = 0;
	unsigned line;
	int rc;

	if ((rc = read_known(f, &text, &len)) == 0 &&
	    (rc = find_pin(text, len, host, port, pk, &line)) == 0) {
		/* the key found must pass the same check the client makes */
		rc = ns_known_hosts_check(text, len, host, port, pk) == 0 ? 0 : NS_ERR_NOTFOUND;
	}
	free(text);
	return rc;
}

static int append_pin(const ns_sshfiles *f, const char *text, size_t len, const char *host,
                      unsigned port, const uint8_t pk[NS_ED25519_PK_LEN], char *err, size_t cap)
{
	char line[NS_KNOWN_HOSTS_LINE_MAX + 2];
	const char *p = line;
	size_t n;
	ssize_t w;
	int fd, rc;

	/* a newline first when the file does not end with one */
	line[0] = '\n';
	if ((rc = ns_known_hosts_line(host, port, pk, line + 1, sizeof(line) - 2)) != 0) {
		snprintf(err, cap, "cannot pin the relay %s: %s", host, ns_strerror(rc));
		return rc;
	}
	n = strlen(line);
	line[n++] = '\n';
	if (len == 0 || text[len - 1] == '\n') {
		p++;
		n--;
	}
	if ((fd = open(f->known_hosts, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		snprintf(err, cap, "cannot open %s: %s", f->known_hosts, strerror(errno));
		return NS_ERR_IO;
	}
	/* one write: concurrent appends do not interleave */
	while ((w = write(fd, p, n)) < 0 && errno == EINTR) {
	}
	if (w != (ssize_t)n || close(fd) != 0) {
		snprintf(err, cap, "cannot write %s: %s", f->known_hosts,
		         w < 0 ? strerror(errno) : "short write");
		if (w != (ssize_t)n) {
			close(fd);
		}
		return NS_ERR_IO;
	}
	return 0;
}

int ns_sshfiles_pin(const ns_sshfiles *f, const char *host, unsigned port,
                    const uint8_t pk[NS_ED25519_PK_LEN], char *err, size_t cap)
{
	char fp_new[NS_FINGERPRINT_LEN], fp_old[NS_FINGERPRINT_LEN];
	uint8_t old[NS_ED25519_PK_LEN];
	char *text = NULL;
	size_t len = 0;
	unsigned line = 0;
	int rc;

	if ((rc = read_known(f, &text, &len)) != 0) {
		snprintf(err, cap, "cannot read %s: %s", f->known_hosts,
		         rc == NS_ERR_IO ? strerror(errno) : ns_strerror(rc));
		goto out;
	}
	rc = ns_known_hosts_check(text, len, host, port, pk);
	if (rc == NS_ERR_HOSTKEY_UNKNOWN) {
		rc = append_pin(f, text, len, host, port, pk, err, cap);
	} else if (rc == NS_ERR_HOSTKEY_CHANGED) {
		ns_key_fingerprint(pk, fp_new);
		memset(old, 0, sizeof(old));
		find_pin(text, len, host, port, old, &line);
		ns_key_fingerprint(old, fp_old);
		snprintf(
		    err, cap,
		    "the relay [%s]:%u presents a new host key (%s) but %s pins %s (line %u); if "
		    "the relay key was rotated on purpose, remove that line and retry",
		    host, port, fp_new, f->known_hosts, fp_old, line);
	} else if (rc == NS_ERR_REVOKED) {
		ns_key_fingerprint(pk, fp_new);
		snprintf(err, cap, "the host key %s of the relay [%s]:%u is marked @revoked in %s",
		         fp_new, host, port, f->known_hosts);
	}
out:
	free(text);
	return rc;
}
