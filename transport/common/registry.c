/* The sandbox registry (format and contract in registry.h): a pure parser
 * for one entry's key=value text, and the file operations around it: a
 * bounded no-symlink lookup, an atomic write (temp file, fsync, rename) and
 * a remove. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "registry.h"
#include "file.h"

#define LINE_MAX_LEN 1024 /* one line, without its line ending */
#define HOST_MAX 253      /* a DNS name */
#define DEFAULT_USER "sandbox"

/* Bits for the keys seen so far: a repeated one is an error. */
enum { SEEN_ENDPOINT = 1, SEEN_HOST_KEY = 2, SEEN_STATE = 4, SEEN_USER = 8 };

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int ns_registry_id_valid(const char *id)
{
	size_t i;

	if (id == NULL) {
		return 0;
	}
	for (i = 0; id[i] != '\0'; i++) {
		if (i >= NS_SANDBOX_ID_MAX || !(is_alnum(id[i]) || id[i] == '_' || id[i] == '-')) {
			return 0;
		}
	}
	return i > 0;
}

static int user_valid(const char *v, size_t len)
{
	size_t i;

	if (len == 0 || len > NS_REGISTRY_USER_MAX) {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (!(is_alnum(v[i]) || v[i] == '.' || v[i] == '_' || v[i] == '-')) {
			return 0;
		}
	}
	return 1;
}

/* 1..65535 in decimal, no sign, no leading zero. */
static int port_valid(const char *p, size_t len)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5 || p[0] == '0') {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9') {
			return 0;
		}
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	return v <= 65535;
}

/* A DNS name or dotted IPv4 address: letters, digits, '.', '-'. */
static int host_valid(const char *h, size_t len)
{
	size_t i;

	if (len == 0 || len > HOST_MAX || h[0] == '-' || h[0] == '.') {
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (!(is_alnum(h[i]) || h[i] == '.' || h[i] == '-')) {
			return 0;
		}
	}
	return 1;
}

static int endpoint_valid(const char *v, size_t len)
{
	char v6[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	const char *colon, *close;
	size_t i;

	if (len >= NS_REGISTRY_ENDPOINT_MAX) {
		return 0;
	}
	if (len > 5 && memcmp(v, "unix:", 5) == 0) {
		if (v[5] != '/' || len - 5 >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
			return 0;
		}
		for (i = 5; i < len; i++) {
			if ((unsigned char)v[i] <= ' ' || v[i] == 0x7f) {
				return 0;
			}
		}
		return 1;
	}
	if (len > 0 && v[0] == '[') {
		close = memchr(v, ']', len);
		if (close == NULL || (size_t)(close - v - 1) >= sizeof(v6) ||
		    close + 1 == v + len || close[1] != ':') {
			return 0;
		}
		memcpy(v6, v + 1, (size_t)(close - v - 1));
		v6[close - v - 1] = '\0';
		return inet_pton(AF_INET6, v6, &a6) == 1 &&
		       port_valid(close + 2, len - (size_t)(close + 2 - v));
	}
	colon = memchr(v, ':', len);
	if (colon == NULL || memchr(colon + 1, ':', len - (size_t)(colon + 1 - v)) != NULL) {
		return 0;
	}
	return host_valid(v, (size_t)(colon - v)) &&
	       port_valid(colon + 1, len - (size_t)(colon + 1 - v));
}

static int blank(const char *l, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (l[i] != ' ' && l[i] != '\t') {
			return 0;
		}
	}
	return 1;
}

static int key_is(const char *k, size_t klen, const char *name)
{
	return klen == strlen(name) && memcmp(k, name, klen) == 0;
}

/* One key=value line into out; seen tracks repeats. A reason or NULL. */
static const char *parse_line(const char *l, size_t len, ns_registry_entry *out, unsigned *seen)
{
	const char *eq = memchr(l, '=', len), *v;
	size_t klen, vlen;

	if (eq == NULL || eq == l) {
		return "line is not key=value";
	}
	klen = (size_t)(eq - l);
	v = eq + 1;
	vlen = len - klen - 1;
	if (!user_valid(l, klen)) { /* the same characters as a user name */
		return "bad key";
	}
	if (key_is(l, klen, "endpoint")) {
		if ((*seen & SEEN_ENDPOINT) != 0) {
			return "repeated endpoint";
		}
		*seen |= SEEN_ENDPOINT;
		if (!endpoint_valid(v, vlen)) {
			return "bad endpoint";
		}
		memcpy(out->endpoint, v, vlen);
		out->endpoint[vlen] = '\0';
	} else if (key_is(l, klen, "host_key")) {
		if ((*seen & SEEN_HOST_KEY) != 0) {
			return "repeated host_key";
		}
		*seen |= SEEN_HOST_KEY;
		if (ns_key_from_line(v, vlen, out->host_key, NULL) != 0) {
			return "bad host_key";
		}
	} else if (key_is(l, klen, "state")) {
		if ((*seen & SEEN_STATE) != 0) {
			return "repeated state";
		}
		*seen |= SEEN_STATE;
		if (key_is(v, vlen, "running")) {
			out->state = NS_SANDBOX_RUNNING;
		} else if (key_is(v, vlen, "stopped")) {
			out->state = NS_SANDBOX_STOPPED;
		} else {
			return "bad state";
		}
	} else if (key_is(l, klen, "user")) {
		if ((*seen & SEEN_USER) != 0) {
			return "repeated user";
		}
		*seen |= SEEN_USER;
		if (!user_valid(v, vlen)) {
			return "bad user";
		}
		memcpy(out->user, v, vlen);
		out->user[vlen] = '\0';
	}
	return NULL; /* unknown keys are ignored */
}

int ns_registry_parse(const char *text, size_t len, ns_registry_entry *out, const char **why)
{
	const char *reason = NULL, *nl;
	size_t i = 0, end, llen;
	unsigned seen = 0;

	memset(out, 0, sizeof(*out));
	out->state = NS_SANDBOX_RUNNING;
	memcpy(out->user, DEFAULT_USER, sizeof(DEFAULT_USER));
	if (len > NS_REGISTRY_FILE_MAX) {
		reason = "file too large";
		goto out;
	}
	if (memchr(text, '\0', len) != NULL) {
		reason = "NUL byte";
		goto out;
	}
	while (i < len && reason == NULL) {
		nl = memchr(text + i, '\n', len - i);
		end = nl != NULL ? (size_t)(nl - text) : len;
		llen = end - i;
		if (llen > 0 && text[end - 1] == '\r') {
			llen--;
		}
		if (llen > LINE_MAX_LEN) {
			reason = "line too long";
		} else if (memchr(text + i, '\r', llen) != NULL) {
			reason = "stray carriage return";
		} else if (!blank(text + i, llen) && text[i] != '#') {
			reason = parse_line(text + i, llen, out, &seen);
		}
		i = end + 1;
	}
	if (reason == NULL && (seen & SEEN_ENDPOINT) == 0) {
		reason = "missing endpoint";
	} else if (reason == NULL && (seen & SEEN_HOST_KEY) == 0) {
		reason = "missing host_key";
	}
out:
	if (why != NULL) {
		*why = reason;
	}
	if (reason != NULL) {
		memset(out, 0, sizeof(*out));
		return NS_ERR_FORMAT;
	}
	return 0;
}

int ns_registry_lookup(const char *dir, const char *id, ns_registry_entry *out)
{
	char text[NS_REGISTRY_FILE_MAX + 1];
	size_t len = 0;
	struct stat st;
	ssize_t n;
	int dfd = -1, fd = -1, rc = NS_ERR_IO;

	memset(out, 0, sizeof(*out));
	if (!ns_registry_id_valid(id)) {
		return NS_ERR_INVALID;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		goto out;
	}
	/* O_NONBLOCK: a FIFO planted in the folder must not block the relay */
	fd = openat(dfd, id, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rc = errno == ENOENT ? NS_ERR_NOTFOUND : errno == ELOOP ? NS_ERR_FORMAT : NS_ERR_IO;
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > NS_REGISTRY_FILE_MAX) {
		rc = NS_ERR_FORMAT;
		goto out;
	}
	while (len < sizeof(text)) {
		n = read(fd, text + len, sizeof(text) - len);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			goto out;
		}
		if (n == 0) {
			break;
		}
		len += (size_t)n;
	}
	if ((rc = ns_registry_parse(text, len, out, NULL)) == 0) {
		memcpy(out->id, id, strlen(id) + 1);
	}
out:
	if (fd >= 0) {
		close(fd);
	}
	if (dfd >= 0) {
		close(dfd);
	}
	return rc;
}

/* The file text for e, checked by parsing it back. */
static int format_entry(const ns_registry_entry *e, char *text, size_t cap, size_t *len)
{
	char key[NS_KEY_LINE_MAX];
	ns_registry_entry check;
	int n;

	if (ns_key_to_line(e->host_key, NULL, key, sizeof(key)) != 0) {
		return NS_ERR_INVALID;
	}
	if (e->state != NS_SANDBOX_RUNNING && e->state != NS_SANDBOX_STOPPED) {
		return NS_ERR_INVALID;
	}
	n = snprintf(text, cap, "endpoint=%.*s\nhost_key=%s\nstate=%s\nuser=%.*s\n",
	             (int)strnlen(e->endpoint, sizeof(e->endpoint)), e->endpoint, key,
	             e->state == NS_SANDBOX_RUNNING ? "running" : "stopped",
	             (int)strnlen(e->user, sizeof(e->user)), e->user);
	if (n < 0 || (size_t)n >= cap) {
		return NS_ERR_INVALID;
	}
	*len = (size_t)n;
	return ns_registry_parse(text, *len, &check, NULL) == 0 ? 0 : NS_ERR_INVALID;
}

int ns_registry_write(const char *dir, const ns_registry_entry *e)
{
	char text[NS_REGISTRY_FILE_MAX], tmp[PATH_MAX], path[PATH_MAX];
	ns_registry_entry def;
	size_t len;
	int fd = -1, dfd = -1, rc;

	if (!ns_registry_id_valid(e->id)) {
		return NS_ERR_INVALID;
	}
	def = *e; /* an empty user means the default */
	if (def.user[0] == '\0') {
		memcpy(def.user, DEFAULT_USER, sizeof(DEFAULT_USER));
	}
	if ((rc = format_entry(&def, text, sizeof(text), &len)) != 0) {
		return rc;
	}
	/* the temporary name starts with '.', so it is never a sandbox id */
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, e->id) >= (int)sizeof(tmp) ||
	    snprintf(path, sizeof(path), "%s/%s", dir, e->id) >= (int)sizeof(path)) {
		return NS_ERR_INVALID;
	}
	rc = NS_ERR_IO;
	if ((fd = mkstemp(tmp)) < 0) {
		return rc;
	}
	if (ns_file_write_all(fd, text, len) != 0 || fsync(fd) != 0 || fchmod(fd, 0644) != 0) {
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		goto out;
	}
	tmp[0] = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd); /* the rename itself, best effort */
		close(dfd);
	}
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
	}
	if (tmp[0] != '\0') {
		unlink(tmp);
	}
	return rc;
}

int ns_registry_remove(const char *dir, const char *id)
{
	int dfd, rc = 0;

	if (!ns_registry_id_valid(id)) {
		return NS_ERR_INVALID;
	}
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		return NS_ERR_IO;
	}
	if (unlinkat(dfd, id, 0) != 0 && errno != ENOENT) {
		rc = NS_ERR_IO;
	}
	close(dfd);
	return rc;
}
