/* The root a sandbox sees (isolate.h): a small tmpfs holding the host's
 * /usr (and /bin, /lib... as the host has them) and a short list of /etc
 * files read-only, passwd, group, hosts and hostname of its own, the
 * sandbox's home and run folders, its own /tmp, /dev (a few device nodes
 * and a new pts instance) and /proc; then pivot_root into it, the host's
 * tree detached, and the tmpfs made read-only. Nothing else of the host's
 * files, NULLSPACE_HOME above all, is reachable from inside. */
#include "isolate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nullspace/error.h"

#define ROOT_OPTS "mode=0755,size=16777216"
#define DEV_OPTS "mode=0755,size=65536"
#define SHM_OPTS "mode=1777,size=67108864"
#define PTS_OPTS "newinstance,ptmxmode=0666,mode=0620"

/* Top-level host entries: the same symlink (merged /usr) or bound
 * read-only. */
static const char *const top[] = {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"};
/* /etc entries a shell and common tools need, none of them a secret. */
static const char *const etc[] = {
    "/etc/alternatives", "/etc/bash.bashrc",   "/etc/ca-certificates",
    "/etc/environment",  "/etc/gai.conf",      "/etc/host.conf",
    "/etc/inputrc",      "/etc/ld.so.cache",   "/etc/ld.so.conf",
    "/etc/ld.so.conf.d", "/etc/locale.alias",  "/etc/localtime",
    "/etc/mime.types",   "/etc/nsswitch.conf", "/etc/profile",
    "/etc/profile.d",    "/etc/protocols",     "/etc/services",
    "/etc/skel",         "/etc/ssl",           "/etc/terminfo",
    "/etc/timezone",     "/etc/vim",           "/etc/debian_version",
    "/etc/os-release",   "/etc/issue",         "/etc/mtab",
    "/etc/shells",       "/etc/login.defs",    "/etc/python3",
    "/etc/python3.11",   "/etc/magic",
};
static const char *const devs[] = {"null", "zero", "full", "random", "urandom", "tty"};

typedef struct builder {
	const ns_isolate *c;
	char *err;
	size_t cap;
} builder;

static int fail(builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(builder *b, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(b->err, b->cap, fmt, ap);
	va_end(ap);
	n = strlen(b->err);
	if (e != 0 && n < b->cap) {
		snprintf(b->err + n, b->cap - n, ": %s", strerror(e));
	}
	return NS_ERR_IO;
}

/* root + rel (rel starts with '/') */
static int at(builder *b, const char *rel, char out[PATH_MAX])
{
	errno = ENAMETOOLONG;
	if (snprintf(out, PATH_MAX, "%s%s", b->c->root, rel) >= PATH_MAX) {
		return fail(b, "path too long: %s%s", b->c->root, rel);
	}
	errno = 0;
	return 0;
}

static int make_dir(builder *b, const char *rel, mode_t mode)
{
	char p[PATH_MAX];
	char *s;

	if (at(b, rel, p) != 0) {
		return NS_ERR_IO;
	}
	/* parents first: rel is short and ours */
	for (s = p + strlen(b->c->root) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			return fail(b, "cannot create %s", p);
		}
		*s = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST) {
		return fail(b, "cannot create %s", p);
	}
	errno = 0;
	return 0;
}

/* The folder rel is in (rel has a '/' past its first byte). */
static int make_parent(builder *b, const char *rel)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(rel, '/');
	size_t n = slash != NULL ? (size_t)(slash - rel) : 0;

	if (n == 0 || n >= sizeof(dir)) {
		return 0;
	}
	memcpy(dir, rel, n);
	dir[n] = '\0';
	return make_dir(b, dir, 0755);
}

static int make_file(builder *b, const char *rel, const char *text, mode_t mode)
{
	char p[PATH_MAX];
	size_t len = strlen(text);
	int fd, ok;

	if (at(b, rel, p) != 0) {
		return NS_ERR_IO;
	}
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode)) < 0) {
		return fail(b, "cannot create %s", p);
	}
	ok = write(fd, text, len) == (ssize_t)len;
	if (close(fd) != 0 || !ok) {
		return fail(b, "cannot write %s", p);
	}
	return 0;
}

static int make_link(builder *b, const char *target, const char *rel)
{
	char p[PATH_MAX];

	if (at(b, rel, p) != 0) {
		return NS_ERR_IO;
	}
	if (symlink(target, p) != 0) {
		return fail(b, "cannot create the link %s", p);
	}
	return 0;
}

/* Bind src on root+rel (a folder or a file, made to match); read-only
 * keeps the flags the kernel locks on a bind (noexec, atime). */
static int bind(builder *b, const char *src, const char *rel, int rdonly)
{
	unsigned long fl = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV;
	char p[PATH_MAX];
	struct statvfs sv;
	struct stat st;

	if (stat(src, &st) != 0) {
		return fail(b, "cannot bind %s", src);
	}
	if (S_ISDIR(st.st_mode) ? make_dir(b, rel, 0755) != 0
	                        : (make_parent(b, rel) != 0 || make_file(b, rel, "", 0644) != 0)) {
		return NS_ERR_IO;
	}
	if (at(b, rel, p) != 0) {
		return NS_ERR_IO;
	}
	if (mount(src, p, NULL, MS_BIND | MS_REC, NULL) != 0) {
		return fail(b, "cannot bind %s on %s", src, p);
	}
	if (S_ISCHR(st.st_mode)) {
		return 0; /* device nodes: nodev would make them useless */
	}
	if (statvfs(p, &sv) != 0) {
		return fail(b, "cannot read the flags of %s", p);
	}
	fl |= rdonly ? MS_RDONLY : 0;
	fl |= (sv.f_flag & ST_NOEXEC) ? MS_NOEXEC : 0;
	fl |= (sv.f_flag & ST_NOATIME) ? MS_NOATIME : 0;
	fl |= (sv.f_flag & ST_NODIRATIME) ? MS_NODIRATIME : 0;
	fl |= (sv.f_flag & ST_RELATIME) ? MS_RELATIME : 0;
	if (mount(NULL, p, NULL, fl, NULL) != 0) {
		return fail(b, "cannot make %s read-only", p);
	}
	return 0;
}

/* A host entry as the host has it: a symlink copied, else bound
 * read-only; absent ones skipped. */
static int mirror(builder *b, const char *path)
{
	char target[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (lstat(path, &st) != 0) {
		errno = 0;
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		if ((n = readlink(path, target, sizeof(target) - 1)) < 0) {
			return fail(b, "cannot read the link %s", path);
		}
		target[n] = '\0';
		return make_link(b, target, path);
	}
	return bind(b, path, path, 1);
}

static int build_etc(builder *b)
{
	char text[512];
	size_t i;
	const char *sh = access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";

	if (make_dir(b, "/etc", 0755) != 0) {
		return NS_ERR_IO;
	}
	for (i = 0; i < sizeof(etc) / sizeof(etc[0]); i++) {
		if (mirror(b, etc[i]) != 0) {
			return NS_ERR_IO;
		}
	}
	snprintf(text, sizeof(text),
	         "root:x:0:0:root:/root:/usr/sbin/nologin\n"
	         "%s:x:%d:%d:sandbox user:%s:%s\n"
	         "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
	         NS_ISOLATE_USER, NS_ISOLATE_UID, NS_ISOLATE_UID, NS_ISOLATE_HOME, sh);
	if (make_file(b, "/etc/passwd", text, 0644) != 0) {
		return NS_ERR_IO;
	}
	snprintf(text, sizeof(text), "root:x:0:\ntty:x:5:\n%s:x:%d:\nnogroup:x:65534:\n",
	         NS_ISOLATE_USER, NS_ISOLATE_UID);
	if (make_file(b, "/etc/group", text, 0644) != 0) {
		return NS_ERR_IO;
	}
	snprintf(text, sizeof(text), "127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.1.1\t%s\n",
	         b->c->id);
	if (make_file(b, "/etc/hosts", text, 0644) != 0) {
		return NS_ERR_IO;
	}
	snprintf(text, sizeof(text), "%s\n", b->c->id);
	return make_file(b, "/etc/hostname", text, 0644);
}

static int build_dev(builder *b)
{
	char p[PATH_MAX], src[64];
	size_t i;

	if (make_dir(b, "/dev", 0755) != 0 || at(b, "/dev", p) != 0) {
		return NS_ERR_IO;
	}
	if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NOEXEC, DEV_OPTS) != 0) {
		return fail(b, "cannot mount a tmpfs on %s", p);
	}
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		snprintf(src, sizeof(src), "/dev/%s", devs[i]);
		if (bind(b, src, src, 0) != 0) {
			return NS_ERR_IO;
		}
	}
	if (make_dir(b, "/dev/pts", 0755) != 0 || at(b, "/dev/pts", p) != 0) {
		return NS_ERR_IO;
	}
	if (mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, PTS_OPTS) != 0) {
		return fail(b, "cannot mount devpts on %s", p);
	}
	if (make_dir(b, "/dev/shm", 01777) != 0 || at(b, "/dev/shm", p) != 0) {
		return NS_ERR_IO;
	}
	if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, SHM_OPTS) != 0) {
		return fail(b, "cannot mount a tmpfs on %s", p);
	}
	if (make_link(b, "pts/ptmx", "/dev/ptmx") != 0 ||
	    make_link(b, "/proc/self/fd", "/dev/fd") != 0 ||
	    make_link(b, "/proc/self/fd/0", "/dev/stdin") != 0 ||
	    make_link(b, "/proc/self/fd/1", "/dev/stdout") != 0 ||
	    make_link(b, "/proc/self/fd/2", "/dev/stderr") != 0) {
		return NS_ERR_IO;
	}
	return 0;
}

static int build_mounts(builder *b)
{
	char p[PATH_MAX];
	size_t i;

	if (bind(b, "/usr", "/usr", 1) != 0) {
		return NS_ERR_IO;
	}
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		if (mirror(b, top[i]) != 0) {
			return NS_ERR_IO;
		}
	}
	if (build_etc(b) != 0 || build_dev(b) != 0 ||
	    bind(b, b->c->home, NS_ISOLATE_HOME, 0) != 0 ||
	    bind(b, b->c->run, NS_ISOLATE_RUN, 1) != 0 ||
	    bind(b, b->c->exe, NS_ISOLATE_EXE, 1) != 0 || make_dir(b, "/tmp", 01777) != 0 ||
	    at(b, "/tmp", p) != 0) {
		return NS_ERR_IO;
	}
	if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NODEV, NS_ISOLATE_TMP_SIZE) != 0) {
		return fail(b, "cannot mount a tmpfs on %s", p);
	}
	if (make_dir(b, "/var", 0755) != 0 || make_link(b, "../tmp", "/var/tmp") != 0 ||
	    make_dir(b, "/root", 0700) != 0 || make_dir(b, "/proc", 0555) != 0 ||
	    at(b, "/proc", p) != 0) {
		return NS_ERR_IO;
	}
	if (mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) {
		return fail(b, "cannot mount /proc");
	}
	return 0;
}

int ns_isolate_root(const ns_isolate *c, char *err, size_t cap)
{
	builder b = {c, err, cap};

	errno = 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		return fail(&b, "cannot make the mounts private");
	}
	if (mount("tmpfs", c->root, "tmpfs", MS_NOSUID | MS_NODEV, ROOT_OPTS) != 0) {
		return fail(&b, "cannot mount a tmpfs on %s", c->root);
	}
	if (build_mounts(&b) != 0) {
		return NS_ERR_IO;
	}
	/* pivot_root(".", "."): the old root lands on top of the new one,
	 * whence it is detached */
	if (chdir(c->root) != 0 || syscall(SYS_pivot_root, ".", ".") != 0 ||
	    umount2(".", MNT_DETACH) != 0 || chdir("/") != 0) {
		return fail(&b, "cannot enter the new root %s", c->root);
	}
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) !=
	    0) {
		return fail(&b, "cannot make the root read-only");
	}
	return 0;
}
