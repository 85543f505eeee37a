/* `nullspace keygen -f FILE [-C COMMENT]`: a new ed25519 key pair written as
 * an openssh-key-v1 FILE (mode 0600, never over an existing file) and
 * FILE.pub, read back and checked, then its fingerprint printed the way
 * ssh-keygen prints it. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"
#include "keyfiles.h"
#include "nullspace/error.h"
#include "nullspace/keys.h"

#define CMD "keygen"

static void usage(FILE *f)
{
	fprintf(f, "usage: nullspace keygen -f FILE [-C COMMENT]\n"
	           "\n"
	           "Creates an ed25519 key pair: the private key in FILE (openssh-key-v1,\n"
	           "unencrypted, mode 0600) and the public key in FILE.pub. Refuses to\n"
	           "overwrite either file.\n");
}

/* Create path (which must not exist) with mode and write len bytes. */
static int write_new_file(const char *path, int mode, const void *p, size_t len)
{
	const char *c = p;
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd < 0) {
		if (errno == EEXIST) {
			ns_cli_fail(CMD, "%s already exists; not overwriting it", path);
		} else {
			ns_cli_fail(CMD, "%s: %s", path, strerror(errno));
		}
		return -1;
	}
	while (len > 0) {
		n = write(fd, c, len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			ns_cli_fail(CMD, "writing %s: %s", path, strerror(errno));
			close(fd);
			unlink(path);
			return -1;
		}
		c += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		ns_cli_fail(CMD, "writing %s: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

static int file_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 || errno != ENOENT;
}

/* FILE read back the way every command loads a private key (cli/keyfiles.c):
 * it must hold the key we meant to write. */
static int check_written(const char *path, const ns_key *k)
{
	ns_key back;
	int rc;

	if ((rc = ns_cli_load_private_key(CMD, "new key", path, &back)) != 0) {
		return rc;
	}
	if (sodium_memcmp(back.pk, k->pk, sizeof(k->pk)) != 0 ||
	    sodium_memcmp(back.sk, k->sk, sizeof(k->sk)) != 0) {
		rc = ns_cli_fail(CMD, "%s does not read back as written", path);
	}
	ns_key_wipe(&back);
	return rc;
}

static int keygen(const char *path, const char *comment)
{
	char pubpath[PATH_MAX], text[NS_KEYFILE_MAX], line[NS_KEY_LINE_MAX + 1];
	char fp[NS_FINGERPRINT_LEN];
	ns_key k;
	size_t len;
	int rc = 1, err;

	memset(&k, 0, sizeof(k));
	if ((size_t)snprintf(pubpath, sizeof(pubpath), "%s.pub", path) >= sizeof(pubpath)) {
		ns_cli_fail(CMD, "%s: name too long", path);
		goto out;
	}
	if (file_exists(path) || file_exists(pubpath)) {
		ns_cli_fail(CMD, "%s already exists; not overwriting it",
		            file_exists(path) ? path : pubpath);
		goto out;
	}
	if (ns_key_generate(&k, comment) != 0) {
		ns_cli_fail(CMD,
		            "the comment must be under %d bytes, without "
		            "control characters",
		            NS_KEY_COMMENT_MAX);
		goto out;
	}
	if ((err = ns_keyfile_write(&k, text, sizeof(text), &len)) != 0 ||
	    (err = ns_key_to_line(k.pk, k.comment, line, sizeof(line) - 1)) != 0) {
		ns_cli_fail(CMD, "%s", ns_strerror(err));
		goto out;
	}
	strcat(line, "\n");
	if (write_new_file(path, 0600, text, len) != 0) {
		goto out;
	}
	if (check_written(path, &k) != 0) {
		unlink(path);
		goto out;
	}
	if (write_new_file(pubpath, 0644, line, strlen(line)) != 0) {
		unlink(path);
		goto out;
	}
	ns_key_fingerprint(k.pk, fp);
	printf("Your identification has been saved in %s\n"
	       "Your public key has been saved in %s\n"
	       "The key fingerprint is:\n"
	       "%s%s%s\n",
	       path, pubpath, fp, k.comment[0] ? " " : "", k.comment);
	rc = 0;
out:
	ns_key_wipe(&k);
	sodium_memzero(text, sizeof(text));
	return rc;
}

int ns_cmd_keygen(int argc, char **argv)
{
	const char *path = NULL, *comment = "";
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if ((strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "-C") == 0) && i + 1 < argc) {
			*(argv[i][1] == 'f' ? &path : &comment) = argv[i + 1];
			i++;
			continue;
		}
		ns_cli_fail(CMD, "unexpected argument '%s'", argv[i]);
		usage(stderr);
		return 2;
	}
	if (path == NULL || path[0] == '\0') {
		usage(stderr);
		return 2;
	}
	if (sodium_init() < 0) {
		ns_cli_fail(CMD, "libsodium failed to initialise");
		return 1;
	}
	return keygen(path, comment);
}
