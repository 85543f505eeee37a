/* The wss:// listener of `nullspace up` (issue 13): the relay gets
 * --tls-cert/--tls-key from files in the state folder, made on the first
 * start (a self-signed ECDSA P-256 certificate for the public host, its
 * SHA-256 fingerprint beside it for clients and the API to pin) and kept
 * until it has fewer than NS_TLS_CERT_RENEW_DAYS left. The URL signing
 * secret beside them is up_ws.c's. */
#include <stdio.h>
#include <string.h>

#include "nullspace/error.h"
#include "tls_files.h"
#include "up_int.h"

static int join(char *out, size_t cap, const char *dir, const char *name)
{
	return snprintf(out, cap, "%s/%s", dir, name) >= (int)cap ? NS_ERR_INVALID : 0;
}

int ns_up_tls_prepare(ns_up_state *st, const char *listen, const char *public_host, char *err,
                      size_t cap)
{
	int made = 0, rc;

	if (join(st->ws_cert, sizeof(st->ws_cert), st->dir, NS_UP_TLS_CERT) != 0 ||
	    join(st->ws_key, sizeof(st->ws_key), st->dir, NS_UP_TLS_KEY) != 0 ||
	    join(st->ws_pin, sizeof(st->ws_pin), st->dir, NS_UP_TLS_PIN) != 0) {
		snprintf(err, cap, "NULLSPACE_HOME is too long a path");
		return NS_ERR_INVALID;
	}
	if ((rc = ns_tls_files_ensure(public_host, st->ws_cert, st->ws_key, st->ws_pin, &made,
	                              st->ws_sha256, err, cap)) != 0) {
		return rc;
	}
	snprintf(st->ws_listen, sizeof(st->ws_listen), "%s", listen);
	if (made == NS_TLS_FILES_RENEWED) {
		ns_up_log("renewed the WebSocket listener's certificate %s for %s: the old one had "
		          "fewer than %d days left",
		          st->ws_cert, public_host, NS_TLS_CERT_RENEW_DAYS);
	} else if (made) {
		ns_up_log("made the WebSocket listener's certificate %s for %s", st->ws_cert,
		          public_host);
	}
	return 0;
}
