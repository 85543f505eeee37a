/* The Files API's path check (no I/O): a path relative to the sandbox
 * user's home or absolute under it becomes a relative path with no "."
 * or empty component; "..", NUL and control bytes, and absolute paths
 * elsewhere are refused with a message. Fuzzed by fuzz/fuzz_files_path.c. */
#include <string.h>

#include "files_path.h"
#include "nullspace/error.h"

static int refuse(const char **why, const char *msg)
{
	if (why != NULL) {
		*why = msg;
	}
	return NS_ERR_INVALID;
}

/* Append component c (n bytes) to out (used bytes *k). */
static int add(char *out, size_t cap, size_t *k, const char *c, size_t n)
{
	size_t need = n + (*k > 0 ? 1 : 0);

	if (need >= cap - *k) {
		return NS_ERR_TOOBIG;
	}
	if (*k > 0) {
		out[(*k)++] = '/';
	}
	memcpy(out + *k, c, n);
	*k += n;
	out[*k] = '\0';
	return 0;
}

int ns_files_path_check(const char *path, size_t len, const char *home, char *out, size_t cap,
                        const char **why)
{
	size_t i = 0, k = 0, hl, n;

	if (cap < 2) {
		return refuse(why, "no room");
	}
	out[0] = '\0';
	if (path == NULL || len == 0) {
		return refuse(why, "path is missing");
	}
	if (len > NS_FILES_PATH_MAX) {
		return refuse(why, "path is over 4096 bytes");
	}
	for (i = 0; i < len; i++) {
		if (path[i] == '\0') {
			return refuse(why, "path holds a NUL byte");
		}
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f) {
			return refuse(why, "path holds a control character");
		}
	}
	i = 0;
	if (path[0] == '/') {
		hl = strlen(home);
		if (len < hl || memcmp(path, home, hl) != 0 || (len > hl && path[hl] != '/')) {
			return refuse(why, "absolute path outside the sandbox user's home");
		}
		i = hl;
	}
	while (i < len) {
		for (; i < len && path[i] == '/'; i++) {
		}
		for (n = 0; i + n < len && path[i + n] != '/'; n++) {
		}
		if (n == 2 && path[i] == '.' && path[i + 1] == '.') {
			return refuse(why, "path holds a \"..\" component");
		}
		if (n > 0 && !(n == 1 && path[i] == '.') && add(out, cap, &k, path + i, n) != 0) {
			return refuse(why, "path is too long");
		}
		i += n;
	}
	if (k == 0) {
		out[0] = '.';
		out[1] = '\0';
	}
	return 0;
}

int ns_files_mode_parse(const char *s, unsigned *mode)
{
	unsigned v = 0;
	size_t i;

	*mode = 0;
	if (s == NULL || s[0] == '\0' || strlen(s) > 5) {
		return NS_ERR_INVALID;
	}
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '7') {
			return NS_ERR_INVALID;
		}
		v = v * 8 + (unsigned)(s[i] - '0');
	}
	if (v > 07777) {
		return NS_ERR_INVALID;
	}
	*mode = v;
	return 0;
}
