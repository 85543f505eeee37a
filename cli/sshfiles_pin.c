/* The relay pins in NULLSPACE_HOME/ssh/known_hosts: look one up, add the
 * line for a new relay and refuse a relay that presents another key than the
 * pinned one, naming both fingerprints. The file is ours and regular: never
 * read or written through a link, rewritten whole (temporary file, fsync,
 * rename, 0600) under a lock on the folder, so concurrent pins all stay. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "file.h"
#include "nullspace/client.h"
#include "nullspace/error.h"
#include "nullspace/known_hosts.h"
#include "nullspace/pubkey.h"
#include "sshfiles.h"
#include "sshfiles_int.h"

#define LOCK_POLL_MS 10

int ns_sshfiles_known_read(const ns_sshfiles *f, char **text, size_t *len, char *err, size_t cap)
{
	struct stat st;
	int fd, rc;

	*text = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO put there must not hang us */
	fd = open(f->known_hosts, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		return 0;
	}
	if (fd < 0 && errno == ELOOP && lstat(f->known_hosts, &st) == 0 && S_ISLNK(st.st_mode)) {
		snprintf(err, cap,
		         "%s is a symbolic link: nullspace keeps its relay pins in a regular file "
		         "of its own and reads or writes none through a link (the link and what it "
		         "points to are left as they are); remove it (rm %s) and retry",
		         f->known_hosts, f->known_hosts);
		return NS_ERR_IO;
	}
	if (fd < 0) {
		snprintf(err, cap, "cannot read %s: %s", f->known_hosts, strerror(errno));
		return NS_ERR_IO;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, cap, "cannot read %s: %s", f->known_hosts, strerror(errno));
		close(fd);
		return NS_ERR_IO;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, cap, "cannot read %s: %s", f->known_hosts,
		         S_ISDIR(st.st_mode) ? strerror(EISDIR) : "not a regular file");
		close(fd);
		return NS_ERR_IO;
	}
	if ((rc = ns_file_read_fd(fd, NS_CLIENT_KNOWN_HOSTS_MAX, text, len)) != 0) {
		snprintf(err, cap, "cannot read %s: %s", f->known_hosts,
		         rc == NS_ERR_IO ? strerror(errno) : ns_strerror(rc));
	}
	close(fd);
	return rc;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* flock on the folder, waiting up to NS_SSHFILES_LOCK_MS: its fd, or -1
 * with err set. */
static int lock_dir(const ns_sshfiles *f, char *err, size_t cap)
{
	unsigned waited = 0;
	int fd;

	if ((fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, cap, "cannot open %s: %s", f->dir, strerror(errno));
		return -1;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			return fd;
		}
		if (errno == EINTR) {
			continue;
		}
		if (errno != EWOULDBLOCK) {
			snprintf(err, cap, "cannot lock %s: %s", f->dir, strerror(errno));
			break;
		}
		if (waited >= NS_SSHFILES_LOCK_MS) {
			snprintf(err, cap,
			         "%s stayed locked by another process for %d ms: the relay's key "
			         "is not pinned",
			         f->dir, NS_SSHFILES_LOCK_MS);
			break;
		}
		sleep_ms(LOCK_POLL_MS);
		waited += LOCK_POLL_MS;
	}
	close(fd);
	return -1;
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
	char *text = NULL, err[8];
	size_t len = 0;
	unsigned line;
	int rc;

	if ((rc = ns_sshfiles_known_read(f, &text, &len, err, sizeof(err))) == 0 &&
	    (rc = find_pin(text, len, host, port, pk, &line)) == 0) {
		/* the key found must pass the same check the client makes */
		rc = ns_known_hosts_check(text, len, host, port, pk) == 0 ? 0 : NS_ERR_NOTFOUND;
	}
	free(text);
	return rc;
}

/* text and the relay's line (after a newline when text lacks a final one;
 * prefix "" or "@cert-authority "), written as the new known_hosts. */
static int add_pin(const ns_sshfiles *f, const char *text, size_t len, const char *prefix,
                   const char *host, unsigned port, const uint8_t pk[NS_ED25519_PK_LEN], char *err,
                   size_t cap)
{
	char line[NS_KNOWN_HOSTS_LINE_MAX + 32], *out;
	size_t n, sep = len > 0 && text[len - 1] != '\n', plen = strlen(prefix);
	int rc;

	memcpy(line, prefix, plen);
	if ((rc = ns_known_hosts_line(host, port, pk, line + plen, sizeof(line) - plen - 1)) != 0) {
		snprintf(err, cap, "cannot pin the relay %s: %s", host, ns_strerror(rc));
		return rc;
	}
	n = strlen(line);
	line[n++] = '\n';
	if (len + sep + n > NS_CLIENT_KNOWN_HOSTS_MAX) {
		snprintf(err, cap, "%s would grow past %d bytes: cannot pin the relay %s",
		         f->known_hosts, NS_CLIENT_KNOWN_HOSTS_MAX, host);
		return NS_ERR_TOOBIG;
	}
	if ((out = malloc(len + sep + n)) == NULL) {
		return NS_ERR_NOMEM;
	}
	if (len > 0) {
		memcpy(out, text, len);
	}
	out[len] = '\n'; /* overwritten below when sep is 0 */
	memcpy(out + len + sep, line, n);
	rc = ns_sshfiles_write(f->known_hosts, out, len + sep + n, 0600, 0, err, cap);
	free(out);
	return rc;
}

int ns_sshfiles_pin(const ns_sshfiles *f, const char *host, unsigned port,
                    const uint8_t pk[NS_ED25519_PK_LEN], char *err, size_t cap)
{
	char fp_new[NS_FINGERPRINT_LEN], fp_old[NS_FINGERPRINT_LEN];
	uint8_t old[NS_ED25519_PK_LEN];
	char *text = NULL;
	size_t len = 0;
	unsigned line = 0;
	int rc, lock;

	/* read, check and write under the lock: a concurrent pin is not lost */
	if ((lock = lock_dir(f, err, cap)) < 0) {
		return NS_ERR_IO;
	}
	if ((rc = ns_sshfiles_known_read(f, &text, &len, err, cap)) != 0) {
		goto out;
	}
	rc = ns_known_hosts_check(text, len, host, port, pk);
	if (rc == NS_ERR_HOSTKEY_UNKNOWN) {
		rc = add_pin(f, text, len, "", host, port, pk, err, cap);
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
	close(lock); /* and the lock with it */
	return rc;
}

/* ca as a public key of any type, for the known_hosts functions. */
static int ca_pubkey(const uint8_t ca[NS_ED25519_PK_LEN], ns_pubkey *key)
{
	uint8_t blob[NS_KEY_BLOB_LEN];

	ns_key_blob(ca, blob);
	return ns_pubkey_from_blob(blob, sizeof(blob), key, NULL);
}

int ns_sshfiles_pinned_ca(const ns_sshfiles *f, const char *host, unsigned port,
                          const uint8_t ca[NS_ED25519_PK_LEN])
{
	char *text = NULL, err[8];
	size_t len = 0;
	ns_pubkey key;
	int rc;

	if ((rc = ca_pubkey(ca, &key)) == 0 &&
	    (rc = ns_sshfiles_known_read(f, &text, &len, err, sizeof(err))) == 0) {
		rc = ns_known_hosts_check_ca_key(text, len, host, port, &key) == 0
		         ? 0
		         : NS_ERR_NOTFOUND;
	}
	free(text);
	return rc;
}

int ns_sshfiles_pin_ca(const ns_sshfiles *f, const char *host, unsigned port,
                       const uint8_t ca[NS_ED25519_PK_LEN], char *err, size_t cap)
{
	char *text = NULL;
	size_t len = 0;
	ns_pubkey key;
	int rc, lock;

	if ((rc = ca_pubkey(ca, &key)) != 0) {
		return rc;
	}
	if ((lock = lock_dir(f, err, cap)) < 0) {
		return NS_ERR_IO;
	}
	if ((rc = ns_sshfiles_known_read(f, &text, &len, err, cap)) == 0 &&
	    ns_known_hosts_check_ca_key(text, len, host, port, &key) != 0) {
		rc = add_pin(f, text, len, "@cert-authority ", host, port, ca, err, cap);
	}
	free(text);
	close(lock);
	return rc;
}
