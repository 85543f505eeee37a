/* The WebSocket side of `nullspace up`: the URL signing secret, shared by
 * the API (which mints signed URLs) and the relay (which checks them). It
 * is NULLSPACE_HOME/state/ws_secret, 64 hex digits made once from 32
 * random bytes, mode 0600; it never reaches a log. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "file.h"
#include "nullspace/error.h"
#include "up_int.h"
#include "ws_url.h"

/* A new secret file at path (O_EXCL: never over another's). */
static int create(const char *path, char *err, size_t cap)
{
	uint8_t raw[NS_UP_WS_SECRET_BYTES];
	char hex[2 * NS_UP_WS_SECRET_BYTES + 2];
	int fd, rc = 0;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	hex[2 * NS_UP_WS_SECRET_BYTES] = '\n';
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || ns_file_write_all(fd, hex, sizeof(hex) - 1) != 0 || fsync(fd) != 0) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		rc = NS_ERR_IO;
	}
	if (fd >= 0) {
		close(fd);
	}
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

int ns_up_ws_secret(const char *dir, ns_up_ws *ws, char *err, size_t cap)
{
	struct stat sb;
	char *text = NULL;
	size_t len = 0;
	int n;

	n = snprintf(ws->secret_path, sizeof(ws->secret_path), "%s/%s", dir, NS_UP_WS_SECRET_NAME);
	if (n < 0 || (size_t)n >= sizeof(ws->secret_path)) {
		snprintf(err, cap, "path too long: %s", dir);
		return NS_ERR_TOOBIG;
	}
	if (lstat(ws->secret_path, &sb) != 0 && create(ws->secret_path, err, cap) != 0) {
		return NS_ERR_IO;
	}
	if (lstat(ws->secret_path, &sb) != 0 || !S_ISREG(sb.st_mode) || (sb.st_mode & 077) != 0 ||
	    ns_file_read(ws->secret_path, NS_WS_SECRET_MAX + 2, &text, &len) != 0) {
		snprintf(err, cap, "%s: not a regular file of mode 0600 we can read",
		         ws->secret_path);
		return NS_ERR_IO;
	}
	if (len > 0 && text[len - 1] == '\n') {
		len--; /* as the relay reads it: one trailing newline dropped */
	}
	if (len < NS_WS_SECRET_MIN || len > NS_WS_SECRET_MAX) {
		sodium_memzero(text, len);
		free(text);
		snprintf(err, cap, "%s: want %u to %u bytes", ws->secret_path, NS_WS_SECRET_MIN,
		         NS_WS_SECRET_MAX);
		return NS_ERR_FORMAT;
	}
	ws->secret = (uint8_t *)text;
	ws->secret_len = len;
	return 0;
}

void ns_up_ws_free(ns_up_ws *ws)
{
	if (ws->secret != NULL) {
		sodium_memzero(ws->secret, ws->secret_len);
		free(ws->secret);
	}
	ws->secret = NULL;
	ws->secret_len = 0;
}

int ns_up_free_port(const char *host, unsigned *port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = sizeof(ss);
	int fd, rc = NS_ERR_IO;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
	} else {
		return NS_ERR_IO;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		return NS_ERR_IO;
	}
	if (bind(fd, (struct sockaddr *)&ss, ss.ss_family == AF_INET ? sizeof(*a4) : sizeof(*a6)) ==
	        0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		*port = ntohs(ss.ss_family == AF_INET ? a4->sin_port : a6->sin6_port);
		rc = 0;
	}
	close(fd);
	return rc;
}
