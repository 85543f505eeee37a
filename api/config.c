/* The client configuration of the CLI and the SDK: NULLSPACE_HOME/config,
 * "key = value" lines (api_url, api_key) and '#' comments. Parsing is pure;
 * loading wipes what it read, saving writes a 0600 file atomically. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nullspace/error.h"
#include "nullspace/sdk.h"
#include "file.h"

#define CONFIG_NAME "config"
#define CONFIG_TMP_NAME ".config.tmp"
#define HOME_SUFFIX "/.nullspace"
#define PATH_CAP 4096
#define PW_BUF_MAX 16384

static void set_err(char *err, size_t cap, const char *fmt, const char *a, const char *b)
{
	if (err != NULL && cap > 0) {
		snprintf(err, cap, fmt, a, b);
	}
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* [*s, *e) without surrounding blanks. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_space(**s)) {
		(*s)++;
	}
	while (*e > *s && is_space((*e)[-1])) {
		(*e)--;
	}
}

static int key_is(const char *k, size_t klen, const char *name)
{
	return klen == strlen(name) && memcmp(k, name, klen) == 0;
}

/* One line [s, e): 0, or NS_ERR_FORMAT. */
static int parse_line(const char *s, const char *e, ns_api_config *out)
{
	const char *eq, *ks, *ke, *vs, *ve;
	char *dst = NULL;
	size_t dcap = 0;

	trim(&s, &e);
	if (s == e || *s == '#') {
		return 0;
	}
	if (memchr(s, '\0', (size_t)(e - s)) != NULL ||
	    (eq = memchr(s, '=', (size_t)(e - s))) == NULL) {
		return NS_ERR_FORMAT;
	}
	ks = s;
	ke = eq;
	vs = eq + 1;
	ve = e;
	trim(&ks, &ke);
	trim(&vs, &ve);
	if (ks == ke) {
		return NS_ERR_FORMAT;
	}
	if (key_is(ks, (size_t)(ke - ks), "api_url")) {
		dst = out->api_url;
		dcap = sizeof(out->api_url);
	} else if (key_is(ks, (size_t)(ke - ks), "api_key")) {
		dst = out->api_key;
		dcap = sizeof(out->api_key);
	} else {
		return 0; /* unknown keys are ignored */
	}
	if ((size_t)(ve - vs) >= dcap) {
		return NS_ERR_FORMAT; /* never truncated */
	}
	memcpy(dst, vs, (size_t)(ve - vs));
	dst[ve - vs] = '\0';
	return 0;
}

int ns_api_config_parse(const char *text, size_t len, ns_api_config *out, int *line)
{
	const char *p = text, *end = text + len, *nl;
	int rc = 0, n = 0;

	memset(out, 0, sizeof(*out));
	if (line != NULL) {
		*line = 0;
	}
	if (text == NULL && len > 0) {
		return NS_ERR_INVALID;
	}
	if (len > NS_API_CONFIG_MAX) {
		return NS_ERR_TOOBIG;
	}
	while (p < end) {
		n++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL) {
			nl = end;
		}
		if ((rc = parse_line(p, nl, out)) != 0) {
			sodium_memzero(out, sizeof(*out));
			if (line != NULL) {
				*line = n;
			}
			return rc;
		}
		p = nl < end ? nl + 1 : end;
	}
	return 0;
}

static int copy_path(char *out, size_t cap, const char *a, const char *b)
{
	int n = snprintf(out, cap, "%s%s", a, b);

	if (n < 0 || (size_t)n >= cap) {
		if (cap > 0) {
			out[0] = '\0';
		}
		return NS_ERR_TOOBIG;
	}
	return 0;
}

int ns_api_home(char *out, size_t cap)
{
	const char *v = getenv("NULLSPACE_HOME");
	struct passwd pw, *res = NULL;
	char *buf = NULL;
	int rc;

	if (out == NULL || cap == 0) {
		return NS_ERR_INVALID;
	}
	out[0] = '\0';
	if (v != NULL && v[0] != '\0') {
		return copy_path(out, cap, v, "");
	}
	v = getenv("HOME");
	if (v != NULL && v[0] != '\0') {
		return copy_path(out, cap, v, HOME_SUFFIX);
	}
	if ((buf = malloc(PW_BUF_MAX)) == NULL) {
		return NS_ERR_NOMEM;
	}
	if (getpwuid_r(getuid(), &pw, buf, PW_BUF_MAX, &res) != 0 || res == NULL ||
	    pw.pw_dir == NULL || pw.pw_dir[0] == '\0') {
		rc = NS_ERR_NOTFOUND;
		goto out;
	}
	rc = copy_path(out, cap, pw.pw_dir, HOME_SUFFIX);
out:
	free(buf);
	return rc;
}

/* Read all of fd into buf (cap bytes); NS_ERR_TOOBIG when more is left. */
static int read_all(int fd, char *buf, size_t cap, size_t *len)
{
	ssize_t r;

	*len = 0;
	for (;;) {
		r = read(fd, buf + *len, cap - *len);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return NS_ERR_IO;
		}
		if (r == 0) {
			return 0;
		}
		*len += (size_t)r;
		if (*len == cap) {
			return NS_ERR_TOOBIG;
		}
	}
}

int ns_api_config_load(const char *home, ns_api_config *out, char *err, size_t cap)
{
	char path[PATH_CAP], *buf = NULL;
	size_t len = 0;
	int fd = -1, rc, line = 0;

	memset(out, 0, sizeof(*out));
	set_err(err, cap, "%s%s", "", "");
	if (home == NULL || (rc = copy_path(path, sizeof(path), home, "/" CONFIG_NAME)) != 0) {
		set_err(err, cap, "%s%s", "the nullspace home folder path is too long", "");
		return NS_ERR_INVALID;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT) {
			return 0; /* no config yet */
		}
		set_err(err, cap, "cannot open %s: %s", path, strerror(errno));
		return NS_ERR_IO;
	}
	/* one byte more than allowed, to tell "too big" from "exactly full" */
	if ((buf = malloc(NS_API_CONFIG_MAX + 1)) == NULL) {
		rc = NS_ERR_NOMEM;
		goto out;
	}
	if ((rc = read_all(fd, buf, NS_API_CONFIG_MAX + 1, &len)) != 0) {
		set_err(err, cap, "cannot read %s: %s", path,
		        rc == NS_ERR_TOOBIG ? "larger than 16 KiB" : strerror(errno));
		goto out;
	}
	if ((rc = ns_api_config_parse(buf, len, out, &line)) != 0) {
		char where[32];

		snprintf(where, sizeof(where), "%d", line);
		set_err(err, cap, "%s:%s: not a 'key = value' line, or a value too long", path,
		        where);
	}
out:
	if (buf != NULL) {
		sodium_memzero(buf, NS_API_CONFIG_MAX + 1);
		free(buf);
	}
	close(fd);
	return rc;
}

/* A value fit for one config line: NUL-terminated in its field, one line. */
static int value_ok(const char *v, size_t cap)
{
	const char *nul = memchr(v, '\0', cap);

	return nul != NULL && strpbrk(v, "\r\n") == NULL;
}

/* Create the temporary file; a stale one left by a crash is replaced. */
static int open_tmp(const char *tmp)
{
	int fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0) {
		fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
	}
	return fd;
}

int ns_api_config_save(const char *home, const ns_api_config *cfg, char *err, size_t cap)
{
	char path[PATH_CAP], tmp[PATH_CAP];
	char text[NS_API_URL_MAX + NS_API_KEY_MAX + 128];
	int fd = -1, n, rc = 0, created = 0;

	set_err(err, cap, "%s%s", "", "");
	if (home == NULL || cfg == NULL || !value_ok(cfg->api_url, sizeof(cfg->api_url)) ||
	    !value_ok(cfg->api_key, sizeof(cfg->api_key))) {
		set_err(err, cap, "%s%s", "invalid configuration values", "");
		return NS_ERR_INVALID;
	}
	if (copy_path(path, sizeof(path), home, "/" CONFIG_NAME) != 0 ||
	    copy_path(tmp, sizeof(tmp), home, "/" CONFIG_TMP_NAME) != 0) {
		set_err(err, cap, "%s%s", "the nullspace home folder path is too long", "");
		return NS_ERR_INVALID;
	}
	if (mkdir(home, 0700) != 0 && errno != EEXIST) {
		set_err(err, cap, "cannot create %s: %s", home, strerror(errno));
		return NS_ERR_IO;
	}
	n = snprintf(text, sizeof(text),
	             "# nullspace client configuration (holds an API key: keep it private)\n"
	             "api_url = %s\napi_key = %s\n",
	             cfg->api_url, cfg->api_key);
	if (n < 0 || (size_t)n >= sizeof(text)) {
		rc = NS_ERR_INVALID;
		goto out;
	}
	if ((fd = open_tmp(tmp)) < 0) {
		set_err(err, cap, "cannot create %s: %s", tmp, strerror(errno));
		rc = NS_ERR_IO;
		goto out;
	}
	created = 1;
	if (ns_file_write_all(fd, text, (size_t)n) != 0 || fsync(fd) != 0) {
		set_err(err, cap, "cannot write %s: %s", tmp, strerror(errno));
		rc = NS_ERR_IO;
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		set_err(err, cap, "cannot write %s: %s", tmp, strerror(errno));
		rc = NS_ERR_IO;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		set_err(err, cap, "cannot replace %s: %s", path, strerror(errno));
		rc = NS_ERR_IO;
		goto out;
	}
out:
	if (fd >= 0) {
		close(fd);
	}
	if (rc != 0 && created) {
		unlink(tmp);
	}
	sodium_memzero(text, sizeof(text));
	return rc;
}
