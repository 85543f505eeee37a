/* NULLSPACE_HOME/ssh for `nullspace ssh` and `nullspace sandbox ssh-access`:
 * the folder (0700), the user's ed25519 key (created on first use, 0600;
 * refused when others may read it) and the atomic writes of the files in it.
 * The certificates and the relay pins are in sshfiles_access.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "sshfiles.h"
#include "sshfiles_int.h"
#include "file.h"
#include "registry.h"

#define KEY_NAME "id_ed25519"
#define KEY_COMMENT "nullspace"

/* Sandbox ids become file names: letters, digits, '_' and '-' only. */
static int path_join(char *out, const char *dir, const char *name, const char *suffix)
{
	int n = snprintf(out, NS_SSHFILES_PATH_MAX, "%s/%s%s", dir, name, suffix);

	return n < 0 || n >= NS_SSHFILES_PATH_MAX ? NS_ERR_TOOBIG : 0;
}

int ns_sshfiles_init(ns_sshfiles *f, const char *home, const char *sandbox_id, char *err,
                     size_t cap)
{
	char dir[NS_SSHFILES_PATH_MAX], abs[PATH_MAX];
	int rc;

	memset(f, 0, sizeof(*f));
	if (home == NULL || home[0] == '\0') {
		snprintf(err, cap, "no NULLSPACE_HOME folder");
		return NS_ERR_INVALID;
	}
	if (sandbox_id != NULL && !ns_registry_id_valid(sandbox_id)) {
		snprintf(err, cap, "'%s' is not a sandbox id", sandbox_id);
		return NS_ERR_INVALID;
	}
	if (path_join(dir, home, "ssh", "") != 0) {
		snprintf(err, cap, "NULLSPACE_HOME path too long");
		return NS_ERR_TOOBIG;
	}
	if ((rc = ns_file_mkdir(home, 0, err, cap)) != 0 ||
	    (rc = ns_file_mkdir(dir, 0, err, cap)) != 0) {
		return rc;
	}
	/* absolute paths, so a printed command works from any folder */
	if (realpath(dir, abs) == NULL || strlen(abs) >= sizeof(f->dir)) {
		snprintf(err, cap, "cannot resolve %s: %s", dir, strerror(errno));
		return NS_ERR_IO;
	}
	memcpy(f->dir, abs, strlen(abs) + 1);
	if (path_join(f->key, f->dir, KEY_NAME, "") != 0 ||
	    path_join(f->known_hosts, f->dir, "known_hosts", "") != 0 ||
	    (sandbox_id != NULL && path_join(f->cert, f->dir, sandbox_id, "-cert.pub") != 0)) {
		snprintf(err, cap, "NULLSPACE_HOME path too long");
		return NS_ERR_TOOBIG;
	}
	return 0;
}

int ns_sshfiles_write(const char *path, const void *p, size_t len, int mode, int no_replace,
                      char *err, size_t cap)
{
	char tmp[NS_SSHFILES_PATH_MAX + 16];
	int fd, rc = NS_ERR_IO;

	if (snprintf(tmp, sizeof(tmp), "%s.tmpXXXXXX", path) >= (int)sizeof(tmp)) {
		snprintf(err, cap, "path too long: %s", path);
		return NS_ERR_TOOBIG;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		snprintf(err, cap, "cannot create a file next to %s: %s", path, strerror(errno));
		return NS_ERR_IO;
	}
	if (fchmod(fd, (mode_t)mode) != 0 || ns_file_write_all(fd, p, len) != 0 || fsync(fd) != 0) {
		snprintf(err, cap, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) != 0) {
		snprintf(err, cap, "cannot write %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (no_replace ? link(tmp, path) != 0 : rename(tmp, path) != 0) {
		rc = no_replace && errno == EEXIST ? NS_ERR_STATE : NS_ERR_IO;
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc != 0 || no_replace) {
		unlink(tmp);
	}
	return rc;
}

/* A new key into f->key (never over an existing one: NS_ERR_STATE then)
 * and its .pub. */
static int create_key(const ns_sshfiles *f, ns_key *key, char *err, size_t cap)
{
	char text[NS_KEYFILE_MAX], line[NS_KEY_LINE_MAX + 1], pub[NS_SSHFILES_PATH_MAX + 8];
	size_t n = 0;
	int rc;

	if ((rc = ns_key_generate(key, KEY_COMMENT)) != 0 ||
	    (rc = ns_keyfile_write(key, text, sizeof(text), &n)) != 0) {
		snprintf(err, cap, "cannot create a key: %s", ns_strerror(rc));
		goto out;
	}
	if ((rc = ns_sshfiles_write(f->key, text, n, 0600, 1, err, cap)) != 0) {
		goto out;
	}
	if (snprintf(pub, sizeof(pub), "%s.pub", f->key) >= (int)sizeof(pub) ||
	    ns_key_to_line(key->pk, key->comment, line, sizeof(line) - 1) != 0) {
		snprintf(err, cap, "path too long: %s.pub", f->key);
		rc = NS_ERR_TOOBIG;
		goto out;
	}
	strcat(line, "\n");
	rc = ns_sshfiles_write(pub, line, strlen(line), 0644, 0, err, cap);
out:
	sodium_memzero(text, sizeof(text));
	if (rc != 0) {
		ns_key_wipe(key);
	}
	return rc;
}

/* Load f->key from fd, refusing a file others may read. */
static int load_key(const ns_sshfiles *f, int fd, ns_key *key, char *err, size_t cap)
{
	char text[NS_KEYFILE_MAX];
	struct stat st;
	size_t len = 0;
	ssize_t r;
	int rc = NS_ERR_IO;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, cap, "%s is not a regular file", f->key);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(
		    err, cap,
		    "%s may be read by others (mode %04o): refusing to use it; run chmod 600 %s",
		    f->key, (unsigned)(st.st_mode & 07777), f->key);
		rc = NS_ERR_AUTH;
		goto out;
	}
	while (len < sizeof(text) && (r = read(fd, text + len, sizeof(text) - len)) != 0) {
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			snprintf(err, cap, "cannot read %s: %s", f->key, strerror(errno));
			goto out;
		}
		len += (size_t)r;
	}
	if ((rc = ns_keyfile_parse(text, len, key)) != 0) {
		snprintf(err, cap, "cannot use the key %s: %s", f->key, ns_strerror(rc));
	}
out:
	sodium_memzero(text, sizeof(text));
	return rc;
}

int ns_sshfiles_key(const ns_sshfiles *f, ns_key *key, char *err, size_t cap)
{
	int fd, rc;

	memset(key, 0, sizeof(*key));
	if ((fd = open(f->key, O_RDONLY | O_CLOEXEC)) < 0 && errno == ENOENT) {
		rc = create_key(f, key, err, cap);
		if (rc != NS_ERR_STATE) {
			return rc; /* else another process created it first: load that */
		}
		fd = open(f->key, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		snprintf(err, cap, "cannot open %s: %s", f->key, strerror(errno));
		return NS_ERR_IO;
	}
	rc = load_key(f, fd, key, err, cap);
	close(fd);
	if (rc != 0) {
		ns_key_wipe(key);
	}
	return rc;
}
