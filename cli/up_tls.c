/* The wss:// listener of `nullspace up --websocket-listen` (issue 13): the
 * relay gets --websocket-listen, --websocket-secret and --tls-cert/--tls-key
 * from files in the state folder, made on the first start (a self-signed
 * ECDSA P-256 certificate for the public host, its SHA-256 fingerprint
 * beside it for clients and the API to pin; a random URL signing secret,
 * ws_secret, the file the API signs with too) and kept. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "file.h"
#include "nullspace/error.h"
#include "tls_files.h"
#include "up_int.h"

#define SECRET_BYTES 32

static int secret_file(const char *path, char *err, size_t cap)
{
	uint8_t raw[SECRET_BYTES];
	char hex[2 * SECRET_BYTES + 2];
	int fd, rc = 0;

	if (access(path, F_OK) == 0) {
		return 0; /* the relay checks its size when it reads it */
	}
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	strcat(hex, "\n");
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0 ||
	    ns_file_write_all(fd, hex, strlen(hex)) != 0 || fsync(fd) != 0) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		rc = NS_ERR_IO;
	}
	if (fd >= 0 && close(fd) != 0 && rc == 0) {
		snprintf(err, cap, "cannot write %s: %s", path, strerror(errno));
		rc = NS_ERR_IO;
	}
	if (rc != 0 && fd >= 0) {
		(void)unlink(path);
	}
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(hex, sizeof(hex));
	return rc;
}

static int join(char *out, size_t cap, const char *dir, const char *name)
{
	return snprintf(out, cap, "%s/%s", dir, name) >= (int)cap ? NS_ERR_INVALID : 0;
}

int ns_up_tls_prepare(ns_up_state *st, const char *listen, const char *public_host, char *err,
                      size_t cap)
{
	int made = 0, rc;

	if (join(st->ws_secret, sizeof(st->ws_secret), st->dir, NS_UP_TLS_SECRET) != 0 ||
	    join(st->ws_cert, sizeof(st->ws_cert), st->dir, NS_UP_TLS_CERT) != 0 ||
	    join(st->ws_key, sizeof(st->ws_key), st->dir, NS_UP_TLS_KEY) != 0 ||
	    join(st->ws_pin, sizeof(st->ws_pin), st->dir, NS_UP_TLS_PIN) != 0) {
		snprintf(err, cap, "NULLSPACE_HOME is too long a path");
		return NS_ERR_INVALID;
	}
	if ((rc = secret_file(st->ws_secret, err, cap)) != 0 ||
	    (rc = ns_tls_files_ensure(public_host, st->ws_cert, st->ws_key, st->ws_pin, &made,
	                              st->ws_sha256, err, cap)) != 0) {
		return rc;
	}
	snprintf(st->ws_listen, sizeof(st->ws_listen), "%s", listen);
	if (made) {
		ns_up_log("made the WebSocket listener's certificate %s for %s", st->ws_cert,
		          public_host);
	}
	return 0;
}
