/* Human-readable text for the NS_ERR_* codes of include/nullspace/error.h. */
#include "nullspace/error.h"

const char *ns_strerror(int err)
{
	switch (err) {
	case NS_OK: return "success";
	case NS_ERR_NOMEM: return "out of memory or buffer limit reached";
	case NS_ERR_INVALID: return "invalid argument";
	case NS_ERR_SHORT: return "truncated input";
	case NS_ERR_FORMAT: return "malformed input";
	case NS_ERR_TOOBIG: return "input exceeds a size limit";
	case NS_ERR_MAC: return "message authentication failed";
	case NS_ERR_PROTOCOL: return "protocol error";
	case NS_ERR_CRYPTO: return "cryptographic operation failed";
	case NS_ERR_SIGNATURE: return "signature verification failed";
	case NS_ERR_UNSUPPORTED: return "not supported";
	case NS_ERR_NOMATCH: return "no matching algorithm";
	case NS_ERR_AGAIN: return "operation would block";
	case NS_ERR_CLOSED: return "closed";
	case NS_ERR_STATE: return "not valid in the current state";
	case NS_ERR_IO: return "I/O error";
	case NS_ERR_HOSTKEY_UNKNOWN: return "host key is not known";
	case NS_ERR_HOSTKEY_CHANGED: return "host key has changed";
	case NS_ERR_AUTH: return "authentication failed";
	case NS_ERR_NOTFOUND: return "not found";
	case NS_ERR_LIMIT: return "limit reached";
	case NS_ERR_TIMEOUT: return "timed out";
	case NS_ERR_DISCONNECTED: return "disconnected by peer";
	case NS_ERR_KEYTYPE: return "unsupported key type";
	case NS_ERR_ENCRYPTED: return "private key is passphrase-protected (not supported)";
	case NS_ERR_REVOKED: return "key has been revoked";
	}
	return "unknown error";
}
