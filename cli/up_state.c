/* The state of `nullspace up` under NULLSPACE_HOME/state (0700): the CA,
 * the relay's host and client keys (created once, kept: clients pin the
 * host key), the API key store, and the CLI config NULLSPACE_HOME/config
 * holding the API URL and the development API key, written only once up
 * serves. Everything after the lock (up_lock.c). Secrets are wiped after
 * use and never put in a message. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "file.h"
#include "nullspace/error.h"
#include "up_int.h"

#define NAME_ROOM 64 /* the longest name we add to NULLSPACE_HOME, and more */

/* dir/name; the callers checked that dir leaves NAME_ROOM bytes. */
static void join(char *out, size_t cap, const char *dir, const char *name)
{
	if (snprintf(out, cap, "%s/%s", dir, name) >= (int)cap) {
		out[0] = '\0';
	}
}

/* A new file (never over an existing one), or atomically replaced. */
static int write_file(const char *path, int mode, const char *p, size_t len, int replace)
{
	char tmp[PATH_MAX + 8];
	const char *target = path;
	int fd, rc = -1;

	if (replace) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", path);
		(void)unlink(tmp);
		target = tmp;
	}
	if ((fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)) < 0) {
		return -1;
	}
	if (ns_file_write_all(fd, p, len) == 0 && fsync(fd) == 0) {
		rc = 0;
	}
	if (close(fd) != 0) {
		rc = -1;
	}
	if (rc == 0 && replace && rename(tmp, path) != 0) {
		rc = -1;
	}
	if (rc != 0) {
		(void)unlink(target);
	}
	return rc;
}

static int read_key(const char *path, ns_key *key, char *err, size_t cap)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, cap, "%s is not a regular file", path);
		return NS_ERR_IO;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, cap, "%s is readable by group or others; chmod 600 it", path);
		return NS_ERR_IO;
	}
	if ((rc = ns_file_read(path, NS_KEYFILE_MAX, &text, &len)) != 0) {
		snprintf(err, cap, "cannot read %s: %s", path, ns_strerror(rc));
		return rc;
	}
	if ((rc = ns_keyfile_parse(text, len, key)) != 0 || !key->has_sk) {
		snprintf(err, cap, "%s is not an unencrypted ed25519 private key (%s)", path,
		         rc != 0 ? ns_strerror(rc) : "no private half");
		rc = rc != 0 ? rc : NS_ERR_FORMAT;
	}
	sodium_memzero(text, len);
	free(text);
	return rc;
}

/* Load path, or create it (0600) when missing; path.pub is (re)written. */
static int key_file(const char *path, const char *comment, ns_key *key, char *err, size_t cap)
{
	char text[NS_KEYFILE_MAX], pubpath[PATH_MAX + 8], line[NS_KEY_LINE_MAX + 1];
	size_t len = 0;
	int rc;

	memset(key, 0, sizeof(*key));
	if (access(path, F_OK) == 0) {
		rc = read_key(path, key, err, cap);
	} else if ((rc = ns_key_generate(key, comment)) != 0 ||
	           (rc = ns_keyfile_write(key, text, sizeof(text), &len)) != 0) {
		snprintf(err, cap, "cannot make a key for %s: %s", path, ns_strerror(rc));
	} else if (write_file(path, 0600, text, len, 0) != 0) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		rc = NS_ERR_IO;
	}
	sodium_memzero(text, sizeof(text));
	if (rc != 0) {
		ns_key_wipe(key);
		return rc;
	}
	snprintf(pubpath, sizeof(pubpath), "%s.pub", path);
	if (ns_key_to_line(key->pk, comment, line, sizeof(line) - 1) != 0) {
		rc = NS_ERR_INVALID;
	} else {
		strcat(line, "\n");
		if (write_file(pubpath, 0644, line, strlen(line), 1) != 0) {
			snprintf(err, cap, "cannot write %s: %s", pubpath, strerror(errno));
			rc = NS_ERR_IO;
		}
	}
	if (rc != 0) {
		ns_key_wipe(key);
	}
	return rc;
}

/* The secret of signed file URLs: 32 random bytes in DIR/files_url_secret
 * (0600), made on first start; never logged. */
static int url_secret(ns_up_state *st, char *err, size_t cap)
{
	char path[PATH_MAX], *text = NULL;
	struct stat sb;
	size_t len = 0;
	int rc;

	join(path, sizeof(path), st->dir, "files_url_secret");
	if (lstat(path, &sb) != 0) {
		randombytes_buf(st->files_secret, sizeof(st->files_secret));
		if (write_file(path, 0600, (const char *)st->files_secret, sizeof(st->files_secret),
		               0) != 0) {
			snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
			return NS_ERR_IO;
		}
		return 0;
	}
	if (!S_ISREG(sb.st_mode) || (sb.st_mode & 077) != 0) {
		snprintf(err, cap, "%s must be a regular file of mode 0600", path);
		return NS_ERR_IO;
	}
	if ((rc = ns_file_read(path, 64, &text, &len)) != 0 || len != sizeof(st->files_secret)) {
		snprintf(err, cap, "%s is not a 32-byte secret; remove it to make a new one", path);
		rc = NS_ERR_FORMAT;
	} else {
		memcpy(st->files_secret, text, len);
	}
	if (text != NULL) {
		sodium_memzero(text, len);
		free(text);
	}
	return rc;
}

static int keys(ns_up_state *st, char *err, size_t cap)
{
	char path[PATH_MAX];
	ns_key k;
	int rc;

	join(path, sizeof(path), st->dir, "ca");
	join(st->ca_pub, sizeof(st->ca_pub), st->dir, "ca.pub");
	if ((rc = key_file(path, "nullspace CA", &st->ca, err, cap)) != 0) {
		return rc;
	}
	join(st->relay_host_key, sizeof(st->relay_host_key), st->dir, "relay_host_key");
	if ((rc = key_file(st->relay_host_key, "nullspace relay", &k, err, cap)) != 0) {
		return rc;
	}
	memcpy(st->relay_host_pk, k.pk, sizeof(st->relay_host_pk));
	ns_key_wipe(&k);
	join(st->relay_client_key, sizeof(st->relay_client_key), st->dir, "relay_client_key");
	if ((rc = key_file(st->relay_client_key, "nullspace relay client", &k, err, cap)) != 0) {
		return rc;
	}
	rc = ns_key_to_line(k.pk, "nullspace relay client", st->relay_client_line,
	                    sizeof(st->relay_client_line));
	st->relay_client = k; /* the API reaches agents with it too */
	if (rc != 0) {
		return rc;
	}
	return url_secret(st, err, cap);
}

/* Keep the config's API key when the store knows it, else pick a new one
 * (the store and the config learn it at publish, once up serves). */
static int api_key(ns_up_state *st, const char *api_url, char *err, size_t cap)
{
	char path[PATH_MAX];
	ns_api_config *cfg = &st->config;
	int rc;

	join(path, sizeof(path), st->dir, "api_keys");
	join(st->config_path, sizeof(st->config_path), st->home, "config");
	if ((rc = ns_apikeys_load(path, &st->keys, err, cap)) != 0 ||
	    (rc = ns_api_config_load(st->home, cfg, err, cap)) != 0) {
		return rc;
	}
	st->config_action = "kept";
	if (cfg->api_key[0] == '\0' ||
	    !ns_apikeys_check(&st->keys, cfg->api_key, strlen(cfg->api_key))) {
		ns_apikey_generate(st->new_key);
		snprintf(cfg->api_key, sizeof(cfg->api_key), "%s", st->new_key);
		st->config_action = "written";
	} else if (strcmp(cfg->api_url, api_url) != 0) {
		st->config_action = "updated";
	}
	snprintf(cfg->api_url, sizeof(cfg->api_url), "%s", api_url);
	return 0;
}

int ns_up_state_open(ns_up_state *st, const char *api_url, const char *api_addr, char *err,
                     size_t cap)
{
	int rc;

	st->lock_fd = -1;
	if ((rc = ns_api_home(st->home, sizeof(st->home))) != 0) {
		snprintf(err, cap, "cannot find NULLSPACE_HOME (set it, or HOME)");
		return rc;
	}
	if (strlen(st->home) + 2 * NAME_ROOM >= sizeof(st->home)) {
		snprintf(err, cap, "NULLSPACE_HOME is too long a path");
		return NS_ERR_INVALID;
	}
	join(st->dir, sizeof(st->dir), st->home, "state");
	join(st->sandboxes, sizeof(st->sandboxes), st->dir, "sandboxes");
	join(st->registry, sizeof(st->registry), st->dir, "registry");
	join(st->revoked, sizeof(st->revoked), st->dir, "revoked");
	if ((rc = ns_file_mkdir(st->home, 0, err, cap)) != 0 ||
	    (rc = ns_file_mkdir(st->dir, 0, err, cap)) != 0) {
		return rc;
	}
	/* before any other file of the folder is read or written */
	if ((rc = ns_up_lock_take(st->dir, api_addr, &st->lock_fd, err, cap)) != 0 ||
	    (rc = keys(st, err, cap)) != 0) {
		return rc;
	}
	return api_key(st, api_url, err, cap);
}

int ns_up_state_publish(ns_up_state *st, char *err, size_t cap)
{
	char path[PATH_MAX];
	int rc = 0;

	if (st->new_key[0] != '\0') {
		join(path, sizeof(path), st->dir, "api_keys");
		rc = ns_apikeys_add(path, &st->keys, st->new_key, err, cap);
		sodium_memzero(st->new_key, sizeof(st->new_key));
	}
	if (rc == 0 && strcmp(st->config_action, "kept") != 0) {
		rc = ns_api_config_save(st->home, &st->config, err, cap);
	}
	sodium_memzero(&st->config, sizeof(st->config));
	return rc;
}

void ns_up_state_close(ns_up_state *st)
{
	ns_key_wipe(&st->ca);
	ns_key_wipe(&st->relay_client);
	sodium_memzero(st->files_secret, sizeof(st->files_secret));
	ns_apikeys_free(&st->keys);
	sodium_memzero(&st->config, sizeof(st->config));
	sodium_memzero(st->new_key, sizeof(st->new_key));
	ns_up_lock_release(st->lock_fd);
	st->lock_fd = -1;
}
