/* One error space for all of libnullspace: 0 is success, negatives are errors.
 * Append-only: a value, once released, is never renumbered. */
#ifndef NULLSPACE_ERROR_H
#define NULLSPACE_ERROR_H

#include "nullspace/decls.h"

NS_BEGIN_DECLS

enum {
	NS_OK = 0,
	NS_ERR_NOMEM = -1,        /* allocation failed or buffer cap reached */
	NS_ERR_INVALID = -2,      /* invalid argument from the caller */
	NS_ERR_SHORT = -3,        /* input ends before the field does */
	NS_ERR_FORMAT = -4,       /* malformed input */
	NS_ERR_TOOBIG = -5,       /* input over a named limit */
	NS_ERR_MAC = -6,          /* packet authentication failed */
	NS_ERR_PROTOCOL = -7,     /* peer broke the protocol */
	NS_ERR_CRYPTO = -8,       /* a crypto primitive failed */
	NS_ERR_SIGNATURE = -9,    /* signature did not verify */
	NS_ERR_UNSUPPORTED = -10, /* algorithm or feature not supported */
	NS_ERR_NOMATCH = -11,     /* no algorithm in common */
	NS_ERR_AGAIN = -12,       /* more input needed / try later */
	NS_ERR_CLOSED = -13,      /* connection or channel is closed */
	NS_ERR_STATE = -14,       /* call not valid in the current state */
	NS_ERR_IO = -15,          /* system I/O error (outside core/) */
	NS_ERR_HOSTKEY_UNKNOWN = -16,
	NS_ERR_HOSTKEY_CHANGED = -17,
	NS_ERR_AUTH = -18, /* authentication refused */
	NS_ERR_NOTFOUND = -19,
	NS_ERR_LIMIT = -20, /* a configured limit was reached */
	NS_ERR_TIMEOUT = -21,
	NS_ERR_DISCONNECTED = -22, /* peer sent DISCONNECT */
	NS_ERR_KEYTYPE = -23,      /* key type other than ssh-ed25519 */
	NS_ERR_ENCRYPTED = -24,    /* private key file is passphrase-protected */
	NS_ERR_REVOKED = -25,      /* key listed as revoked (@revoked in known_hosts) */
};

/* A static, human-readable description; never NULL. */
const char *ns_strerror(int err);

NS_END_DECLS

#endif
