/* The files of the sandbox runtime: a sandbox's folder (home/, run/ with
 * the agent's host key and authorized_keys, root/), the tail of its agent.log for error messages,
 * and removing folders and registry entries an earlier run left behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "nullspace/error.h"
#include "registry.h"
#include "runtime_int.h"

#define RMTREE_MAX_DEPTH 256

int ns_rt_write_new(const char *path, int mode, const void *p, size_t len)
{
	const char *c = p;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	int rc = NS_ERR_IO;
	ssize_t n;

	if (fd < 0) {
		return NS_ERR_IO;
	}
	while (len > 0) {
		if ((n = write(fd, c, len)) < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			goto out;
		}
		c += n;
		len -= (size_t)n;
	}
	rc = 0;
out:
	if (close(fd) != 0) {
		rc = NS_ERR_IO;
	}
	if (rc != 0) {
		unlink(path);
	}
	return rc;
}

/* Remove name in dfd; a folder with what it holds. */
static int rm_at(int dfd, const char *name, int depth)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int fd, rc = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		return errno == ENOENT ? 0 : -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		return (unlinkat(dfd, name, 0) == 0 || errno == ENOENT) ? 0 : -1;
	}
	if (depth > RMTREE_MAX_DEPTH) {
		return -1;
	}
	/* a sandbox may have made a folder unreadable or unwritable */
	if ((st.st_mode & S_IRWXU) != S_IRWXU) {
		(void)fchmodat(dfd, name, 0700, 0);
	}
	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		return -1;
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    rm_at(dirfd(d), e->d_name, depth + 1) != 0) {
			rc = -1;
		}
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
		rc = -1;
	}
	return rc;
}

int ns_rt_rmtree(const char *path)
{
	return rm_at(AT_FDCWD, path, 0) == 0 ? 0 : NS_ERR_IO;
}

void ns_rt_clean_stale(const char *sandboxes_dir, const char *registry_dir)
{
	struct dirent *e;
	DIR *d;

	if ((d = opendir(registry_dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			/* entries, and temporary files ".ID.XXXXXX" of a cut-off write */
			if (ns_registry_id_valid(e->d_name) ||
			    (e->d_name[0] == '.' && e->d_name[1] != '\0' && e->d_name[1] != '.')) {
				(void)unlinkat(dirfd(d), e->d_name, 0);
			}
		}
		closedir(d);
	}
	if ((d = opendir(sandboxes_dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (ns_registry_id_valid(e->d_name)) {
				(void)rm_at(dirfd(d), e->d_name, 1);
			}
		}
		closedir(d);
	}
}

static int sandbox_path(const ns_rt_sandbox *sb, const char *name, char *out, size_t cap)
{
	return snprintf(out, cap, "%s/%s", sb->dir, name) < (int)cap ? 0 : NS_ERR_INVALID;
}

static int write_host_key(ns_rt_sandbox *sb, char *err, size_t cap)
{
	char text[NS_KEYFILE_MAX], path[PATH_MAX], comment[NS_KEY_COMMENT_MAX];
	size_t len = 0;
	ns_key key;
	int rc;

	memset(&key, 0, sizeof(key));
	snprintf(comment, sizeof(comment), "sandbox %s", sb->info.id);
	if ((rc = ns_key_generate(&key, comment)) != 0 ||
	    (rc = ns_keyfile_write(&key, text, sizeof(text), &len)) != 0 ||
	    (rc = sandbox_path(sb, NS_RUNTIME_RUN_DIR "/host_key", path, sizeof(path))) != 0) {
		ns_rt_err(err, cap, "cannot make a host key for %s: %s", sb->info.id,
		          ns_strerror(rc));
		goto out;
	}
	if ((rc = ns_rt_write_new(path, 0600, text, len)) != 0 ||
	    (sb->uid != 0 && (rc = chown(path, sb->uid, sb->uid) != 0 ? NS_ERR_IO : 0)) != 0) {
		ns_rt_err(err, cap, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	memcpy(sb->host_pk, key.pk, sizeof(sb->host_pk));
out:
	sodium_memzero(text, sizeof(text));
	ns_key_wipe(&key);
	return rc;
}

/* A folder of sb's; home is the sandbox user's when there is one. */
static int make_dir(const ns_rt_sandbox *sb, const char *name, mode_t mode, char *err, size_t cap)
{
	char path[PATH_MAX];

	if (sandbox_path(sb, name, path, sizeof(path)) != 0 || mkdir(path, mode) != 0 ||
	    (sb->uid != 0 && strcmp(name, "home") == 0 && chown(path, sb->uid, sb->uid) != 0)) {
		ns_rt_err(err, cap, "cannot create %s/%s: %s", sb->dir, name, strerror(errno));
		return NS_ERR_IO;
	}
	return 0;
}

int ns_rt_prepare(ns_runtime *rt, ns_rt_sandbox *sb, char *err, size_t cap)
{
	char path[PATH_MAX], line[NS_KEY_LINE_MAX + 2];
	int rc;

	if (mkdir(sb->dir, 0700) != 0) {
		ns_rt_err(err, cap, "cannot create %s: %s", sb->dir, strerror(errno));
		return NS_ERR_IO;
	}
	/* home is the sandbox user's; run (the agent's socket, bound by us,
	 * and its keys: read-only inside) and root (the mount point of its
	 * own root) stay ours */
	if ((rc = make_dir(sb, "home", 0700, err, cap)) != 0 ||
	    (rc = make_dir(sb, NS_RUNTIME_RUN_DIR, 0755, err, cap)) != 0 ||
	    (rt->isolate && (rc = make_dir(sb, "root", 0755, err, cap)) != 0) ||
	    (rc = write_host_key(sb, err, cap)) != 0) {
		return rc;
	}
	/* read-only to the agent: the relay's key is the only one it trusts */
	snprintf(line, sizeof(line), "%s\n", rt->client_key_line);
	if ((rc = sandbox_path(sb, NS_RUNTIME_RUN_DIR "/authorized_keys", path, sizeof(path))) !=
	        0 ||
	    (rc = ns_rt_write_new(path, sb->uid != 0 ? 0644 : 0600, line, strlen(line))) != 0) {
		ns_rt_err(err, cap, "cannot write %s/authorized_keys: %s", sb->dir,
		          strerror(errno));
		return NS_ERR_IO;
	}
	return 0;
}

void ns_rt_log_tail(const ns_rt_sandbox *sb, char *out, size_t cap)
{
	char path[PATH_MAX], buf[NS_RUNTIME_LOG_TAIL + 1], *p;
	off_t end;
	ssize_t n;
	size_t o = 0;
	int fd;

	out[0] = '\0';
	if (cap == 0 || sandbox_path(sb, "agent.log", path, sizeof(path)) != 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		return;
	}
	end = lseek(fd, 0, SEEK_END);
	n = end < 0 ? -1
	            : pread(fd, buf, NS_RUNTIME_LOG_TAIL,
	                    end > NS_RUNTIME_LOG_TAIL ? end - NS_RUNTIME_LOG_TAIL : 0);
	close(fd);
	if (n <= 0) {
		return;
	}
	buf[n] = '\0';
	p = buf;
	if (end > NS_RUNTIME_LOG_TAIL && (p = strchr(buf, '\n')) != NULL) {
		p++; /* from the first whole line */
	} else if (p == NULL) {
		p = buf;
	}
	for (; *p != '\0' && o + 3 < cap; p++) {
		if (*p == '\n') {
			if (p[1] != '\0') {
				out[o++] = ';';
				out[o++] = ' ';
			}
		} else {
			out[o++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
		}
	}
	out[o] = '\0';
}
