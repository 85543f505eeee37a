/* SSH protocol version exchange (RFC 4253 section 4.2). */
#ifndef NS_CORE_VERSION_H
#define NS_CORE_VERSION_H

#include "nullspace/types.h"

/* A line is at most 255 bytes including CR LF. */
#define NS_VERSION_LINE_MAX 255
/* A client tolerates at most this many bytes of banner lines before the
 * server's version line. */
#define NS_BANNER_MAX 8192

/* Parse one line from buf[0..len). NS_ERR_AGAIN if no complete line yet (and
 * len < NS_VERSION_LINE_MAX); NS_ERR_TOOBIG if the line is too long.
 * On success *consumed covers the line and its LF (CR optional before it);
 * *is_version says whether it starts with "SSH-"; for a version line, line is
 * the whole line without CR LF (what goes into the exchange hash) and the
 * protocol must be "2.0" or "1.99" (else NS_ERR_UNSUPPORTED); a version line
 * must be printable ASCII with a non-empty software version
 * (else NS_ERR_FORMAT). Non-version lines are returned in line too. */
int ns_version_parse(const uint8_t *buf, size_t len, size_t *consumed, int *is_version,
                     ns_str *line);

#endif
