/* Loading a private key file and a certificate file for a command, with
 * one permission check and one message style for all of them. The key is
 * read into a fixed buffer on the stack (no realloc copies) and wiped. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "keyfiles.h"
#include "nullspace/cert.h"
#include "nullspace/error.h"
#include "textfile.h"

/* Regular and owner-only, as ssh insists for private keys. */
static int check_mode(const char *cmd, const char *what, const char *path, int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		return ns_cli_fail(cmd, "%s %s is not a regular file", what, path);
	}
	if ((st.st_mode & 077) != 0) {
		return ns_cli_fail(cmd,
		                   "%s %s is accessible by group or others (mode %04o); "
		                   "chmod 600 %s",
		                   what, path, (unsigned)(st.st_mode & 07777), path);
	}
	return 0;
}

/* The whole file into buf; *n == cap when it did not fit. */
static int read_all(const char *cmd, const char *what, const char *path, int fd, char *buf,
                    size_t cap, size_t *n)
{
	ssize_t r;

	*n = 0;
	while (*n < cap && (r = read(fd, buf + *n, cap - *n)) != 0) {
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return ns_cli_fail(cmd, "reading %s %s: %s", what, path, strerror(errno));
		}
		*n += (size_t)r;
	}
	return 0;
}

int ns_cli_read_key_text(const char *cmd, const char *what, const char *path, char *buf, size_t cap,
                         size_t *n, int *missing)
{
	int fd, rc = NS_EXIT_OWN_ERROR;

	*n = 0;
	*missing = 0;
	/* O_NONBLOCK: a FIFO in its place is refused below, not waited on */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0) {
		if (errno == ENOENT || errno == EACCES) {
			*missing = errno; /* the caller says it, or signs another way */
			return NS_EXIT_OWN_ERROR;
		}
		return ns_cli_fail(cmd, "cannot open %s %s: %s", what, path, strerror(errno));
	}
	if (check_mode(cmd, what, path, fd) == 0 &&
	    read_all(cmd, what, path, fd, buf, cap, n) == 0) {
		if (*n == cap) {
			ns_cli_fail(cmd, "%s %s is larger than %d bytes", what, path,
			            NS_KEYFILE_MAX);
		} else {
			rc = 0;
		}
	}
	if (rc != 0) {
		sodium_memzero(buf, cap);
		*n = 0;
	}
	close(fd);
	return rc;
}

int ns_cli_load_private_key(const char *cmd, const char *what, const char *path, ns_key *key)
{
	char buf[NS_KEYFILE_MAX + 1];
	size_t n = 0;
	int err, missing, rc = NS_EXIT_OWN_ERROR;

	memset(key, 0, sizeof(*key));
	if (ns_cli_read_key_text(cmd, what, path, buf, sizeof(buf), &n, &missing) != 0) {
		if (missing != 0) {
			ns_cli_fail(cmd, "cannot open %s %s: %s", what, path, strerror(missing));
		}
		return NS_EXIT_OWN_ERROR;
	}
	if ((err = ns_keyfile_parse(buf, n, key)) != 0) {
		ns_cli_fail(cmd, "%s %s: %s", what, path,
		            err == NS_ERR_ENCRYPTED
		                ? "passphrase-protected keys are not supported here"
		                : ns_strerror(err));
	} else if (!key->has_sk) {
		ns_cli_fail(cmd, "%s %s: no private key in it", what, path);
	} else {
		rc = 0;
	}
	if (rc != 0) {
		ns_key_wipe(key);
	}
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

int ns_cli_load_cert(const char *cmd, const char *what, const char *path, uint8_t *blob, size_t cap,
                     size_t *len)
{
	size_t tlen, off = 0;
	char *text;
	ns_str line;
	int err = NS_ERR_NOTFOUND;

	*len = 0;
	if (ns_cli_read_file(path, NS_CLI_TEXT_FILE_MAX, &text, &tlen) != 0) {
		return ns_cli_fail(cmd, "cannot read %s %s: %s", what, path, strerror(errno));
	}
	while (err == NS_ERR_NOTFOUND && ns_cli_next_line(text, tlen, &off, &line)) {
		if (!ns_cli_line_skip(line)) {
			err = ns_cert_from_line((const char *)line.p, line.len, blob, cap, len);
		}
	}
	free(text);
	if (err != 0) {
		return ns_cli_fail(cmd, "%s %s: no %s line (%s)", what, path, NS_CERT_ALG,
		                   ns_strerror(err));
	}
	return 0;
}
