/* SSH protocol version exchange (RFC 4253 section 4.2): splits the peer's
 * first bytes into lines and checks the "SSH-protoversion-softwareversion
 * [SP comments]" identification line. */
#include "version.h"

#include <string.h>

#include "nullspace/error.h"

#define VERSION_PREFIX "SSH-"
#define VERSION_PREFIX_LEN 4

static int is_printable(uint8_t c)
{
	return c >= 0x20 && c <= 0x7e;
}

/* protoversion: "2.0", or "1.99" (a server that also speaks SSH-1, RFC 4253
 * 5.1). softwareversion: non-empty, up to the first space; RFC 4253 forbids
 * '-' in it but real peers send it ("SSH-2.0-Cisco-1.25") and OpenSSH takes
 * it, so only whitespace ends it. */
static int check_version(const uint8_t *p, size_t len)
{
	const uint8_t *proto = p + VERSION_PREFIX_LEN;
	const uint8_t *end = p + len;
	const uint8_t *dash, *sw;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!is_printable(p[i])) {
			return NS_ERR_FORMAT;
		}
	}
	dash = memchr(proto, '-', (size_t)(end - proto));
	if (dash == NULL) {
		return NS_ERR_FORMAT;
	}
	if (!((dash - proto == 3 && memcmp(proto, "2.0", 3) == 0) ||
	      (dash - proto == 4 && memcmp(proto, "1.99", 4) == 0))) {
		return NS_ERR_UNSUPPORTED;
	}
	sw = dash + 1;
	if (sw == end || *sw == ' ') {
		return NS_ERR_FORMAT;
	}
	return 0;
}

int ns_version_parse(const uint8_t *buf, size_t len, size_t *consumed, int *is_version,
                     ns_str *line)
{
	size_t scan = len < NS_VERSION_LINE_MAX ? len : NS_VERSION_LINE_MAX;
	size_t i, n;
	int rc;

	*consumed = 0;
	*is_version = 0;
	line->p = NULL;
	line->len = 0;
	for (i = 0; i < scan && buf[i] != '\n'; i++) {
		if (buf[i] == '\0') {
			rc = NS_ERR_FORMAT;
			goto out;
		}
	}
	if (i == scan) {
		rc = len >= NS_VERSION_LINE_MAX ? NS_ERR_TOOBIG : NS_ERR_AGAIN;
		goto out;
	}
	n = i; /* bytes before LF */
	if (n > 0 && buf[n - 1] == '\r') {
		n--;
	}
	if (n >= VERSION_PREFIX_LEN && memcmp(buf, VERSION_PREFIX, VERSION_PREFIX_LEN) == 0) {
		if ((rc = check_version(buf, n)) != 0) {
			goto out;
		}
		*is_version = 1;
	}
	*consumed = i + 1;
	line->p = buf;
	line->len = n;
	rc = 0;
out:
	return rc;
}
